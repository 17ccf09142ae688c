import { expect } from 'vitest';
import { InputError } from '../../src/errors.js';
import { fileTree } from '../helpers/files.js';

/** The InputError `run` rejects with, after checking its code and that the input is byte-identical afterwards. */
export async function inputError(run: () => Promise<unknown>, code: string, untouched?: string): Promise<InputError> {
  const before = untouched === undefined ? undefined : fileTree(untouched);
  const error = await run().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InputError);
  expect((error as InputError).code).toBe(code);
  if (untouched !== undefined) expect(fileTree(untouched)).toEqual(before);
  return error as InputError;
}
