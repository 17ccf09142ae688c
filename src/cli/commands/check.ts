/**
 * `daycap check`: the run's pre-flight without the run — every job it would claim is checked
 * (video file, caption length, account frozen or unknown) and all problems are listed together.
 * Read-only: it never takes the lock, so it works beside a live run.
 */
import { Command } from 'commander';
import { checkLedger, PREFLIGHT_KINDS, type CheckReport, type PreflightProblem } from '../../api/preflight.js';
import { capExceededLine } from '../../core/archived-posts.js';
import { loadConfig } from '../../config/load.js';
import { readAccountsFile } from '../../inputs/accounts.js';
import type { CommandContext } from '../context.js';
import { listIds, plural } from '../format.js';
import { ledgerAt } from '../../store/open.js';
import { archiveDirOption, capOption, configOption, ignoreArchiveOption, ledgerOption, type ArchiveFlags } from '../options.js';

interface CheckFlags extends ArchiveFlags {
  ledger: string;
  config?: string;
  cap?: number;
  accounts?: string;
  json?: boolean;
}

/** Problems shown in full per kind; the rest by job id only, so a bad day does not flood the terminal. */
const SHOWN_PER_KIND = 10;

const REFUSAL = 'run would refuse to start: fix these, or run with --skip-invalid to mark them skipped';

export function checkCommand(ctx: CommandContext): Command {
  return new Command('check')
    .summary('check the jobs a run would claim (videos, captions, accounts) without running')
    .description('check every job a run would claim — its video file exists and is readable, its caption is not too long, its account is not frozen (and is in --accounts) — and list all problems together; read-only, works beside a live run. Exit 0 when clean, 2 when `daycap run` would refuse')
    .addOption(ledgerOption())
    // The run's own settings file, so both apply the same caption limit, video check and health rules.
    .addOption(configOption())
    .option('--accounts <txt>', "the day's accounts file: a job for any other account is a problem")
    .addOption(capOption("the daily cap, for the \"cap exceeded\" warnings (default: the config file's cap, else the cap recorded on the ledger, else 1)"))
    .addOption(archiveDirOption())
    .addOption(ignoreArchiveOption())
    .option('--json', 'print one JSON object: {"ledger", "checked", "problems": [{"jobId", "account", "kind", "problem"}], "notes", "capExceeded": [{"account", "posts", "cap"}]}')
    .addHelpText('after', '\nExamples:\n  daycap check --ledger progress.csv && daycap run --ledger progress.csv --handler ./poster.mjs\n  daycap check --ledger progress.csv --json | jq \'.problems[] | select(.kind == "video-missing") | .jobId\'')
    .action(async (flags: CheckFlags) => {
      // The configuration first: a mistake in it is reported before the ledger is read.
      const config = await loadConfig({ path: flags.config });
      await ledgerAt(flags.ledger).requireExisting();
      const accounts = flags.accounts === undefined ? undefined : new Set(await readAccountsFile(flags.accounts));
      const report = await checkLedger({
        ledger: flags.ledger, preflight: config.preflight, health: config.health, accounts,
        cap: flags.cap ?? config.cap, archiveDir: flags.archiveDir, ignoreArchives: flags.ignoreArchive, log: ctx.io.err,
      });
      if (flags.json) ctx.io.out(JSON.stringify({ ledger: flags.ledger, ...report }));
      else ctx.io.out(formatCheck(flags.ledger, report));
      ctx.setExitCode(report.problems.length === 0 ? 0 : 2);
    });
}

export function formatCheck(ledger: string, report: CheckReport): string {
  const { problems } = report;
  const lines = [`ledger ${ledger}: ${plural(report.checked, 'job')} to claim, ${problems.length === 0 ? 'no problems' : plural(problems.length, 'problem')}`];
  for (const kind of PREFLIGHT_KINDS) {
    const ofKind = problems.filter((p) => p.kind === kind);
    if (ofKind.length === 0) continue;
    // A job has at most one problem of each kind.
    lines.push(`${kind} (${plural(ofKind.length, 'job')}):`);
    for (const p of ofKind.slice(0, SHOWN_PER_KIND)) lines.push(`  ${describe(p)}`);
    const rest = ofKind.slice(SHOWN_PER_KIND);
    if (rest.length > 0) lines.push(`  … and ${rest.length} more: ${listIds(rest.map((p) => p.jobId))}`);
  }
  for (const note of report.notes) lines.push(`note: ${note}`);
  // History, not a problem of the run: it does not change the exit code.
  for (const over of report.capExceeded) lines.push(`warning: ${capExceededLine(over)} (today's ledger and archives; the history is kept as it is)`);
  lines.push(problems.length === 0 ? 'ok: the run would start' : REFUSAL);
  return lines.join('\n');
}

function describe(problem: PreflightProblem): string {
  return `job ${problem.jobId} (${problem.account}): ${problem.problem}`;
}
