import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { HANDLER_UNUSABLE, HandlerUnusableError } from '../../src/handlers/errors.js';
import { loadHandler, parseHandlerOption } from '../../src/handlers/load.js';
import { fixture, tempDir } from '../helpers/files.js';
import { job, postContext, verifyContext } from '../helpers/jobs.js';
import { readRecord, recordIn } from '../helpers/recording.js';
import { writeFileSync } from 'node:fs';

const handler = (name: string) => fixture(`handlers/${name}`);
const moduleSpec = (name: string) => ({ kind: 'module' as const, path: handler(name) });

async function loadError(name: string): Promise<HandlerUnusableError> {
  const error = await loadHandler(moduleSpec(name)).catch((err: unknown) => err);
  expect(error).toBeInstanceOf(HandlerUnusableError);
  expect((error as HandlerUnusableError).code).toBe(HANDLER_UNUSABLE);
  expect((error as Error).message).toContain(handler(name));
  expect((error as Error).message).not.toMatch(/\n\s+at /);
  return error as HandlerUnusableError;
}

describe('loadHandler', () => {
  it('loads a module and runs its post', async () => {
    const loaded = await loadHandler(moduleSpec('ok.mjs'));
    expect(loaded.describe).toBe(`module ${handler('ok.mjs')}`);
    expect(loaded.verify).toBeUndefined();
    await expect(loaded.post(job('j1'), postContext())).resolves.toEqual({ postId: 'p-j1' });
  });

  it('loads the optional verify export', async () => {
    const answers = path.join(tempDir(), 'answers.json');
    writeFileSync(answers, JSON.stringify({ j1: 'posted', j2: 'not-posted' }));
    const loaded = await loadHandler(moduleSpec('verify.mjs'));
    vi.stubEnv('DAYCAP_TEST_VERIFY_FILE', answers);
    expect(await loaded.verify?.(job('j1'), verifyContext())).toBe('posted');
    expect(await loaded.verify?.(job('j2'), verifyContext())).toBe('not-posted');
    expect(await loaded.verify?.(job('j3'), verifyContext())).toBe('unknown');
  });

  it('names the file and the cause for a syntax error', async () => {
    // Under vitest, import() goes through vite, which words syntax errors its own way; the worker test sees Node's.
    expect((await loadError('syntax-error.mjs')).message).toMatch(/failed to load: .*(SyntaxError|invalid JS syntax)/);
  });

  it('names the file and the cause for a module that throws on import', async () => {
    expect((await loadError('throws-on-import.mjs')).message).toContain('failed to load: cannot read poster config: /etc/poster.json missing');
  });

  it('asks for a default export', async () => {
    expect((await loadError('no-default.mjs')).message).toContain('must have a default export that is the post function (found no default export)');
  });

  it('says when the file does not exist', async () => {
    expect((await loadError('missing.mjs')).message).toContain('does not exist');
  });

  it('names a missing import of the module', async () => {
    const file = path.join(tempDir(), 'imports-missing.mjs');
    writeFileSync(file, "import './nowhere.mjs';\nexport default async () => 'x';\n");
    await expect(loadHandler({ kind: 'module', path: file })).rejects.toThrow(/failed to load: .*nowhere\.mjs/);
  });

  it('refuses a verify export that is not a function', async () => {
    const file = path.join(tempDir(), 'bad-verify.mjs');
    writeFileSync(file, "export default async () => 'x';\nexport const verify = 'yes';\n");
    await expect(loadHandler({ kind: 'module', path: file })).rejects.toThrow(/verify export must be a function \(found string\)/);
  });

  it.each(['hangs.mjs', 'returns-garbage.mjs', 'throws-string.mjs', 'throws-object.mjs', 'exits.mjs', 'recording.mjs'])(
    'loads %s, which fails only when run',
    async (name) => {
      expect(typeof (await loadHandler(moduleSpec(name))).post).toBe('function');
    },
  );

  it('runs the recording fixture: one fsync\'d line per call, failing on the pattern', async () => {
    const record = recordIn(tempDir());
    vi.stubEnv('DAYCAP_FAIL_PATTERN', '^bad');
    vi.stubEnv('DAYCAP_FAIL_ATTEMPTS', '1');
    const { post } = await loadHandler(moduleSpec('recording.mjs'));
    await expect(post(job('good', { account: 'a' }), postContext())).resolves.toEqual({ postId: 'rec-good' });
    await expect(post(job('bad-1', { account: 'b' }), postContext())).rejects.toThrow('adb timeout');
    await expect(post(job('bad-1', { account: 'b' }), postContext({ attempt: 2 }))).resolves.toEqual({ postId: 'rec-bad-1' });
    const calls = readRecord(record);
    expect(calls.map(({ job_id, account, ok, attempt }) => ({ job_id, account, ok, attempt }))).toEqual([
      { job_id: 'good', account: 'a', ok: true, attempt: 1 },
      { job_id: 'bad-1', account: 'b', ok: false, attempt: 1 },
      { job_id: 'bad-1', account: 'b', ok: true, attempt: 2 },
    ]);
    for (const call of calls) expect(call.end).toBeGreaterThanOrEqual(call.start);
  });

  it('builds the simulate handler', async () => {
    const loaded = await loadHandler({ kind: 'simulate', seed: 5 });
    expect(loaded.describe).toBe('simulate (seed 5)');
    await expect(loaded.post(job('j'), postContext())).resolves.toMatchObject({ postId: expect.stringMatching(/^sim-/) });
  });

  it('builds the command handler and checks the program at load', async () => {
    const loaded = await loadHandler({ kind: 'command', argv: [process.execPath, '-e', 'console.log(process.env.DAYCAP_JOB_ID)'] });
    await expect(loaded.post(job('j7'), postContext())).resolves.toBe('j7');
    await expect(loadHandler({ kind: 'command', argv: ['node', '-e', ''] })).resolves.toBeDefined();
    await expect(loadHandler({ kind: 'command', argv: ['daycap-no-such-program-xyz'] })).rejects.toThrow(
      'program daycap-no-such-program-xyz was not found as an executable on PATH',
    );
    await expect(loadHandler({ kind: 'command', argv: [handler('ok.mjs')] })).rejects.toThrow('is not an executable file');
  });
});

