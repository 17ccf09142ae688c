/**
 * Every error daycap raises on purpose. `code` is stable (scripts and tests match on it);
 * `operatorError` marks a mistake an operator can fix, which the CLI prints as a short message
 * with `hint` and exits with `exitCode`, never with a stack trace. Anything else is a bug report.
 */
export class DaycapError extends Error {
  readonly code: string;
  readonly hint: string | undefined;
  readonly exitCode: number;
  readonly operatorError: boolean;

  constructor(code: string, message: string, options: { cause?: unknown; hint?: string; exitCode?: number; operatorError?: boolean } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.hint = options.hint;
    this.exitCode = options.exitCode ?? 2;
    this.operatorError = options.operatorError ?? true;
  }
}

/** Where in a file a problem sits; lines and columns count from 1. */
export interface FilePosition {
  file: string;
  line?: number;
  column?: number | string;
}

export function describePosition(pos: FilePosition): string {
  let where = pos.file;
  if (pos.line !== undefined) where += `:${pos.line}`;
  if (pos.column !== undefined) where += typeof pos.column === 'number' ? `:${pos.column}` : ` (column ${pos.column})`;
  return where;
}

/** A file (ledger, state, campaign, accounts, journal) that cannot be read as what it should be. */
export class InputError extends DaycapError {
  readonly position: FilePosition;
  constructor(code: string, position: FilePosition, problem: string, options: { cause?: unknown; hint?: string } = {}) {
    super(code, `${describePosition(position)}: ${problem}`, { ...options, exitCode: 2 });
    this.position = position;
  }
}

/** A ledger that exists but is empty, header-only or unparseable (docs/commands.md#daycap-validate). */
export class LedgerInvalidError extends DaycapError {
  readonly file: string;
  constructor(file: string, problem: string, options: { cause?: unknown } = {}) {
    super('LEDGER_INVALID', `VALIDATION FAILED: ledger ${file} ${problem}`, {
      ...options,
      exitCode: 2,
      hint: `ACTION REQUIRED: run \`daycap reset-day --ledger ${file}\` (or the same command with --reset-day) to archive it and start fresh, or inspect and repair the file by hand. The file has not been changed.`,
    });
    this.file = file;
  }
}

/** Another process holds the ledger (G6). */
export class LockHeldError extends DaycapError {
  constructor(file: string, holder: string, options: { cause?: unknown } = {}) {
    super('LEDGER_LOCKED', `ledger ${file} is in use by ${holder}`, {
      ...options,
      exitCode: 3,
      hint: 'Wait for that run to end, or stop it (Ctrl-C in its terminal). If it died, the lock goes stale by itself within a minute.',
    });
  }
}

/** A state change the rules do not allow; refused, never applied. */
export class IllegalTransitionError extends DaycapError {
  constructor(jobId: string, from: string, to: string) {
    super('ILLEGAL_TRANSITION', `job ${jobId} cannot go from ${from} to ${to}`, { exitCode: 2 });
  }
}

/**
 * A combination of options that would put the day's history at risk, e.g. --force-reseed without
 * --reset-day (docs/commands.md#daycap-seed).
 */
export class SafetyCheckError extends DaycapError {
  constructor(message: string, hint: string) {
    super('SAFETY_CHECK_FAILED', `SAFETY CHECK FAILED: ${message}`, { exitCode: 1, hint });
  }
}

export function forceReseedRefusal(): SafetyCheckError {
  return new SafetyCheckError(
    '--force-reseed requires --reset-day',
    'Using --force-reseed without --reset-day would wipe posting history for the current day, allowing duplicate posts to accounts.\n' +
      'If you intend to start a new day, run the same command with --reset-day --force-reseed.\n' +
      'If you need to reseed mid-day (dangerous), archive the ledger first with `daycap reset-day`, then seed.',
  );
}

/** A flag or option with a value daycap cannot use. */
export class UsageError extends DaycapError {
  constructor(message: string, hint?: string) {
    super('USAGE', message, { exitCode: 2, ...(hint === undefined ? {} : { hint }) });
  }
}

/** A configuration file (daycap.config.json or --config) that is missing, not JSON, or holds a setting daycap cannot use. */
export class ConfigError extends DaycapError {
  constructor(message: string, options: { cause?: unknown; hint?: string } = {}) {
    super('CONFIG_INVALID', message, {
      cause: options.cause,
      hint: options.hint ?? 'Fix the configuration file, or name another with --config <file>; `daycap config --print` shows the settings in effect once it loads. Nothing has been changed.',
      exitCode: 2,
      operatorError: true,
    });
  }
}

/** A handler module or command that cannot be loaded or used. */
export class HandlerError extends DaycapError {
  constructor(message: string, options: { cause?: unknown; hint?: string } = {}) {
    super('HANDLER_UNUSABLE', message, { ...options, exitCode: 2 });
  }
}

/** A notify program (`--notify`, `notify` in the configuration) that cannot be run. */
export class NotifierError extends DaycapError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('NOTIFIER_UNUSABLE', message, { ...options, exitCode: 2, hint: "Check --notify (or notify in the configuration): 'command:<program> [args…]', an executable program." });
  }
}

/** Writing the ledger or journal failed; nothing after it is reported as saved. */
export class StorageError extends DaycapError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('STORAGE_FAILED', message, { ...options, exitCode: 5, hint: 'Check the disk (space, permissions, health). The last good ledger is intact.' });
  }
}

/**
 * A failed file call as the StorageError "<what>: <cause>", unless the cause is a daycap error
 * already: a write the lock guard refused (LOCK_COMPROMISED) must reach the caller as itself, not
 * as a disk fault.
 */
export function storageFailure(what: string, cause: unknown): DaycapError {
  if (cause instanceof DaycapError) return cause;
  return new StorageError(`${what}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
}

/** The pre-flight found jobs the run would claim but could not post; the run refused before any claim. */
export class PreflightError extends DaycapError {
  readonly problems: ReadonlyArray<{ jobId: string; account: string; kind: string; problem: string }>;
  constructor(ledger: string, problems: ReadonlyArray<{ jobId: string; account: string; kind: string; problem: string }>, shown = 20) {
    const lines = problems.slice(0, shown).map((p) => `  ${p.kind}: job ${p.jobId} (${p.account}): ${p.problem}`);
    if (problems.length > shown) lines.push(`  … and ${problems.length - shown} more`);
    super('PREFLIGHT_FAILED', `PRE-FLIGHT FAILED: ${problems.length} ${problems.length === 1 ? 'problem' : 'problems'} in jobs this run would claim; nothing was claimed\n${lines.join('\n')}`, {
      exitCode: 2,
      hint: `Fix these (\`daycap check --ledger ${ledger}\` lists them all), or run again with --skip-invalid to mark those jobs skipped and run the rest.`,
    });
    this.problems = problems;
  }
}
