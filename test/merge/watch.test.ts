import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { open, readFile, rename, rm, unlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { newJob, type Job } from '../../src/core/job.js';
import { writeFileAtomic } from '../../src/ledger/atomic.js';
import { serializeLedger } from '../../src/ledger/codec.js';
import { readEdit, sha256, watchLedger, type CheckOutcome, type LedgerWatcher, type WatchLedgerOptions } from '../../src/ledger/watch.js';
import { tempDir } from '../helpers/files.js';

const WAIT_MS = 30_000;

function jobs(n: number, caption = 'caption'): Job[] {
  return Array.from({ length: n }, (_, i) => newJob({ job_id: `job-${i}`, account: `acct${i % 7}`, video_path: `/v/${i}.mp4`, caption: `${caption} ${i}, "quoted"\nline two` }));
}

/** Stands in for LedgerStore: remembers the hash of everything it writes, before the write. */
class FakeStore {
  readonly written = new Set<string>();
  writing = false;
  constructor(readonly path: string) {}
  async write(text: string): Promise<void> {
    const bytes = Buffer.from(text);
    this.written.add(sha256(bytes));
    this.writing = true;
    try {
      await writeFileAtomic(this.path, bytes);
    } finally {
      this.writing = false;
    }
  }
  isOwnWrite = (hash: string): boolean => this.written.has(hash);
}

interface Harness {
  dir: string;
  path: string;
  store: FakeStore;
  edits: { bytes: Buffer; hash: string }[];
  checks: { outcome: CheckOutcome; hash?: string }[];
  watcher: LedgerWatcher;
  /** Resolves once `predicate` holds, re-tested after every look at the file. */
  until(predicate: () => boolean, what: string): Promise<void>;
}

const open_: LedgerWatcher[] = [];
afterEach(async () => {
  await Promise.all(open_.splice(0).map((w) => w.close()));
});

async function harness(options: Partial<WatchLedgerOptions> = {}): Promise<Harness> {
  const dir = tempDir('daycap-watch-');
  const path = join(dir, 'progress.csv');
  const store = new FakeStore(path);
  await store.write(serializeLedger(jobs(5)));
  const edits: Harness['edits'] = [];
  const checks: Harness['checks'] = [];
  const waiters = new Set<() => void>();
  const watcher = watchLedger(path, {
    isOwnWrite: store.isOwnWrite,
    writing: () => store.writing,
    onEdit: (bytes, hash) => { edits.push({ bytes, hash }); },
    onCheck: (outcome, hash) => {
      checks.push(hash === undefined ? { outcome } : { outcome, hash });
      for (const w of [...waiters]) w();
    },
    onError: (err) => { throw err; },
    settleMs: 50,
    // No help from the slow timer unless a test asks for it: events alone must do.
    pollMs: 3_600_000,
    ...options,
  });
  open_.push(watcher);
  await watcher.ready;
  const until = (predicate: () => boolean, what: string) => new Promise<void>((resolve, reject) => {
    if (predicate()) return resolve();
    const timer = setTimeout(() => { waiters.delete(test); reject(new Error(`timed out waiting for ${what}; checks: ${JSON.stringify(checks.slice(-10))}`)); }, WAIT_MS);
    const test = () => {
      if (!predicate()) return;
      clearTimeout(timer);
      waiters.delete(test);
      resolve();
    };
    waiters.add(test);
  });
  return { dir, path, store, edits, checks, watcher, until };
}

/** Waits until the watcher has caught one edit, then makes sure nothing else comes of it. */
async function expectOneEdit(h: Harness, content: Buffer): Promise<void> {
  await h.until(() => h.edits.length > 0, 'the edit');
  await h.watcher.check(); // one more look at the settled file
  await h.watcher.close(); // nothing after this
  expect(h.edits.map((e) => e.hash)).toEqual([sha256(content)]);
  expect(h.edits[0]!.bytes.equals(content)).toBe(true);
}

function edited(): Job[] {
  const rows = jobs(5);
  rows[1]!.caption = 'fixed by the operator';
  rows[2]!.status = 'skipped';
  return rows;
}

describe('an edit of the ledger made outside daycap', () => {
  it('is seen once when saved by renaming a new file over it (mv of an edited copy)', async () => {
    const h = await harness();
    const content = Buffer.from(serializeLedger(edited()));
    const copy = join(h.dir, 'progress.edited.csv');
    await writeFile(copy, content);
    await rename(copy, h.path);
    await expectOneEdit(h, content);
  });

  it("is seen once when saved the way vim does (test file, old file moved to a backup, new file written)", async () => {
    const h = await harness();
    const content = Buffer.from(serializeLedger(edited()));
    await writeFile(join(h.dir, '4913'), '');
    await unlink(join(h.dir, '4913'));
    await rename(h.path, `${h.path}~`);
    const handle = await open(h.path, 'wx');
    await handle.write(content);
    await handle.sync();
    await handle.close();
    await unlink(`${h.path}~`);
    await expectOneEdit(h, content);
  });

  it.skipIf(!existsSync('/usr/bin/vim'))('is seen once when saved by a real vim', async () => {
    const h = await harness();
    const result = spawnSync('vim', ['-Nu', 'NONE', '-i', 'NONE', '-n', '-es', '-c', '%s/caption 1,/fixed 1,/', '-c', 'wq', h.path], { timeout: 20_000 });
    expect(result.status).toBe(0);
    const content = await readFile(h.path);
    expect(content.toString()).toContain('fixed 1,');
    await expectOneEdit(h, content);
  });

  it('is seen once when written in place by truncate and write (cat >)', async () => {
    const h = await harness();
    const content = Buffer.from(serializeLedger(edited()));
    const handle = await open(h.path, 'w'); // O_TRUNC
    const half = Math.floor(content.length / 2);
    await handle.write(content.subarray(0, half));
    await handle.write(content.subarray(half));
    await handle.close();
    await expectOneEdit(h, content);
  });

  it('is seen once when a spreadsheet saves it with a BOM and CRLF, and parses to the one change', async () => {
    const h = await harness();
    const content = Buffer.from('\uFEFF' + serializeLedger(edited()).replace(/\n/g, '\r\n'));
    await writeFile(h.path, content);
    await expectOneEdit(h, content);
    const parsed = readEdit(h.edits[0]!.bytes, h.path);
    expect(parsed.jobs[2]!.status).toBe('skipped');
    expect(parsed.lines.slice(0, 4)).toEqual([2, 4, 5, 7]);
  });

  it('is not seen again on a notification without a change of content (touch)', async () => {
    const h = await harness();
    const content = Buffer.from(serializeLedger(edited()));
    await writeFile(h.path, content);
    await h.until(() => h.edits.length === 1, 'the edit');
    const seenBefore = h.checks.filter((c) => c.outcome === 'seen').length;
    const later = new Date(Date.now() + 60_000);
    await utimes(h.path, later, later);
    await h.until(() => h.checks.filter((c) => c.outcome === 'seen').length > seenBefore, 'a look after the touch');
    expect(h.edits).toHaveLength(1);
  });

  it('is caught by the slow timer when no event comes', async () => {
    // A settle so long that the event-driven look never happens in this test: only the poll can look.
    const h = await harness();
    await h.watcher.close();
    const edits: string[] = [];
    const polled = new Promise<void>((resolve) => {
      const w = watchLedger(h.path, { isOwnWrite: h.store.isOwnWrite, onEdit: (_b, hash) => { edits.push(hash); resolve(); }, settleMs: 10_000_000, pollMs: 20 });
      open_.push(w);
    });
    const content = Buffer.from(serializeLedger(edited()));
    await writeFile(h.path, content);
    await polled;
    expect(edits).toEqual([sha256(content)]);
  });

  it('retries a vanished file silently, and reports the content that comes back', async () => {
    const h = await harness();
    await rm(h.path);
    await h.until(() => h.checks.some((c) => c.outcome === 'missing'), 'a look at the missing file');
    expect(h.edits).toEqual([]);
    const content = Buffer.from(serializeLedger(edited()));
    await writeFile(h.path, content);
    await expectOneEdit(h, content);
  });
});

describe("daycap's own writes", () => {
  it('1,000 atomic writes cause no edit, and an edit right after the last one is caught', async () => {
    const h = await harness();
    const rows = jobs(20);
    for (let i = 0; i < 1000; i++) {
      rows[i % rows.length]!.attempts = i;
      await h.store.write(serializeLedger(rows));
    }
    const content = Buffer.from(serializeLedger(edited()));
    await writeFile(h.path, content);
    await h.until(() => h.edits.length > 0, 'the outside edit');
    await h.watcher.check();
    expect(h.edits.map((e) => e.hash)).toEqual([sha256(content)]);
    expect(h.checks.filter((c) => c.outcome === 'own').length).toBeGreaterThan(0);
  });

  it('a foreign hash seen while daycap is writing is looked at again, not reported', async () => {
    const h = await harness();
    // The store's new hash is not known yet while its write is under way.
    const bytes = Buffer.from(serializeLedger(jobs(3)));
    h.store.writing = true;
    await writeFileAtomic(h.path, bytes);
    await h.until(() => h.checks.some((c) => c.outcome === 'writing'), 'a look during the write');
    h.store.written.add(sha256(bytes));
    h.store.writing = false;
    await h.until(() => h.checks.some((c) => c.outcome === 'own'), 'a look after the write');
    expect(h.edits).toEqual([]);
  });

  it("an outside save read while daycap was writing is still reported after daycap's write replaced it", async () => {
    const h = await harness();
    const outside = Buffer.from(serializeLedger(edited()));
    h.store.writing = true; // a snapshot is under way; its hash is not registered yet
    await writeFile(h.path, outside);
    await h.until(() => h.checks.some((c) => c.outcome === 'writing' && c.hash === sha256(outside)), 'a look at the outside save');
    const ours = Buffer.from(serializeLedger(jobs(4)));
    h.store.written.add(sha256(ours));
    await writeFileAtomic(h.path, ours);
    h.store.writing = false;
    await h.until(() => h.edits.length > 0, 'the outside save reported');
    await h.watcher.check();
    expect(h.edits.map((e) => e.hash)).toEqual([sha256(outside)]);
    expect(h.edits[0]!.bytes.equals(outside)).toBe(true);
  });

  it('the content daycap loaded (knownHash) is not reported at start; anything else is', async () => {
    const dir = tempDir('daycap-watch-');
    const path = join(dir, 'progress.csv');
    const loaded = Buffer.from(serializeLedger(jobs(2)));
    await writeFile(path, loaded);
    const quiet: string[] = [];
    const a = watchLedger(path, { isOwnWrite: () => false, onEdit: (_b, h) => quiet.push(h), knownHash: sha256(loaded), pollMs: 3_600_000 });
    open_.push(a);
    await a.ready;
    await a.check();
    expect(quiet).toEqual([]);
    const loud: string[] = [];
    const b = watchLedger(path, { isOwnWrite: () => false, onEdit: (_b, h) => loud.push(h), pollMs: 3_600_000 });
    open_.push(b);
    await b.ready;
    expect(loud).toEqual([sha256(loaded)]);
  });
});
