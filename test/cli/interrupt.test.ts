// Ctrl-C during a run, with a real run kept alive by a handler that waits on a file.
import { describe, expect, it } from 'vitest';
import { daycap, hasStack, startHeldRun } from '../helpers/cli.js';
import { statuses } from '../helpers/ledgers.js';

describe('Ctrl-C during a run', () => {
  it('the first SIGINT stops claiming and lets the job in flight finish; exit 130', async () => {
    const { ledger, first, release } = await startHeldRun();
    first.child.kill('SIGINT');
    await first.waitFor(/stopping \(SIGINT\)/);
    release();
    const ended = await first.done;
    expect(ended.code).toBe(130);
    expect(ended.stderr).toContain('SIGINT received');
    expect(await statuses(ledger)).toEqual({ 'crash-a-1': 'unconfirmed', 'calm-b-1': 'success' });
  });

  it('a second SIGINT exits at once; the next run finds the job in flight and marks it unconfirmed', async () => {
    const { dir, ledger, env, first } = await startHeldRun();
    first.child.kill('SIGINT');
    await first.waitFor(/stopping \(SIGINT\)/);
    first.child.kill('SIGINT');
    const ended = await first.done;
    expect(ended.code).toBe(130);
    expect(ended.stderr).toContain('exiting now');
    expect(hasStack(ended.stderr)).toBe(false);

    const status = await daycap(['status', '--ledger', ledger, '--json'], { cwd: dir });
    expect(status.code, status.stderr).toBe(0);
    expect((JSON.parse(status.stdout) as { counts: Record<string, number> }).counts.claimed).toBe(1);

    const next = await daycap(['run', '--ledger', ledger, '--handler', 'simulate'], { cwd: dir, env });
    expect(next.stdout).toMatch(/recovered: 2 unconfirmed/);
    expect(await statuses(ledger)).toEqual({ 'crash-a-1': 'unconfirmed', 'calm-b-1': 'unconfirmed' });
  });
});
