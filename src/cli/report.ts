/**
 * The one place that turns an error into what the operator sees and an exit code (README.md#exit-codes):
 * a mistake they can fix gets a short message and its hint, never a stack; anything else is a bug.
 */
import { CommanderError } from 'commander';
import { DaycapError } from '../errors.js';
import { isHandlerUnusableError } from '../handlers/errors.js';
import { EXIT } from '../runner/exit-codes.js';

export function reportError(error: unknown, writeErr: (text: string) => void): number {
  if (error instanceof CommanderError) {
    // Commander has already printed its message (see usageOutput); --help and --version end with 0.
    return error.exitCode === 0 ? EXIT.OK : EXIT.INPUT;
  }
  if (error instanceof DaycapError && error.operatorError) {
    writeErr(`daycap: ${error.message}\n`);
    if (error.hint) writeErr(`${error.hint}\n`);
    return error.exitCode;
  }
  // A handler problem raised outside the runner's wrapping is still the operator's to fix.
  if (isHandlerUnusableError(error)) {
    writeErr(`daycap: ${(error as Error).message}\n`);
    return EXIT.INPUT;
  }
  return reportBug(error, writeErr);
}

/** A bug, whatever its class: an error nobody caught (an event listener, a stray promise) included. */
export function reportBug(error: unknown, writeErr: (text: string) => void): number {
  writeErr('daycap: internal error — please report this, with the lines below\n');
  writeErr(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  return EXIT.BUG;
}

/** Commander's own messages (unknown option, missing value…), in daycap's voice, with where to look. */
export function usageOutput(commandPath: string) {
  return {
    outputError: (text: string, write: (text: string) => void) => {
      write(`${commandPath}: ${text.replace(/^error: /, '').trimEnd()}\n`);
      write(`see \`${commandPath} --help\`\n`);
    },
  };
}
