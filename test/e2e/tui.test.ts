// The live view end to end: the real CLI in a pseudo-terminal (util-linux `script`), 80 × 24, and
// what it drew, read back through a small terminal model (terminal.ts) and with
// util.stripVTControlCharacters. Runs are kept alive by handlers that wait for a file, so nothing
// here depends on timing.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import { daycap, WAIT_FOR_FILE } from '../helpers/cli.js';
import { fixture, tempDir } from '../helpers/files.js';
import { statuses, writeLedgerRows, writeVideosOf } from '../helpers/ledgers.js';
import { runInPty, scriptPath } from './terminal.js';

const CHATTY_WAIT = fixture('cli/handlers/chatty-wait.mjs');

/** `n` pending jobs over `n` accounts, with captions long enough to be cut at 80 columns. */
async function smallDay(dir: string, n: number, name = 'night-shift.csv'): Promise<string> {
  const rows = Array.from({ length: n }, (_, i) =>
    `job-${i + 1},account_with_a_rather_long_name_${i + 1},videos/batch_01/clip-${i + 1}-with-a-long-file-name.mp4,"Caption ${i + 1}: a long caption, with a comma, that no 80-column screen can hold in one line 🌅",pending,,,,,0,3,,,,,,`);
  const ledger = writeLedgerRows(dir, rows, { name });
  writeVideosOf(ledger);
  return ledger;
}

/** The widest row drawn, for the failure message. */
function widest(text: string): string {
  return text.split('\n').reduce((a, b) => (b.length > a.length ? b : a), '');
}

