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
import { createCommandHandler, createCommandVerify, parseCommandSpec } from './command.js';
import { HandlerUnusableError } from './errors.js';
import { createSimulateHandler, createSimulateVerify, describeSimulate } from './simulate.js';
import { parseSimulateSpec, SIMULATE_SYNTAX } from './simulate-spec.js';
import type { LoadedHandler, PostHandler, VerifyHandler, VerifySpec } from './types.js';

const MODULE_EXTENSIONS = ['.js', '.mjs'];
const USAGE = `use 'simulate', 'simulate:<seed>', '${SIMULATE_SYNTAX}', 'command:<program> [args…]' or the path of a .js or .mjs handler module`;

export async function loadHandler(spec: HandlerSpec): Promise<LoadedHandler> {
  switch (spec.kind) {
    case 'simulate': {
      const loaded: LoadedHandler = { post: createSimulateHandler(spec.seed, spec.options), describe: describeSimulate(spec.seed, spec.options) };
      const verify = createSimulateVerify(spec.seed, spec.options);
      if (verify) loaded.verify = verify;
      return loaded;
    }
    case 'command': {
      const post = createCommandHandler(spec.argv);
      await checkProgram(spec.argv[0] as string, 'command handler');
      return { post, describe: `command ${spec.argv.map(quoteForDisplay).join(' ')}` };
    }
    case 'module':
      return loadModule(spec.path);
    default:
      throw new HandlerUnusableError(`unknown handler kind ${JSON.stringify((spec as { kind?: unknown }).kind)}`);
  }
}

/**
 * The poster with the verify the run uses: the handler's own, or `verify` (a program) for a handler
 * that has none. Both at once is refused: which one decides whether a job is posted again must not
 * be a guess.
 */
export async function withVerify(loaded: LoadedHandler, spec: HandlerSpec, verify: VerifySpec): Promise<LoadedHandler> {
  if (loaded.verify) {
    const simulate = spec.kind === 'simulate';
    const own = simulate ? 'the simulator answers verify itself when it simulates crashes (crash=…)' : `the handler ${loaded.describe} exports its own verify`;
    const fix = simulate ? 'leave out crash=…' : "remove the module's verify export";
    throw new HandlerUnusableError(`a verify program is set (--verify, or verify in the configuration) but ${own}: keep one of them (leave out --verify and the configuration's verify, or ${fix})`);
  }
  const check = createCommandVerify(verify.argv);
  await checkProgram(verify.argv[0] as string, 'command verify');
  return { ...loaded, verify: check, describe: `${loaded.describe}; verify: command ${verify.argv.map(quoteForDisplay).join(' ')}` };
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
export async function checkProgram(program: string, what: string): Promise<void> {
  const candidates = program.includes('/')
    ? [path.resolve(program)]
    : (process.env['PATH'] ?? '').split(path.delimiter).filter(Boolean).map((dir) => path.join(dir, program));
  for (const candidate of candidates) {
    const isFile = await stat(candidate).then((s) => s.isFile(), () => false);
    if (isFile && (await access(candidate, constants.X_OK).then(() => true, () => false))) return;
  }
  const where = program.includes('/') ? 'is not an executable file' : 'was not found as an executable on PATH';
  throw new HandlerUnusableError(`${what}: program ${program} ${where}`);
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
  if (value === 'simulate' || value.startsWith('simulate:')) return parseSimulateSpec(value);
  if (value.startsWith('command:')) return { kind: 'command', argv: parseCommandSpec(value) };
  if (!MODULE_EXTENSIONS.includes(path.extname(value))) {
    throw new HandlerUnusableError(`--handler ${value} is not a handler: ${USAGE}`);
  }
  return { kind: 'module', path: path.resolve(cwd, value) };
}
