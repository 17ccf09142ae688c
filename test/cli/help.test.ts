import { describe, expect, it } from 'vitest';
import { daycap, hasStack } from '../helpers/cli.js';
import { tempDir } from '../helpers/files.js';

const COMMANDS = ['seed', 'status', 'report', 'validate', 'check', 'reset-day', 'retry-failed', 'release-stale', 'unfreeze', 'run', 'pause', 'resume', 'stop', 'export', 'import', 'db', 'config', 'demo'];
/** Commands that work without a ledger. */
const NO_LEDGER = new Set(['config', 'demo', 'db']);

describe('daycap --help', () => {
  it('lists every command and exits 0', async () => {
    const result = await daycap(['--help'], { cwd: tempDir() });
    expect(result.code).toBe(0);
    for (const name of COMMANDS) expect(result.stdout).toMatch(new RegExp(`^\\s+${name}\\b`, 'm'));
  });

  it.each(COMMANDS)('daycap %s --help shows its options and exits 0', async (name) => {
    const result = await daycap([name, '--help'], { cwd: tempDir() });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Usage: daycap ${name}`);
    if (!NO_LEDGER.has(name)) expect(result.stdout).toMatch(/--ledger <csv\|url>[^]*postgres:\/\//);
  });

  it('prints the version', async () => {
    const result = await daycap(['--version'], { cwd: tempDir() });
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('an unknown command is a usage error (exit 2) that points to --help', async () => {
    const result = await daycap(['sed', '--ledger', 'x.csv'], { cwd: tempDir() });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("unknown command 'sed'");
    expect(result.stderr).toContain('see `daycap --help`');
    expect(hasStack(result.stderr)).toBe(false);
  });
});
