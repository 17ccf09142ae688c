import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readSchedulerState } from '../../src/inputs/index.js';
import { fixture, tempDir, writeTree } from '../helpers/files.js';
import { inputError } from './helpers.js';

const job = (id: string, fields: Record<string, unknown> = {}) => ({ id, video_path: `chunk/${id}.mp4`, caption: `caption ${id}`, account: '', status: 'pending', ...fields });

function stateFile(content: unknown): string {
  const dir = tempDir();
  writeTree(dir, { 'state.json': typeof content === 'string' ? content : JSON.stringify(content, null, 2) });
  return join(dir, 'state.json');
}

/** A copy of a fixture in a temp folder, so a test can show the reader left it byte-identical. */
function copyOf(rel: string): string {
  const path = join(tempDir(), 'state.json');
  copyFileSync(fixture(rel), path);
  return path;
}

describe('readSchedulerState', () => {
  it("keeps the accounts' cooldown_until as cooldowns; an empty or unreadable one is none", async () => {
    const state = await readSchedulerState(stateFile({
      jobs: [job('j1')],
      accounts: [
        { name: 'cooling', cooldown_until: '2026-11-29T12:00:00Z' },
        { name: 'fine', cooldown_until: '' },
        { name: 'odd', cooldown_until: 'tomorrow-ish' },
        { name: 'plain' },
      ],
    }));
    expect([...state.cooldowns]).toEqual([['cooling', Date.parse('2026-11-29T12:00:00Z')]]);
  });

  it('reads the day fixture: pending and retrying jobs become candidates, with captions kept exactly', async () => {
    const path = copyOf('states/day.json');
    const raw = JSON.parse(readFileSync(path, 'utf8')) as { jobs: { id: string; status: string; caption: string }[] };
    const state = await readSchedulerState(path);

    const seedable = raw.jobs.filter((j) => j.status === 'pending' || j.status === 'retrying');
    expect(state.candidates.map((c) => c.job_id)).toEqual(seedable.map((j) => j.id));
    expect(state.candidates.map((c) => c.caption)).toEqual(seedable.map((j) => j.caption));
    expect(state.candidates[0]).toEqual({
      job_id: 'DMNmeE-oIXY-1',
      video_path: 'chunk_01c/sunrise/DMNmeE-oIXY-1.mp4',
      caption: 'Morning light over the bay 🌅\nWho else is up this early?\n#sunrise #bay #goodmorning',
      videoKey: 'DMNmeE-oIXY-1.mp4',
      max_attempts: 3,
    });
    expect(state.candidates.find((c) => c.job_id === 'Kp2bears-0091')?.account).toBe('dailybearclips');
    expect(state.candidates.some((c) => c.job_id === 'Lh9hack-3')).toBe(true);
    expect(state.accounts).toEqual(['quickcutspod', 'dailybearclips', 'citywalks.daily', 'cozy_corner_42', 'snackreel_jp']);
    expect(state.settings).toEqual({ postsPerAccountPerDay: 1, delayBetweenPosts: 10, numWorkers: 3 });
  });

  it('allows unknown keys, nulls for optional fields, and a missing accounts list or settings', async () => {
    const path = stateFile({
      version: 7,
      jobs: [job('a', { account: null, caption: null, max_attempts: null, extra: { deep: true } })],
    });
    const state = await readSchedulerState(path);
    expect(state).toEqual({ candidates: [{ job_id: 'a', video_path: 'chunk/a.mp4', caption: '', videoKey: 'a.mp4' }], accounts: [], settings: {}, cooldowns: new Map() });
  });

  it('keeps a repeated account name once and accepts a BOM', async () => {
    const path = stateFile(`\ufeff${JSON.stringify({ jobs: [], accounts: [{ name: 'x' }, { name: 'y' }, { name: 'x' }] })}`);
    expect((await readSchedulerState(path)).accounts).toEqual(['x', 'y']);
  });

  describe('errors (STATE_INVALID unless said otherwise; the file is left byte-identical)', () => {
    it('a JSON syntax error names the file, the line and the column', async () => {
      const path = copyOf('bad/states/not-json.json');
      const error = await inputError(() => readSchedulerState(path), 'STATE_INVALID', path);
      expect(error.position).toEqual({ file: path, line: 4, column: 3 });
      expect(error.message).toBe(`${path}:4:3: not valid JSON: unexpected "]"`);
      expect(error.hint).toMatch(/has not been changed/);
    });

    it.each([
      ['a missing comma', '{\n  "jobs": [\n    {"id": "a"}\n    {"id": "b"}\n  ]\n}', 4, 5],
      ['a bad literal deep in a long file', `{\n  "jobs": [],\n  "settings": {"num_workers": tru},\n  "accounts": [${'{"name": "x"}, '.repeat(5)}{"name": "y"}]\n}`, 3, 34],
      ['a bad token at the very start', 'jobs: []', 1, 1],
      ['a bad token near the start of a long file', `{"jobs": @${' '.repeat(40)}}`, 1, 10],
      ['a bad token near the end of a long file', `{"jobs": [], "accounts": [], "x": @}`, 1, 35],
      ['an emoji where a value should be', '{"jobs": [], "x": 🌅}', 1, 19],
      ['an emoji deep in a long file', `{\n  "jobs": [],\n  "caption": 🌅🌅,\n  "accounts": [${'{"name": "x"}, '.repeat(3)}{"name": "y"}]\n}`, 3, 14],
      ['a truncated file', '{\n  "jobs": [\n    {"id": "a"', 3, 15],
      ['text after the JSON', '{"jobs": []}\n}', 2, 1],
      ['a raw line break inside a string', '{"jobs": [{"id": "a\nb"}]}', 1, 20],
      ['an empty file', '', 1, 1],
    ])('%s', async (_what, text, line, column) => {
      const path = stateFile(text);
      const error = await inputError(() => readSchedulerState(path), 'STATE_INVALID', path);
      expect(error.position).toEqual({ file: path, line, column });
      expect(error.message.startsWith(`${path}:${line}:${column}: not valid JSON: `)).toBe(true);
    });

    it('a shape error names the JSON path and what was expected', async () => {
      const path = copyOf('bad/states/wrong-shape.json');
      const error = await inputError(() => readSchedulerState(path), 'STATE_INVALID', path);
      expect(error.message).toBe(
        `${path}: jobs[1].id: expected a non-empty string, got the number 42; settings.posts_per_account_per_day: expected a whole number of 1 or more, got a string "one"`,
      );
    });

    it('a job without an id', async () => {
      const path = copyOf('bad/states/missing-id.json');
      const error = await inputError(() => readSchedulerState(path), 'STATE_INVALID', path);
      expect(error.message).toBe(`${path}: jobs[3].id: expected a non-empty string, got nothing`);
    });

    it('duplicate job ids name both indexes', async () => {
      const path = copyOf('bad/states/duplicate-ids.json');
      const error = await inputError(() => readSchedulerState(path), 'STATE_INVALID', path);
      expect(error.message).toBe(`${path}: jobs[2].id: duplicate id "a-1", also at jobs[0]`);
    });

    it.each([
      ['a list at the top', [], '(top level): expected an object with a "jobs" list, got a list'],
      ['no jobs list', { accounts: [] }, 'jobs: expected a list of jobs, got nothing'],
      ['a job that is not an object', { jobs: [job('a'), 'b'] }, 'jobs[1]: expected a job object, got a string "b"'],
      ['an empty id', { jobs: [job('')] }, 'jobs[0].id: expected a non-empty string, got an empty string'],
      ['no video_path', { jobs: [{ id: 'a', status: 'pending' }] }, 'jobs[0].video_path: expected a non-empty string, got nothing'],
      ['a caption that is not text', { jobs: [job('a', { caption: 5 })] }, 'jobs[0].caption: expected a string, got the number 5'],
      ['max_attempts of 0', { jobs: [job('a', { max_attempts: 0 })] }, 'jobs[0].max_attempts: expected a whole number of 1 or more, got the number 0'],
      ['an account without a name', { jobs: [], accounts: [{ posts_today: 0 }] }, 'accounts[0].name: expected a non-empty string, got nothing'],
      ['an account name with a space', { jobs: [], accounts: [{ name: 'ok' }, { name: 'bad name' }] }, 'accounts[1].name: account name "bad name" contains a space'],
      ['negative delay', { jobs: [], settings: { delay_between_posts: -1 } }, 'settings.delay_between_posts: expected a number of seconds, 0 or more, got the number -1'],
      ['fractional workers', { jobs: [], settings: { num_workers: 1.5 } }, 'settings.num_workers: expected a whole number of 1 or more, got the number 1.5'],
    ])('%s', async (_what, content, problem) => {
      const path = stateFile(content);
      const error = await inputError(() => readSchedulerState(path), 'STATE_INVALID', path);
      expect(error.message).toBe(`${path}: ${problem}`);
    });

    it('lists the first five shape problems and counts the rest', async () => {
      const path = stateFile({ jobs: Array.from({ length: 8 }, () => ({ status: 'pending', video_path: 'v.mp4' })) });
      const error = await inputError(() => readSchedulerState(path), 'STATE_INVALID', path);
      expect(error.message).toMatch(/jobs\[4\]\.id: expected a non-empty string, got nothing; and 3 more$/);
    });

    it('a file that is not UTF-8', async () => {
      const dir = writeTree(tempDir(), { 'state.json': Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]) });
      const error = await inputError(() => readSchedulerState(join(dir, 'state.json')), 'STATE_INVALID', dir);
      expect(error.message).toMatch(/state\.json:1:3: is not UTF-8 text \(byte 0xff\)$/);
    });

    it('a missing file is INPUT_MISSING with a hint', async () => {
      const path = join(tempDir(), 'nope.json');
      const error = await inputError(() => readSchedulerState(path), 'INPUT_MISSING');
      expect(error.message).toBe(`${path}: scheduler state not found`);
      expect(error.hint).toMatch(/scheduler-state JSON/);
    });

    it('a folder instead of a file', async () => {
      const dir = tempDir();
      const error = await inputError(() => readSchedulerState(dir), 'INPUT_UNREADABLE');
      expect(error.message).toBe(`${dir}: is a folder, expected the scheduler state file`);
    });
  });
});