describe('daycap run in a terminal', () => {
  it('has util-linux `script` to make a pseudo-terminal (the tests below need it)', () => {
    expect(scriptPath()).toMatch(/script$/);
  });

  it('draws the live view (header, progress, key help) within 80 columns, holds other output back, and leaves the final summary', async () => {
    const dir = tempDir();
    const ledger = await smallDay(dir, 4);
    const release = join(dir, 'release');
    const pty = runInPty(['run', '--ledger', ledger, '--handler', CHATTY_WAIT, '--workers', '2'], { cwd: dir, env: { DAYCAP_TEST_RELEASE_FILE: release } });

    // Two workers are posting and waiting: the live part is on screen.
    await pty.waitFor(/▶ 2 claimed/);
    await pty.waitFor(/q stop after jobs in flight · p pause claiming · f failures · a accounts/);
    const live = pty.screen.text();
    expect(live).toMatch(/^ daycap +night-shift\.csv · run [0-9a-f]{6} · 2 workers · cap 1/m);
    expect(live).toMatch(/^ [█░]+ +0\/4 0%/m);
    expect(live).toMatch(/^ WORKERS/m);
    expect(live).toMatch(/#0 +account_with_a_rather/);
    // Nothing but the view reaches the terminal while it is up: no log lines, no handler output.
    expect(live).not.toContain('claimed job');
    expect(live).not.toContain('chatty handler');

    await writeFile(release, '');
    await pty.waitFor(/exit +code 0: /);
    const { code } = await pty.done;
    expect(code).toBe(0);

    const text = pty.screen.text();
    const plain = stripVTControlCharacters(pty.raw());
    for (const drawn of [text, plain]) {
      expect(drawn).toMatch(/daycap +run [0-9a-f]{6} ended \(done\) after \d+:\d\d/);
      expect(drawn).toMatch(/ledger +\S*night-shift\.csv/);
      expect(drawn).toMatch(/jobs +4 in the ledger · 4 finished this run · 1 pass/);
      expect(drawn).toMatch(/result +✔ 4 success/);
      expect(drawn).toMatch(/failures +none this run/);
    }
    // The handler's lines were held and printed after the summary, not lost.
    const summaryAt = text.indexOf('ended (done)');
    expect(text.indexOf('chatty handler: posting job-1')).toBeGreaterThan(summaryAt);
    // Nothing was drawn past the 80th column (a real terminal would have wrapped it into the layout).
    expect(pty.screen.overflows, `wider than 80 columns: ${widest(text)}`).toEqual([]);
    expect(await statuses(ledger)).toEqual({ 'job-1': 'success', 'job-2': 'success', 'job-3': 'success', 'job-4': 'success' });
  });

  it('q stops the run gracefully: no new claims, jobs in flight are given --grace, exit 130', async () => {
    const dir = tempDir();
    const ledger = await smallDay(dir, 3);
    const pty = runInPty(['run', '--ledger', ledger, '--handler', WAIT_FOR_FILE, '--workers', '1', '--grace', '300ms'], { cwd: dir, env: { DAYCAP_TEST_RELEASE_FILE: join(dir, 'never') } });
    await pty.waitFor(/▶ 1 claimed/);
    await pty.waitFor(/q stop after jobs in flight/);
    pty.type('q');
    await pty.waitFor(/exit +code 130: /);
    const { code } = await pty.done;
    expect(code).toBe(130);
    const text = pty.screen.text();
    expect(text).toMatch(/run [0-9a-f]{6} ended \(interrupted\)/);
    expect(text).toMatch(/result +.*\? 1 unconfirmed/);
    expect(pty.screen.overflows).toEqual([]);
    expect(Object.values(await statuses(ledger)).sort()).toEqual(['pending', 'pending', 'unconfirmed']);
  });

  it('p pauses claiming, as `daycap status` beside it reports; `daycap stop` from another terminal ends it with 130', async () => {
    const dir = tempDir();
    const ledger = await smallDay(dir, 3);
    const pty = runInPty(['run', '--ledger', ledger, '--handler', WAIT_FOR_FILE, '--workers', '1', '--grace', '300ms'], { cwd: dir, env: { DAYCAP_TEST_RELEASE_FILE: join(dir, 'never') } });
    await pty.waitFor(/q stop after jobs in flight · p pause claiming/);
    pty.type('p');
    await pty.waitFor(/PAUSED: no new claims/);
    await pty.waitFor(/p resume claiming/);
    const status = await daycap(['status', '--ledger', ledger], { cwd: dir });
    expect(status.stdout).toMatch(/live from run [0-9a-f]{6} \(pid \d+\), paused/);

    const stop = await daycap(['stop', '--ledger', ledger], { cwd: dir });
    expect(stop.code, stop.stderr).toBe(0);
    await pty.waitFor(/exit +code 130: /);
    expect((await pty.done).code).toBe(130);
    expect(pty.screen.overflows).toEqual([]);
  });

  it('Ctrl-C twice exits at once with 130; the screen is handed back first and says what happens to jobs in flight', async () => {
    const dir = tempDir();
    const ledger = await smallDay(dir, 2);
    const pty = runInPty(['run', '--ledger', ledger, '--handler', WAIT_FOR_FILE, '--workers', '1'], { cwd: dir, env: { DAYCAP_TEST_RELEASE_FILE: join(dir, 'never') } });
    await pty.waitFor(/▶ 1 claimed/);
    await pty.waitFor(/q stop after jobs in flight/);
    pty.type('\x03');
    await pty.waitFor(/Ctrl-C stops now/);
    pty.type('\x03');
    const { code } = await pty.done;
    expect(code).toBe(130);
    const plain = stripVTControlCharacters(pty.raw());
    expect(plain).toContain('daycap: stopped at once (Ctrl-C twice). Jobs still in flight will show as unconfirmed on the next run');
    // After the view's last frame, not in the middle of it.
    expect(plain.lastIndexOf('stopped at once')).toBeGreaterThan(plain.lastIndexOf('Ctrl-C stops now'));
    // The claim is in the journal; the next command folds it in and sees it.
    const after = JSON.parse((await daycap(['status', '--ledger', ledger, '--json'], { cwd: dir })).stdout) as { counts: Record<string, number> };
    expect(after.counts.claimed).toBe(1);
  });
});
