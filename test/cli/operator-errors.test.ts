// Every mistake an operator can make ends with a short message and a non-zero exit, never a stack trace.
// Bad input files (ledgers, states, campaigns, accounts, handlers) are the corpus in test/faults/bad-input.test.ts.
import { describe, expect, it } from 'vitest';
import { daycap, hasStack } from '../helpers/cli.js';
import { bytes, copyFixture, fixture, listTree, tempDir } from '../helpers/files.js';

interface Case {
  name: string;
  args: string[];
  code: number;
  says: string | RegExp;
}

const STATE = fixture('cli/states/one-job-account-a.json');

const CASES: Case[] = [
  { name: 'seed: state file missing', args: ['seed', '--ledger', 'p.csv', '--state', 'nope.json'], code: 2, says: 'nope.json' },
  { name: 'seed: campaign folder missing', args: ['seed', '--ledger', 'p.csv', '--campaign', 'no-such-campaign'], code: 2, says: 'campaign folder not found' },
  { name: 'seed: neither --state nor --campaign', args: ['seed', '--ledger', 'p.csv'], code: 2, says: 'needs --state <json> or --campaign <dir>' },
  { name: 'seed: both --state and --campaign', args: ['seed', '--ledger', 'p.csv', '--state', STATE, '--campaign', fixture('campaigns/spring')], code: 2, says: 'cannot be used with' },
  { name: 'seed: --cap 0', args: ['seed', '--ledger', 'p.csv', '--state', STATE, '--cap', '0'], code: 2, says: 'not a whole number of at least 1' },
  { name: 'seed: accounts file missing', args: ['seed', '--ledger', 'p.csv', '--state', STATE, '--accounts', 'missing.txt'], code: 2, says: 'missing.txt' },
  { name: 'seed: --ledger left out', args: ['seed', '--state', STATE], code: 2, says: "required option '--ledger <csv|url>'" },
  { name: 'seed: the ledger\'s folder does not exist', args: ['seed', '--ledger', 'nodir/p.csv', '--state', STATE], code: 2, says: 'the folder of ledger nodir/p.csv (nodir) does not exist' },
  { name: 'reset-day: the ledger\'s folder does not exist', args: ['reset-day', '--ledger', 'nodir/p.csv'], code: 2, says: 'does not exist' },
  { name: 'demo: --dir whose parent does not exist', args: ['demo', '--dir', 'nodir/demo'], code: 2, says: 'does not exist' },
  { name: 'status: ledger missing', args: ['status', '--ledger', 'p.csv'], code: 2, says: 'no ledger at p.csv' },
  { name: 'status: --ledger is a folder', args: ['status', '--ledger', '.'], code: 2, says: 'is not a file' },
  { name: 'validate: ledger missing', args: ['validate', '--ledger', 'p.csv'], code: 2, says: 'no ledger at p.csv' },
  { name: 'retry-failed: ledger missing', args: ['retry-failed', '--ledger', 'p.csv'], code: 2, says: 'no ledger at p.csv' },
  { name: 'release-stale: ledger missing', args: ['release-stale', '--ledger', 'p.csv'], code: 2, says: 'no ledger at p.csv' },
  { name: 'release-stale: bad duration', args: ['release-stale', '--ledger', 'p.csv', '--older-than', 'ten minutes'], code: 2, says: 'is not a duration' },
  { name: 'run: ledger missing and nothing to seed', args: ['run', '--ledger', 'p.csv', '--handler', 'simulate'], code: 2, says: 'no ledger at p.csv' },
  { name: 'run: no --handler', args: ['run', '--ledger', 'p.csv'], code: 2, says: "required option '--handler <handler>'" },
  { name: 'run: --workers 0', args: ['run', '--ledger', 'p.csv', '--handler', 'simulate', '--workers', '0'], code: 2, says: 'not a whole number of at least 1' },
  { name: 'run: --max-passes two', args: ['run', '--ledger', 'p.csv', '--handler', 'simulate', '--max-passes', 'two'], code: 2, says: 'not a whole number' },
  { name: 'run: --retry-delay without a unit', args: ['run', '--ledger', 'p.csv', '--handler', 'simulate', '--retry-delay', '5'], code: 2, says: 'add a unit' },
  { name: 'run: --job-timeout nonsense', args: ['run', '--ledger', 'p.csv', '--handler', 'simulate', '--job-timeout', '10x'], code: 2, says: 'is not a duration' },
  { name: 'run: handler that is not a module', args: ['run', '--ledger', 'p.csv', '--handler', 'poster.txt'], code: 2, says: 'is not a handler' },
  { name: 'run: command handler with an open quote', args: ['run', '--ledger', 'p.csv', '--handler', "command:./post.sh 'oops"], code: 2, says: 'unterminated' },
  { name: 'run: --reset-day with nothing to seed from', args: ['run', '--ledger', 'p.csv', '--handler', 'simulate', '--reset-day'], code: 2, says: 'only make sense with --state <json> or --campaign <dir>' },
  { name: 'run: unknown option', args: ['run', '--ledger', 'p.csv', '--handler', 'simulate', '--worker', '2'], code: 2, says: "unknown option '--worker'" },
];

describe('operator errors', () => {
  it.each(CASES)('$name', async ({ args, code, says }) => {
    const dir = tempDir();
    const before = listTree(dir);
    const result = await daycap(args, { cwd: dir });
    expect(result.code, result.stderr).toBe(code);
    if (typeof says === 'string') expect(result.stderr).toContain(says);
    else expect(result.stderr).toMatch(says);
    expect(result.stderr).toMatch(/^daycap/);
    expect(hasStack(result.stderr)).toBe(false);
    expect(result.stderr).not.toContain('internal error');
    // A refused command leaves the folder as it was.
    expect(listTree(dir)).toEqual(before);
  });

  it('usage errors point to the command\'s --help', async () => {
    const result = await daycap(['run', '--ledger', 'p.csv', '--handler', 'simulate', '--cap', 'lots'], { cwd: tempDir() });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('see `daycap run --help`');
  });

  it('run: a handler module that does not exist stops the run before any claim, ledger untouched', async () => {
    const dir = tempDir();
    const ledger = copyFixture('cli/ledgers/account-at-cap.csv', dir, 'p.csv');
    const before = listTree(dir);
    const result = await daycap(['run', '--ledger', ledger, '--handler', './missing-poster.mjs'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('missing-poster.mjs does not exist');
    expect(hasStack(result.stderr)).toBe(false);
    expect(result.stdout).not.toContain('claimed');
    expect(await bytes(ledger)).toEqual(await bytes(fixture('cli/ledgers/account-at-cap.csv')));
    expect(listTree(dir).filter((entry) => !entry.startsWith('.p.csv.daycap'))).toEqual(before);
  });
});
