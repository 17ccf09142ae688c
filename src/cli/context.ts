/** What every command file gets from main: where to write, and where to put its exit code. */
import type { CliIO } from './io.js';

export interface CommandContext {
  io: CliIO;
  setExitCode(code: number): void;
}
