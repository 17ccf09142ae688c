/** The failures of `command:` programs that say something about the setup rather than the platform. */

/**
 * A program that cannot be started is the operator's problem: reported as category
 * 'infrastructure', type 'command_unusable', retryable false, so jobs are not retried against a
 * broken setup (`daycap retry-failed` revives them once it is fixed).
 */
export class CommandUnusableError extends Error {
  readonly category = 'infrastructure';
  readonly type = 'command_unusable';
  readonly retryable = false;
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options);
    this.name = 'CommandUnusableError';
  }
}

/**
 * The spawner died (or could not be started) while running a job. The job's program may not have
 * finished, so this is an infrastructure failure worth retrying; the next job starts a new spawner.
 */
export class CommandSpawnerDiedError extends Error {
  readonly category = 'infrastructure';
  readonly type = 'command_spawner_died';
  readonly retryable = true;
  constructor(message: string) {
    super(message);
    this.name = 'CommandSpawnerDiedError';
  }
}
