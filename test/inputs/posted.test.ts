import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { appendPosted, readPostedLedger } from '../../src/inputs/index.js';
import { fixture, tempDir, writeTree } from '../helpers/files.js';
import { inputError } from './helpers.js';

function postedFile(content: string): string {
  return join(writeTree(tempDir(), { 'posted.txt': content }), 'posted.txt');
}

const at = Date.UTC(2025, 11, 14, 9, 30);

describe('readPostedLedger', () => {
  it('a missing file is an empty index (the first day)', async () => {
    const index = await readPostedLedger(join(tempDir(), 'posted.txt'));
    expect(index.has('a', 'clip.mp4')).toBe(false);
    expect(index.size).toBe(0);
  });

  it('matches a video with or without its extension, per account', async () => {
    const index = await readPostedLedger(postedFile('acct1|clip.mp4|2025-12-13T10:00:00Z\nacct2|other|2025-12-13 11:00:00\n'));
    expect(index.has('acct1', 'clip.mp4')).toBe(true);
    expect(index.has('acct1', 'clip')).toBe(true);
    expect(index.has('acct1', 'clip.MP4')).toBe(true);
    expect(index.has('acct2', 'other.mp4')).toBe(true);
    expect(index.has('acct2', 'clip.mp4')).toBe(false);
    expect(index.has('acct3', 'clip')).toBe(false);
  });

  it('does not strip a dot that is part of the name', async () => {
    const index = await readPostedLedger(postedFile('a|clip.v2.mp4|t\n'));
    expect(index.has('a', 'clip.v2')).toBe(true);
    expect(index.has('a', 'clip')).toBe(false);
  });

  it('accepts blank lines, CRLF, a BOM, spaces around fields and a last line without a newline', async () => {
    const path = postedFile('\ufeffa|x.mp4|t1\r\n\r\n  b | y.mp4 | t2 \r\nc|z.mp4|t3');
    const before = readFileSync(path);
    const index = await readPostedLedger(path);
    expect(['a|x', 'b|y', 'c|z'].every((pair) => index.has(pair.split('|')[0]!, pair.split('|')[1]!))).toBe(true);
    expect(readFileSync(path)).toEqual(before);
  });

  it('reads the seed system\'s ledger: # comments, blank lines, `rebuilt` for a time, CRLF', async () => {
    const path = fixture('seed-system/posted/all_posted_videos.txt');
    const before = readFileSync(path);
    const index = await readPostedLedger(path);
    expect(index.size).toBe(3);
    expect(index.has('podclipcrafters', 'DM6m1Econ4x-2.mp4')).toBe(true);
    expect(index.has('quickcutspod', 'DMbMMftoiDC-1')).toBe(true);
    expect(index.has('glowingscarlets', '-1UnGQwl3B1P-1.mp4')).toBe(true);
    expect(index.has('#', 'rebuilt')).toBe(false);
    expect(readFileSync(path)).toEqual(before);
  });

  it('reads only the first two fields, as the seed system does: a time is optional, more fields are ignored', async () => {
    const index = await readPostedLedger(postedFile('  # indented comment\na|x.mp4\nb|y.mp4|rebuilt|extra\nc|z.mp4|\n'));
    expect(index.size).toBe(3);
    expect(index.has('a', 'x') && index.has('b', 'y') && index.has('c', 'z')).toBe(true);
  });

  it('a NUL byte (a file zero-filled by a crash) is damage: refused with its line', async () => {
    const path = postedFile('a|x.mp4|t\n\0\0\0\0\n');
    const error = await inputError(() => readPostedLedger(path), 'POSTED_INVALID', path);
    expect(error.position).toEqual({ file: path, line: 2, column: 1 });
    expect(error.message).toContain('holds 4 NUL bytes at offset 10: the file is damaged (zero-filled by a crash?), not text');
  });

  it.each([
    ['a single field', 'a|x.mp4|t\nb\n', 2],
    ['an account without a video', 'a|x.mp4|t\nb|\n', 2],
    ['no separators', '\n\nsomething else\n', 3],
    ['an empty account', '|x.mp4|t\n', 1],
    ['an empty video', 'a||t\n', 1],
  ])('a malformed line (%s) names the file and line and changes nothing', async (_what, content, line) => {
    const path = postedFile(content);
    const error = await inputError(() => readPostedLedger(path), 'POSTED_INVALID', path);
    expect(error.position).toEqual({ file: path, line });
    expect(error.message).toMatch(new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:${line}: expected account\\|video_filename\\|timestamp, found "`));
  });

  it('a folder instead of a file is an error, not an empty index', async () => {
    await inputError(() => readPostedLedger(tempDir()), 'INPUT_UNREADABLE');
  });
});

describe('appendPosted', () => {
  it('creates the file and appends account|video|ISO time lines', async () => {
    const path = join(tempDir(), 'posted.txt');
    await appendPosted(path, [{ account: 'a', videoKey: 'x.mp4', at }]);
    await appendPosted(path, [{ account: 'b', videoKey: 'y.mp4', at: at + 1000 }, { account: 'c', videoKey: 'z', at }]);
    expect(readFileSync(path, 'utf8')).toBe('a|x.mp4|2025-12-14T09:30:00.000Z\nb|y.mp4|2025-12-14T09:30:01.000Z\nc|z|2025-12-14T09:30:00.000Z\n');
    const index = await readPostedLedger(path);
    expect(index.has('b', 'y')).toBe(true);
    expect(index.has('c', 'z.mp4')).toBe(true);
  });

  it('never rewrites: the old bytes stay as a prefix, and a hand edit without a final newline is not glued to', async () => {
    const old = '\ufeffold|clip.mp4|yesterday\r\nhand|edit.mp4|t';
    const path = postedFile(old);
    await appendPosted(path, [{ account: 'a', videoKey: 'x.mp4', at }]);
    const bytes = readFileSync(path);
    expect(bytes.subarray(0, Buffer.byteLength(old)).toString('utf8')).toBe(old);
    expect(bytes.subarray(Buffer.byteLength(old)).toString('utf8')).toBe('\na|x.mp4|2025-12-14T09:30:00.000Z\n');
    expect((await readPostedLedger(path)).has('hand', 'edit')).toBe(true);
  });

  it('does nothing for no entries (not even create the file)', async () => {
    const path = join(tempDir(), 'posted.txt');
    await appendPosted(path, []);
    expect(existsSync(path)).toBe(false);
  });

  it('refuses an entry that would corrupt the ledger, before writing anything', async () => {
    const path = postedFile('a|x|t\n');
    for (const entry of [
      { account: 'a|b', videoKey: 'v', at },
      { account: 'a', videoKey: 'v\nw', at },
      { account: ' ', videoKey: 'v', at },
    ]) {
      await inputError(() => appendPosted(path, [{ account: 'ok', videoKey: 'fine', at }, entry]), 'POSTED_ENTRY_INVALID', path);
    }
    expect(readFileSync(path, 'utf8')).toBe('a|x|t\n');
  });

  it('a write that cannot happen is a StorageError', async () => {
    const path = join(tempDir(), 'no-such-folder', 'posted.txt');
    await expect(appendPosted(path, [{ account: 'a', videoKey: 'v', at }])).rejects.toMatchObject({ code: 'STORAGE_FAILED' });
  });
});
