/**
 * Parsers for option values, shared by every command. They throw commander's InvalidArgumentError,
 * so a bad value is reported as a usage error (`see daycap <cmd> --help`, exit 2) before anything runs.
 */
import { InvalidArgumentError, Option } from 'commander';
import type { SeedSource } from '../api/seed.js';
import { DurationError, durationMs, formatDuration } from '../core/duration.js';
import { CONFIG_FILE, type ConfigOverrides } from '../config/load.js';
import { DEFAULT_MAX_ATTEMPTS, DEFAULT_RETRY_DELAY_MS } from '../core/job.js';
import type { CommandSetting } from '../config/schema.js';
import { parseCommandOption } from '../handlers/command-spec.js';
import { parseHandlerOption } from '../handlers/load.js';
import type { HandlerSpec } from '../protocol.js';
import { RUN_DEFAULTS } from '../runner/defaults.js';
import { hidePassword } from '../store/pg/url.js';

/** Where --ledger comes from when it is not given. */
export const LEDGER_ENV = 'DAYCAP_LEDGER';

/** `500ms`, `30s`, `10m`, `1h30m`, `2d` → milliseconds (see durationMs, which the configuration file shares). */
export function parseDuration(text: string): number {
  try {
    return durationMs(text);
  } catch (error) {
    if (error instanceof DurationError) throw new InvalidArgumentError(error.message);
    throw error;
  }
}

/** Whole numbers of at least 1, for --cap, --workers and --max-passes. */
export function parsePositiveInt(text: string): number {
  const value = text.trim();
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < 1) {
    throw new InvalidArgumentError(`${JSON.stringify(text)} is not a whole number of at least 1.`);
  }
  return n;
}

/** --handler: `simulate[:seed]`, `command:<program> [args…]` (one quoted word) or a .js/.mjs module path. */
export function parseHandler(text: string): HandlerSpec {
  try {
    return parseHandlerOption(text, process.cwd());
  } catch (error) {
    throw new InvalidArgumentError(error instanceof Error ? error.message : String(error));
  }
}

/** `command:<program> [args…]` for an option that takes only a program (`--verify`, `--notify`). */
function commandParser(option: string): (text: string) => CommandSetting {
  return (text) => {
    try {
      return { text, argv: parseCommandOption(text, option) };
    } catch (error) {
      throw new InvalidArgumentError(error instanceof Error ? error.message : String(error));
    }
  };
}

// ---- options several commands share, defined once so their wording and parsing agree ----

/**
 * --ledger: a CSV file, or a postgres:// URL (the ledger shared by hosts, docs/postgres.md). A URL's
 * password is taken out of the name as it is read, so nothing the command prints can show it.
 */
export function ledgerOption(): Option {
  return new Option('--ledger <csv|url>', "the day's ledger: a CSV file, or a postgres://user@host/database#name URL shared by several hosts (docs/postgres.md)")
    .env(LEDGER_ENV)
    .argParser(hidePassword)
    .makeOptionMandatory();
}

export function capOption(what = 'posts per account per day'): Option {
  return new Option('--cap <n>', what).argParser(parsePositiveInt);
}

/** The cap's help where the configuration file may set it. */
export const CAP_FROM_CONFIG = "posts per account per day, recorded on the ledger (default: the config file's cap, else the state's or campaign.json's setting, else the cap recorded on the ledger, else 1)";

/** --config: where the settings come from; a flag given on the command line wins over the file. */
export function configOption(): Option {
  return new Option('--config <file>', `settings file (JSON; default: ${CONFIG_FILE} in the current folder, if there is one); flags win over it`);
}

/** --max-attempts for new jobs (seed, config). */
export function maxAttemptsOption(): Option {
  return new Option('--max-attempts <n>', `attempts each new job gets, unless the scheduler state gives it its own (default: the config file's maxAttempts, else ${DEFAULT_MAX_ATTEMPTS})`).argParser(parsePositiveInt);
}

