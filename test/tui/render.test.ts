import { PassThrough } from 'node:stream';
import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it, vi } from 'vitest';
import { startTui } from '../../src/tui/render.js';
import { fakeControls } from './harness.js';
import { dayJobs, Scenario } from './scenario.js';

/** A terminal on streams: 80 × 24, a TTY, raw mode accepted; what is written is kept. */
function terminal() {
  const stdout = Object.assign(new PassThrough(), { isTTY: true, columns: 80, rows: 24 });
  let written = '';
  stdout.on('data', (chunk: Buffer) => void (written += chunk.toString('utf8')));
  const stdin = Object.assign(new PassThrough(), { isTTY: true, isRaw: false, setRawMode(mode: boolean) { stdin.isRaw = mode; return stdin; }, ref() { return stdin; }, unref() { return stdin; } });
  return {
    stdout: stdout as unknown as NodeJS.WriteStream,
    stdin: stdin as unknown as NodeJS.ReadStream,
    text: () => stripVTControlCharacters(written),
  };
}

describe('startTui', () => {
  it('draws the run, takes keys, and resolves done once the final summary is on screen and Ink has let go', async () => {
    const term = terminal();
    const s = new Scenario(dayJobs(3), { workers: 2 });
    const controls = fakeControls();
    const tui = startTui(s.events, controls, { stdout: term.stdout, stdin: term.stdin });
    s.start();
    s.succeed(s.claim(0), 0);
    s.fail(s.claim(1), 1, 'Your account has been suspended');
    await vi.waitFor(() => expect(term.text()).toContain('RECENT FAILURES'), { timeout: 30_000 });
    term.stdin.write('q');
    await vi.waitFor(() => expect(controls.stop).toHaveBeenCalledTimes(1));
    let settled = false;
    void tui.done.then(() => void (settled = true));
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(settled).toBe(false);
    s.events.emit('stopping', { reason: 'q', graceMs: 30_000, at: s.clock });
    s.end('interrupted');
    await tui.done;
    const text = term.text();
    expect(text).toMatch(/run 7f3c0a ended \(interrupted\)/);
    expect(text).toMatch(/code 130: interrupted/);
    expect(text).toMatch(/account\/suspended\s+not retried/);
    // Raw mode was given back to the terminal.
    expect((term.stdin as unknown as { isRaw: boolean }).isRaw).toBe(false);
  });
});
