/**
 * Handler code runs in worker threads, which may not import src/errors.ts (the main thread owns
 * that hierarchy). This class carries the same stable code so the main thread can wrap it into a
 * HandlerError without guessing from the message.
 */
export const HANDLER_UNUSABLE = 'HANDLER_UNUSABLE';

export class HandlerUnusableError extends Error {
  readonly code = HANDLER_UNUSABLE;

  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'HandlerUnusableError';
  }
}

export function isHandlerUnusableError(value: unknown): value is HandlerUnusableError {
  // Checked by code rather than instanceof: the error may have crossed a realm or a module copy.
  return typeof value === 'object' && value !== null && (value as { code?: unknown }).code === HANDLER_UNUSABLE;
}