describe('parseHandlerOption', () => {
  it('reads simulate with and without a seed', () => {
    expect(parseHandlerOption('simulate', '/x')).toEqual({ kind: 'simulate', seed: 0 });
    expect(parseHandlerOption('simulate:42', '/x')).toEqual({ kind: 'simulate', seed: 42 });
    expect(() => parseHandlerOption('simulate:abc', '/x')).toThrow(/seed must be an integer/);
    expect(() => parseHandlerOption('simulate:', '/x')).toThrow(/seed must be an integer/);
  });
  it('reads command: into argv', () => {
    expect(parseHandlerOption('command:./post.sh {account} "{caption}"', '/x')).toEqual({
      kind: 'command',
      argv: ['./post.sh', '{account}', '{caption}'],
    });
  });
  it('resolves a module path against cwd', () => {
    expect(parseHandlerOption('handlers/post.mjs', '/work/day')).toEqual({ kind: 'module', path: '/work/day/handlers/post.mjs' });
    expect(parseHandlerOption('/abs/post.js', '/work/day')).toEqual({ kind: 'module', path: '/abs/post.js' });
  });
  it('refuses anything else with a clear message', () => {
    for (const text of ['', 'post.ts', 'post.cjs', 'simulated', 'post']) {
      expect(() => parseHandlerOption(text, '/x')).toThrow(expect.objectContaining({ code: HANDLER_UNUSABLE }));
    }
    expect(() => parseHandlerOption('post.ts', '/x')).toThrow(/\.js or \.mjs handler module/);
  });
});
