// `--verify 'command:…'` and `verify` in the configuration, on a ledger holding a dead run's claim.
import { chmodSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { daycap, hasStack } from '../helpers/cli.js';
import { copyFixture, fixture, tempDir } from '../helpers/files.js';
import { readRows, statuses, writeVideosOf } from '../helpers/ledgers.js';

/** crash-a-1 was claimed by a run that died; calm-b-1 is pending. */
function deadRunLedger(): { dir: string; ledger: string } {
  const dir = tempDir();
  const ledger = copyFixture('cli/ledgers/claim-from-dead-run.csv', dir, 'progress.csv');
  writeVideosOf(ledger);
  return { dir, ledger };
}

function script(dir: string, name: string, body: string): string {
  const file = join(dir, name);
  writeFileSync(file, `#!/bin/sh\n${body}\n`);
  chmodSync(file, 0o755);
  return file;
}

describe('--verify', () => {
  it("settles a dead run's claim: exit 0 with a post id is posted, and the id is kept", async () => {
    const { dir, ledger } = deadRunLedger();
    script(dir, 'check.sh', 'test "$1" = crash-a-1 && test "$DAYCAP_ACCOUNT" = account_a && echo "found-$1" && exit 0; exit 1');
    const result = await daycap(['run', '--ledger', ledger, '--handler', 'simulate', '--verify', 'command:./check.sh {job_id}', '--no-tui'], { cwd: dir });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/recovered: 1 unconfirmed .*\(verify: 1 posted, 0 not posted, 0 unknown\)/);
    expect(await readRows(ledger)).toMatchObject([{ job_id: 'crash-a-1', status: 'success', video_id: 'found-crash-a-1' }, { job_id: 'calm-b-1', status: 'success' }]);
  });

  it('a verify that hangs is timed out after --verify-timeout and counts as unknown: the job stays unconfirmed', async () => {
    const { dir, ledger } = deadRunLedger();
    script(dir, 'hangs.sh', 'exec sleep 600');
    const result = await daycap(['run', '--ledger', ledger, '--handler', 'simulate', '--verify', 'command:./hangs.sh', '--verify-timeout', '300ms', '--no-tui'], { cwd: dir });
    expect(result.code, result.stdout + result.stderr).toBe(4);
    expect(result.stdout).toMatch(/\(verify: 0 posted, 0 not posted, 1 unknown\)/);
    expect(await statuses(ledger)).toEqual({ 'crash-a-1': 'unconfirmed', 'calm-b-1': 'success' });
  });

  it("the configuration's verify is used, and --verify wins over it", async () => {
    const { dir, ledger } = deadRunLedger();
    script(dir, 'posted.sh', 'echo from-config; exit 0');
    script(dir, 'not-posted.sh', 'exit 3');
    writeFileSync(join(dir, 'daycap.config.json'), JSON.stringify({ verify: 'command:./posted.sh', verifyTimeout: '30s' }));
    const printed = await daycap(['config', '--print'], { cwd: dir });
    expect(JSON.parse(printed.stdout)).toMatchObject({ settings: { verify: 'command:./posted.sh', verifyTimeout: '30s' } });

    const flagWins = await daycap(['run', '--ledger', ledger, '--handler', 'simulate', '--verify', 'command:./not-posted.sh', '--no-tui'], { cwd: dir });
    expect(flagWins.code, flagWins.stderr).toBe(0);
    expect(flagWins.stdout).toMatch(/\(verify: 0 posted, 1 not posted, 0 unknown\)/);
    // Not posted: it went back to pending and was posted by this run.
    expect(flagWins.stdout).toMatch(/posted job crash-a-1/);

    const again = deadRunLedger();
    writeFileSync(join(again.dir, 'daycap.config.json'), JSON.stringify({ verify: 'command:./posted.sh' }));
    script(again.dir, 'posted.sh', 'echo from-config; exit 0');
    const fromConfig = await daycap(['run', '--ledger', again.ledger, '--handler', 'simulate', '--no-tui'], { cwd: again.dir });
    expect(fromConfig.code, fromConfig.stderr).toBe(0);
    expect((await readRows(again.ledger))[0]).toMatchObject({ status: 'success', video_id: 'from-config' });
  });

  it.each([
    ["a module that exports its own verify", ['--handler', fixture('handlers/verify.mjs'), '--verify', 'command:./check.sh'], 'exports its own verify: keep one of them'],
    ['a verify that is not a command', ['--handler', 'simulate', '--verify', './check.sh'], "--verify \"./check.sh\": write 'command:<program> [args…]'"],
    ['a verify program that does not exist', ['--handler', 'simulate', '--verify', 'command:./missing.sh'], 'command verify: program ./missing.sh is not an executable file'],
  ])('refuses %s with exit 2 before the ledger is touched', async (_, args, message) => {
    const { dir, ledger } = deadRunLedger();
    script(dir, 'check.sh', 'exit 0');
    const result = await daycap(['run', '--ledger', ledger, ...args], { cwd: dir });
    expect(result.code, result.stdout).toBe(2);
    expect(result.stderr).toContain(message);
    expect(hasStack(result.stderr)).toBe(false);
    expect(existsSync(join(dir, '.progress.csv.daycap'))).toBe(false);
  });
});
