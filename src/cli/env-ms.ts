/** A duration the CLI reads from the environment (the only place the environment is read). */
import { DaycapError } from '../errors.js';

/** Whole milliseconds, at least 1; unset or empty: undefined. A bad value is an operator's mistake (exit 2). */
export function wholeMsFromEnv(env: NodeJS.ProcessEnv, name: string, code: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new DaycapError(code, `${name} must be a whole number of milliseconds, at least 1, not ${JSON.stringify(raw)}`, { exitCode: 2 });
  }
  return value;
}
