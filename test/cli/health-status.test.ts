// `daycap status` lists the accounts an account failure froze (with why) and the accounts cooling
// down (until when), from the file and from a live run, in text and in --json.
import { describe, expect, it } from 'vitest';
import { daycap, startSleepingRun } from '../helpers/cli.js';
import { bytes, tempDir } from '../helpers/files.js';
import { HEADER, writeLedgerRows, writeVideosOf } from '../helpers/ledgers.js';

/** The seventeen columns and the one a cooldown adds. */
const HEADER_WITH_COOLDOWN = `${HEADER},cooldown_until`;

interface HealthJson {
  source: string;
  frozen: Array<{ account: string; jobId: string; reason: string; since: string }>;
  cooling: Array<{ account: string; until: number; jobId: string; reason: string }>;
}

/**
 * acct_susp was suspended (frozen for the day), acct_blk was told to slow down for an hour from
 * now (cooling down), acct_old's cooldown is over, and acct_1 has a job waiting.
 */
function healthLedger(dir: string): { ledger: string; coolUntil: string } {
  const coolUntil = new Date(Date.now() + 3_600_000).toISOString();
  const over = new Date(Date.now() - 60_000).toISOString();
  const ledger = writeLedgerRows(dir, [
    'p1,acct_1,v/p1.mp4,first,pending,,,,,0,3,,,,,,,',
    'susp-1,acct_susp,v/susp-1.mp4,Account trouble,failed,1,2025-12-14T08:00:00.000Z,2025-12-14T08:00:04.000Z,Your account has been suspended,1,3,,suspended,account,1,r0ld01,,',
    `blk-1,acct_blk,v/blk-1.mp4,Slow down,retrying,0,2025-12-14T08:10:00.000Z,2025-12-14T08:10:02.000Z,Action blocked,1,3,${coolUntil},action_blocked,account,1,r0ld01,,${coolUntil}`,
    `old-1,acct_old,v/old-1.mp4,Long ago,success,0,2025-12-14T06:00:00.000Z,2025-12-14T06:00:02.000Z,,2,3,,,,2,r0ld01,post-old,${over}`,
  ], { header: HEADER_WITH_COOLDOWN });
  // A live run's pre-flight looks for every video it would post.
  writeVideosOf(ledger);
  return { ledger, coolUntil };
}

/** The lines status prints about account health, whatever else it prints. */
function expectHealthLines(stdout: string, ledger: string, coolUntil: string): void {
  expect(stdout).toContain(`frozen accounts: 1 (their jobs stay pending; lift with \`daycap unfreeze --ledger ${ledger} --account <name>\`)`);
  expect(stdout).toMatch(/^ {2}acct_susp {2}account\/suspended: Your account has been suspended \(job susp-1\)$/m);
  expect(stdout).toMatch(/^accounts cooling down: 1$/m);
  expect(stdout).toMatch(new RegExp(`^ {2}acct_blk {2}until ${coolUntil.replace(/\./g, '\\.')} \\(in [\\d:]+\\) {2}action_blocked: Action blocked \\(job blk-1\\)$`, 'm'));
  // A cooldown that is over is not listed.
  expect(stdout).not.toMatch(/^ {2}acct_old/m);
}

function expectHealthJson(json: HealthJson, coolUntil: string): void {
  expect(json.frozen).toEqual([{ account: 'acct_susp', jobId: 'susp-1', reason: 'account/suspended: Your account has been suspended (job susp-1)', since: '2025-12-14T08:00:04.000Z' }]);
  expect(json.cooling).toEqual([{ account: 'acct_blk', until: Date.parse(coolUntil), jobId: 'blk-1', reason: 'action_blocked: Action blocked (job blk-1)' }]);
}

describe('daycap status and account health', () => {
  it('from the file: frozen accounts with their reason, cooling accounts until when; --json has both; nothing is written', async () => {
    const dir = tempDir();
    const { ledger, coolUntil } = healthLedger(dir);
    const before = await bytes(ledger);

    const text = await daycap(['status', '--ledger', ledger], { cwd: dir });
    expect(text.code, text.stderr).toBe(0);
    expectHealthLines(text.stdout, ledger, coolUntil);

    const json = await daycap(['status', '--ledger', ledger, '--json'], { cwd: dir });
    expect(json.code, json.stderr).toBe(0);
    const report = JSON.parse(json.stdout) as HealthJson;
    expect(report.source).toBe('file');
    expectHealthJson(report, coolUntil);
    expect(await bytes(ledger)).toEqual(before);
  });

  it('a day with nothing frozen or cooling says nothing about it, and --json has empty lists', async () => {
    const dir = tempDir();
    const ledger = writeLedgerRows(dir, ['p1,acct_1,v/p1.mp4,first,pending,,,,,0,3,,,,,,,'], { header: HEADER_WITH_COOLDOWN });
    const text = await daycap(['status', '--ledger', ledger], { cwd: dir });
    expect(text.stdout).not.toMatch(/frozen|cooling/);
    const report = JSON.parse((await daycap(['status', '--ledger', ledger, '--json'], { cwd: dir })).stdout) as HealthJson;
    expect(report.frozen).toEqual([]);
    expect(report.cooling).toEqual([]);
  });

  it('beside a live run: the run\'s own frozen and cooling accounts, in text and --json', async () => {
    const dir = tempDir();
    const { ledger, coolUntil } = healthLedger(dir);
    const { run, log } = await startSleepingRun(dir, ledger, /claimed job p1/);
    expect(log).toMatch(/started: .*; 1 account frozen \(acct_susp\); 1 cooling down/);

    const text = await daycap(['status', '--ledger', ledger], { cwd: dir });
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^ledger .*: live from run \w+ \(pid \d+\), running/);
    expectHealthLines(text.stdout, ledger, coolUntil);

    const json = JSON.parse((await daycap(['status', '--ledger', ledger, '--json'], { cwd: dir })).stdout) as HealthJson;
    expect(json.source).toBe('live');
    expectHealthJson(json, coolUntil);

    expect((await daycap(['stop', '--ledger', ledger], { cwd: dir })).code).toBe(0);
    expect((await run.done).code).toBe(130);
  });
});
