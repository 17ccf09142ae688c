#!/usr/bin/env node
/** The `daycap` executable. */
import { flushOutput, tolerateClosedPipes } from './io.js';
import { runCli } from './program.js';
import { reportBug } from './report.js';
import { tuneHeapForLongRuns } from '../runtime-tuning.js';

// Before the day's rows are loaded, and only for the commands that run jobs (see
// src/runtime-tuning.ts): a command that reads the ledger once and exits is twice as slow with it,
// as the heap is then compacted over and over while the rows are loaded.
const command = process.argv[2];
if (command === 'run' || command === 'demo') tuneHeapForLongRuns();

// An error no command caught (in an event listener or a stray promise) is a bug, even if its class
// says "operator error": report it as one and exit. Every claim and outcome is already journaled.
const onStray = (error: unknown) => {
  const code = reportBug(error, (text) => process.stderr.write(text));
  void flushOutput().finally(() => process.exit(code));
};
process.on('uncaughtException', onStray);
process.on('unhandledRejection', onStray);

tolerateClosedPipes();
const exitCode = await runCli(process.argv.slice(2));
await flushOutput();
// Exit explicitly: a handler module may leave timers or sockets open, and the run is over.
process.exit(exitCode);
