// A run into a pipe or a file never loads React or Ink: the live view is imported only on a terminal.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { copyFixture, tempDir } from '../helpers/files.js';

const PROGRAM = fileURLToPath(new URL('../../dist/src/cli/program.js', import.meta.url));
const RENDER = fileURLToPath(new URL('../../dist/src/tui/render.js', import.meta.url));

describe('the live view is loaded lazily', () => {
  it('a whole run with stdout not a terminal loads no React; importing the view does (so the check can see it)', async () => {
    const dir = tempDir();
    const ledger = copyFixture('ledgers/seed-17col.csv', dir, 'progress.csv');
    const script = `
      import { createRequire } from 'node:module';
      const require = createRequire(import.meta.url);
      const reactLoaded = () => Object.keys(require.cache).some((path) => /[\\\\/]node_modules[\\\\/]react[\\\\/]/.test(path));
      const { runCli } = await import(${JSON.stringify(PROGRAM)});
      const lines = [];
      const code = await runCli(['run', '--ledger', ${JSON.stringify(ledger)}, '--handler', 'simulate'], { out: (l) => lines.push(l), err: (l) => lines.push(l) });
      const before = reactLoaded();
      await import(${JSON.stringify(RENDER)});
      console.log(JSON.stringify({ code, before, after: reactLoaded(), ended: lines.some((l) => / ended \\(done\\)/.test(l)) }));
      process.exit(0);
    `;
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], { cwd: dir });
    expect(JSON.parse(stdout)).toMatchObject({ before: false, after: true, ended: true });
  });
});
