/**
 * Resolves a HandlerSpec into callable functions. Runs in every worker thread and in the main thread
 * (checks before a run, verify after a crash), so failures are HandlerUnusableError with a message
 * fit for an operator; the main thread wraps them into its own HandlerError.
 */
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { HandlerSpec } from '../protocol.js';
import { createCommandHandler, parseCommandSpec } from './command.js';
import { HandlerUnusableError } from './errors.js';
import { createSimulateHandler } from './simulate.js';
import type { LoadedHandler, PostHandler, VerifyHandler } from './types.js';

const MODULE_EXTENSIONS = ['.js', '.mjs'];
const USAGE = "use 'simulate', 'simulate:<seed>', 'command:<program> [args…]' or the path of a .js or .mjs handler module";

export async function loadHandler(spec: HandlerSpec): Promise<LoadedHandler> {
  switch (spec.kind) {
    case 'simulate':
      return { post: createSimulateHandler(spec.seed, spec.options), describe: `simulate (seed ${spec.seed})` };
    case 'command': {
      const post = createCommandHandler(spec.argv);
      await checkProgram(spec.argv[0] as string);
      return { post, describe: `command ${spec.argv.map(quoteForDisplay).join(' ')}` };
    }
    case 'module':
      return loadModule(spec.path);
    default:
      throw new HandlerUnusableError(`unknown handler kind ${JSON.stringify((spec as { kind?: unknown }).kind)}`);
  }
}

async function loadModule(file: string): Promise<LoadedHandler> {
  const absolute = path.resolve(file);
  const isFile = await stat(absolute).then((s) => s.isFile(), () => false);
  if (!isFile) throw new HandlerUnusableError(`handler module ${absolute} does not exist or is not a file`);
  let exports: Record<string, unknown>;
  try {
    exports = (await import(pathToFileURL(absolute).href)) as Record<string, unknown>;
  } catch (err) {
    throw new HandlerUnusableError(`handler module ${absolute} failed to load: ${causeText(err)}`, { cause: err });
  }
  const post = exports['default'];
  if (typeof post !== 'function') {
    const found = post === undefined ? 'no default export' : `a default export of type ${typeof post}`;
    throw new HandlerUnusableError(
      `handler module ${absolute} must have a default export that is the post function (found ${found})`,
    );
  }
  const verify = exports['verify'];
  if (verify !== undefined && typeof verify !== 'function') {
    throw new HandlerUnusableError(`handler module ${absolute}: the verify export must be a function (found ${typeof verify})`);
  }
  const loaded: LoadedHandler = { post: post as PostHandler, describe: `module ${absolute}` };
  if (verify !== undefined) loaded.verify = verify as VerifyHandler;
  return loaded;
}

/** Fails at load, not on every job, when the program cannot be run at all. */
async function checkProgram(program: string): Promise<void> {
  const candidates = program.includes('/')
    ? [path.resolve(program)]
    : (process.env['PATH'] ?? '').split(path.delimiter).filter(Boolean).map((dir) => path.join(dir, program));
  for (const candidate of candidates) {
    const isFile = await stat(candidate).then((s) => s.isFile(), () => false);
    if (isFile && (await access(candidate, constants.X_OK).then(() => true, () => false))) return;
  }
  const where = program.includes('/') ? 'is not an executable file' : 'was not found as an executable on PATH';
  throw new HandlerUnusableError(`command handler: program ${program} ${where}`);
}

/** Only the cause's own message: a stack would bury the one line the operator needs. */
function causeText(err: unknown): string {
  if (err instanceof Error) return `${err.name === 'Error' ? '' : `${err.name}: `}${err.message}`;
  try {
    return String(err);
  } catch {
    return 'an unprintable value was thrown';
  }
}

function quoteForDisplay(arg: string): string {
  return /^[\w@%+=:,./{}-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** Reads the CLI's --handler value. Module paths are resolved against `cwd`. */
export function parseHandlerOption(text: string, cwd: string): HandlerSpec {
  const value = text.trim();
  if (value === '') throw new HandlerUnusableError(`--handler is empty: ${USAGE}`);
  if (value === 'simulate') return { kind: 'simulate', seed: 0 };
  if (value.startsWith('simulate:')) {
    const seedText = value.slice('simulate:'.length);
    const seed = Number(seedText);
    if (seedText.trim() === '' || !Number.isSafeInteger(seed)) {
      throw new HandlerUnusableError(`--handler ${value}: the seed must be an integer, e.g. simulate:42`);
    }
    return { kind: 'simulate', seed };
  }
  if (value.startsWith('command:')) return { kind: 'command', argv: parseCommandSpec(value) };
  if (!MODULE_EXTENSIONS.includes(path.extname(value))) {
    throw new HandlerUnusableError(`--handler ${value} is not a handler: ${USAGE}`);
  }
  return { kind: 'module', path: path.resolve(cwd, value) };
}
