import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { InputError } from '../../src/errors.js';

export const fixture = (rel: string): string => fileURLToPath(new URL(`../../fixtures/${rel}`, import.meta.url));

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'daycap-inputs-'));
}

/** Writes files (strings are written as UTF-8, bytes as given) under `dir` and returns `dir`. */
export function writeTree(dir: string, files: Record<string, string | Uint8Array>): string {
  for (const [rel, content] of Object.entries(files)) {
    const path = join(dir, rel);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
  }
  return dir;
}

/** Every file under `path` (or `path` itself) with its bytes, to show a reader left its input alone. */
export function snapshot(path: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  const walk = (at: string) => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const full = join(at, entry.name);
      if (entry.isDirectory()) walk(full);
      else files.set(relative(path, full), readFileSync(full));
    }
  };
  try {
    walk(path);
  } catch {
    files.set('', readFileSync(path));
  }
  return files;
}

/** The InputError `run` rejects with, after checking its code and that the input is byte-identical afterwards. */
export async function inputError(run: () => Promise<unknown>, code: string, untouched?: string): Promise<InputError> {
  const before = untouched === undefined ? undefined : snapshot(untouched);
  const error = await run().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InputError);
  expect((error as InputError).code).toBe(code);
  if (untouched !== undefined) expect(snapshot(untouched)).toEqual(before);
  return error as InputError;
}
