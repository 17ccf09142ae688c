// G6 (one runner per ledger) and Ctrl-C, with a real first run kept alive by a handler that waits on a file.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeVideosOf } from '../helpers/tmp.js';
import { copyFixture, daycap, fixture, hasStack, start, statuses, tempDir } from './helpers.js';

const WAITING_HANDLER = fixture('cli/handlers/wait-for-file.mjs');

async function heldRun() {
  const dir = await tempDir();
  const ledger = await copyFixture('cli/ledgers/claim-from-dead-run.csv', dir, 'progress.csv');
  writeVideosOf(ledger);
  const release = join(dir, 'release');
  const env = { DAYCAP_TEST_RELEASE_FILE: release };
  const first = start(['run', '--ledger', ledger, '--handler', WAITING_HANDLER, '--workers', '2'], { cwd: dir, env });
  await first.waitFor(/claimed job calm-b-1/);
  return { dir, ledger, env, first, release: () => writeFile(release, '') };
}

describe('a ledger held by a run', () => {
  it('a second run, a seed and reset-day exit 3 naming the holder; status and validate still work', async () => {
    const { dir, ledger, env, first, release } = await heldRun();
    try {
      const second = await daycap(['run', '--ledger', ledger, '--handler', 'simulate'], { cwd: dir, env });
      expect(second.code).toBe(3);
      expect(second.stderr).toMatch(/is in use by .*daycap run/);
      expect(second.stderr).toContain(`pid ${first.child.pid}`);
      expect(hasStack(second.stderr)).toBe(false);

      const seed = await daycap(['seed', '--ledger', ledger, '--state', fixture('cli/states/new-batch-a-and-b.json')], { cwd: dir });
      expect(seed.code).toBe(3);
      expect(seed.stderr).toContain('is in use by');

      // retry-failed and release-stale reach the live run instead (test/cli/control.test.ts).
      const blocked = await daycap(['reset-day', '--ledger', ledger], { cwd: dir });
      expect(blocked.code).toBe(3);
      expect(blocked.stderr).toContain('is in use by');

      const status = await daycap(['status', '--ledger', ledger], { cwd: dir });
      expect(status.code).toBe(0);
      expect(status.stdout).toContain(`live from run`);
      expect(status.stdout).toContain(`(pid ${first.child.pid})`);
      expect((await daycap(['validate', '--ledger', ledger], { cwd: dir })).code).toBe(0);
    } finally {
      await release();
    }
    const ended = await first.done;
    expect(ended.code).toBe(4); // the dead run's claim stays unconfirmed
    expect(await statuses(ledger)).toEqual({ 'crash-a-1': 'unconfirmed', 'calm-b-1': 'success' });
  });
});

describe('Ctrl-C during a run', () => {
  it('the first SIGINT stops claiming and lets the job in flight finish; exit 130', async () => {
    const { ledger, first, release } = await heldRun();
    first.child.kill('SIGINT');
    await first.waitFor(/stopping \(SIGINT\)/);
    await release();
    const ended = await first.done;
    expect(ended.code).toBe(130);
    expect(ended.stderr).toContain('SIGINT received');
    expect(await statuses(ledger)).toEqual({ 'crash-a-1': 'unconfirmed', 'calm-b-1': 'success' });
  });

  it('a second SIGINT exits at once; the next run finds the job in flight and marks it unconfirmed', async () => {
    const { dir, ledger, env, first } = await heldRun();
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
