// The one top-level error handler: operator errors vs bugs.
import { CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { reportError } from '../../src/cli/report.js';
import { DaycapError, LedgerInvalidError, LockHeldError, forceReseedRefusal } from '../../src/errors.js';
import { HandlerUnusableError } from '../../src/handlers/errors.js';

function report(error: unknown): { code: number; text: string } {
  let text = '';
  const code = reportError(error, (chunk) => (text += chunk));
  return { code, text };
}

describe('reportError', () => {
  it('an operator error: message and hint, its own exit code, no stack', () => {
    const { code, text } = report(new LedgerInvalidError('p.csv', 'is empty (header only).'));
    expect(code).toBe(2);
    expect(text).toMatch(/^daycap: VALIDATION FAILED: ledger p.csv is empty/);
    expect(text).toContain('ACTION REQUIRED');
    expect(text).not.toMatch(/^\s+at /m);
  });

  it('keeps the exit codes of the safety check (1) and of a held lock (3)', () => {
    expect(report(forceReseedRefusal()).code).toBe(1);
    expect(report(new LockHeldError('p.csv', 'pid 1 on host h (daycap run, since …)')).code).toBe(3);
  });

  it('a handler that cannot be loaded is the operator\'s to fix (exit 2)', () => {
    const { code, text } = report(new HandlerUnusableError('handler module x.mjs does not exist'));
    expect(code).toBe(2);
    expect(text).toBe('daycap: handler module x.mjs does not exist\n');
  });

  it('commander errors were printed already: exit 2, or 0 for --help/--version', () => {
    expect(report(new CommanderError(1, 'commander.unknownOption', "error: unknown option '--x'"))).toEqual({ code: 2, text: '' });
    expect(report(new CommanderError(0, 'commander.helpDisplayed', '(outputHelp)'))).toEqual({ code: 0, text: '' });
  });

  it('anything else is a bug: exit 70 with the stack', () => {
    const bug = report(new TypeError('cannot read properties of undefined'));
    expect(bug.code).toBe(70);
    expect(bug.text).toContain('internal error — please report this');
    expect(bug.text).toMatch(/^\s+at /m);
    const flagged = report(new DaycapError('BUG_INDEX', 'index counts: 1 != 2', { operatorError: false }));
    expect(flagged.code).toBe(70);
    expect(report('a thrown string').code).toBe(70);
  });
});
