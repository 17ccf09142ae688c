/**
 * Temporary folders, the repository's fixtures, and files read back as bytes: the file side of every
 * test. Tests work on real files; each gets its own folder from `tempDir`.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, type RunnerTask, type RunnerTestSuite } from 'vitest';

const made: string[] = [];

/**
 * A fresh temporary folder. The folders a test file made are removed when the file's tests have run,
 * not after each test (a folder made in beforeAll serves several tests, and concurrent tests share
 * this list); all are kept when a test failed, to look at what it left.
 */
export function tempDir(prefix = 'daycap-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

// The context is not used; vitest wants it destructured.
afterAll(({}, suite) => {
  if (anyFailed(suite)) return;
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
});

function anyFailed(task: RunnerTask | Readonly<RunnerTestSuite>): boolean {
  if (task.result?.state === 'fail') return true;
  return 'tasks' in task && task.tasks.some(anyFailed);
}

/** A path inside the repository. */
export const repoPath = (rel: string): string => fileURLToPath(new URL(`../../${rel}`, import.meta.url));

/**
 * Throws unless the compiled file `built` (in dist/; absolute, or from the repository's root) exists
 * and is newer than each of its `sources`: tests that run compiled code must not run an old build.
 */
export function requireBuilt(built: string, sources: readonly string[]): void {
  const path = isAbsolute(built) ? built : repoPath(built);
  const stale = !existsSync(path) || sources.some((file) => statSync(repoPath(file)).mtimeMs > statSync(path).mtimeMs);
  if (stale) throw new Error(`${path} is missing or older than its sources: run \`npm run build\` (npm test does it)`);
}

/** A file or folder under fixtures/. */
export const fixture = (rel: string): string => repoPath(`fixtures/${rel}`);

/** Copies fixtures/<rel> into `dir` (as `as`, else its own name) and returns the new path. */
export function copyFixture(rel: string, dir: string, as?: string): string {
  const target = join(dir, as ?? rel.split('/').pop()!);
  copyFileSync(fixture(rel), target);
  return target;
}

/** Writes files (strings as UTF-8, bytes as given) under `dir`, making folders as needed; returns `dir`. */
export function writeTree(dir: string, files: Record<string, string | Uint8Array>): string {
  for (const [rel, content] of Object.entries(files)) {
    const path = join(dir, rel);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
  }
  return dir;
}

/** A file's bytes. */
export function bytes(path: string): Promise<Buffer> {
  return readFile(path);
}

/** Every entry under `dir`, recursively, hidden ones too, sorted: for "nothing was added or removed" checks. */
export function listTree(dir: string): string[] {
  return readdirSync(dir, { recursive: true }).map(String).sort();
}

/** The entries of one folder, sorted. */
export function listDir(dir: string): string[] {
  return readdirSync(dir).sort();
}

/**
 * Every file under `path` (hidden ones too) with its bytes, by path relative to it, minus the names
 * `skip` accepts; a file `path` is itself the one entry, under its own name. For "nothing was touched".
 */
export function fileTree(path: string, skip: (rel: string) => boolean = () => false): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  if (!statSync(path).isDirectory()) return out.set(basename(path), readFileSync(path));
  for (const entry of readdirSync(path, { recursive: true })) {
    const rel = String(entry);
    const full = join(path, rel);
    if (skip(rel) || !statSync(full).isFile()) continue;
    out.set(rel, readFileSync(full));
  }
  return out;
}

/** Names of files that differ between two trees (added, removed or changed), sorted. */
export function treeDiff(before: Map<string, Buffer>, after: Map<string, Buffer>): string[] {
  const names = new Set([...before.keys(), ...after.keys()]);
  return [...names].filter((name) => {
    const a = before.get(name);
    const b = after.get(name);
    return a === undefined || b === undefined || !a.equals(b);
  }).sort();
}