/** The runner's settings that the configuration file can give too. */
export function runSettingOptions(): Option[] {
  const fallback = (value: string | number) => `(default: the config file's, else ${value})`;
  return [
    new Option('--workers <n>', `worker threads ${fallback(RUN_DEFAULTS.workers)}`).argParser(parsePositiveInt),
    new Option('--max-passes <n>', `passes over the ledger for retries ${fallback(RUN_DEFAULTS.maxPasses)}`).argParser(parsePositiveInt),
    new Option('--retry-delay <duration>', `wait before a failed job is retried ${fallback(formatDuration(DEFAULT_RETRY_DELAY_MS))}`).argParser(parseDuration),
    new Option('--job-timeout <duration>', `abort a job running longer than this ${fallback(formatDuration(RUN_DEFAULTS.jobTimeoutMs))}`).argParser(parseDuration),
    new Option('--grace <duration>', `after Ctrl-C, how long jobs in flight may finish before they are aborted ${fallback(formatDuration(RUN_DEFAULTS.graceMs))}`).argParser(parseDuration),
    new Option('--verify <command>', "after a crash, 'command:<program> [args…]' says whether an unconfirmed job was posted: exit 0 posted (last stdout line: the post id), 3 not posted, else unknown; for a handler without a verify of its own (default: the config file's verify)").argParser(commandParser('--verify')),
    new Option('--verify-timeout <duration>', `how long one verify may take before its answer counts as unknown ${fallback(formatDuration(RUN_DEFAULTS.verifyTimeoutMs))}`).argParser(parseDuration),
    new Option('--notify <command>', "'command:<program> [args…]' told when something needs a person: an account frozen, a cooldown over an hour, a job unconfirmed, a storage failure or lost lock, the run's end; {event} and {message} are replaced (default: the config file's notify)").argParser(commandParser('--notify')),
    new Option('--notify-timeout <duration>', `how long one notify call may take before it is stopped ${fallback(formatDuration(RUN_DEFAULTS.notifyTimeoutMs))}`).argParser(parseDuration),
  ];
}

export interface RunSettingFlags {
  cap?: number | undefined;
  maxAttempts?: number | undefined;
  workers?: number | undefined;
  maxPasses?: number | undefined;
  retryDelay?: number | undefined;
  jobTimeout?: number | undefined;
  grace?: number | undefined;
  verify?: CommandSetting | undefined;
  verifyTimeout?: number | undefined;
  notify?: CommandSetting | undefined;
  notifyTimeout?: number | undefined;
}

/** The flags, named as the configuration names them. */
export function overridesOf(flags: RunSettingFlags): ConfigOverrides {
  return { cap: flags.cap, maxAttempts: flags.maxAttempts, workers: flags.workers, maxPasses: flags.maxPasses, retryDelayMs: flags.retryDelay, jobTimeoutMs: flags.jobTimeout, graceMs: flags.grace, verify: flags.verify, verifyTimeoutMs: flags.verifyTimeout, notify: flags.notify, notifyTimeoutMs: flags.notifyTimeout };
}

/** --state and --campaign name the day's work; giving both is a usage error. */
export function sourceOptions(): Option[] {
  return [
    new Option('--state <json>', "the scheduler's state file (JSON) to seed jobs from").conflicts('campaign'),
    new Option('--campaign <dir>', 'a campaign folder (accounts.txt, captions.csv, videos/) to seed jobs from'),
    new Option('--accounts <txt>', "accounts file (one name a line) replacing the input's own accounts"),
    new Option('--posted-ledger <txt>', 'all-time posted ledger (account|video|time lines): never give an account a video it already posted'),
    new Option('--reset-day', "archive the day's ledger first (as daycap reset-day), then seed afresh"),
    new Option('--force-reseed', 'reseed from scratch; only allowed together with --reset-day'),
    new Option('--archive-dir <dir>', "where --reset-day puts the archive, and where today's archives are looked for (default: beside the ledger)"),
    ignoreArchiveOption(),
  ];
}

/**
 * --ignore-archive: the way past an archive of today's ledger that cannot be read at all. Its posts
 * then do not count toward today's cap, which the command says in its log.
 */
export function ignoreArchiveOption(): Option {
  return new Option('--ignore-archive <file>', "do not count the posts in this archive of today's ledger (one that cannot be read; repeatable; said in the log)")
    .argParser((file: string, previous: string[] | undefined) => [...(previous ?? []), file]);
}

/** --archive-dir for the commands that only count today's archived posts. */
export function archiveDirOption(): Option {
  return new Option('--archive-dir <dir>', "where reset-day put today's archives, if not beside the ledger (their posts count toward the cap)");
}

export interface ArchiveFlags {
  archiveDir?: string | undefined;
  ignoreArchive?: string[] | undefined;
}

export interface SourceFlags {
  state?: string | undefined;
  campaign?: string | undefined;
}

export function seedSourceOf(flags: SourceFlags): SeedSource | undefined {
  if (flags.state !== undefined) return { state: flags.state };
  if (flags.campaign !== undefined) return { campaign: flags.campaign };
  return undefined;
}
