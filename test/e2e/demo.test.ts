// `daycap demo` in a terminal: the live view, its final summary and the demo's closing text, all
// within 80 columns, in a real pseudo-terminal.
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/files.js';
import { runInPty } from './terminal.js';

describe('daycap demo in a terminal', () => {
  it('draws the live view and leaves the final summary and the closing text, nothing past 80 columns', async () => {
    const dir = tempDir();
    const pty = runInPty(['demo', '--fast'], { cwd: dir });
    await pty.waitFor(/q stop after jobs in flight/);
    await pty.waitFor(/What to try next:/);
    const { code } = await pty.done;
    expect(code).toBe(0);
    const text = pty.screen.text();
    expect(text).toMatch(/daycap +run [0-9a-f]{6} ended \(done\)/);
    expect(text).toMatch(/failures +/);
    expect(text).toContain('README.md');
    const widest = text.split('\n').reduce((a, b) => (b.length > a.length ? b : a), '');
    expect(pty.screen.overflows, `wider than 80 columns: ${widest}\n${text}`).toEqual([]);
  });
});
