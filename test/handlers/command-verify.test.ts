// `--verify 'command:…'`: a program's exit code as verify's answer, and which verify a run uses.
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createCommandVerify, SPAWNER_FILE } from '../../src/handlers/command.js';
import { HANDLER_UNUSABLE } from '../../src/handlers/errors.js';
import { loadHandler, withVerify } from '../../src/handlers/load.js';
import { isPidAlive } from '../../src/ledger/pid.js';
import type { HandlerSpec } from '../../src/protocol.js';
import { fixture, requireBuilt, tempDir } from '../helpers/files.js';
import { job, verifyContext } from '../helpers/jobs.js';
import { until } from '../helpers/time.js';

beforeAll(() => requireBuilt(SPAWNER_FILE, ['src/handlers/spawner.ts', 'src/handlers/spawner-protocol.ts']));

/** A shell script in a folder of its own; returns its path. */
function script(body: string): string {
  const file = path.join(tempDir(), 'verify.sh');
  writeFileSync(file, `#!/bin/sh\n${body}\n`);
  chmodSync(file, 0o755);
  return file;
}

const unconfirmed = (id: string) => job(id, { status: 'unconfirmed', attempts: 1, worker_id: '3', run_id: 'dead01', claimed_at: '2025-12-14T08:00:00.000Z' });

describe('command verify: the exit code is the answer', () => {
  it.each([
    ['exit 0, the post id on the last stdout line', 'echo looking…; echo "post-77"; echo; exit 0', { verdict: 'posted', postId: 'post-77' }],
    ['exit 0 without output', 'exit 0', 'posted'],
    ['exit 3', 'echo "no post by that account" >&2; exit 3', 'not-posted'],
    ['exit 1', 'exit 1', 'unknown'],
    ['exit 2', 'echo "platform down" >&2; exit 2', 'unknown'],
    ['killed by a signal', 'kill -9 $$', 'unknown'],
  ])('%s', async (_, body, answer) => {
    const verify = createCommandVerify([script(body)]);
    expect(await verify(unconfirmed('j1'), verifyContext())).toEqual(answer);
  });

  it('gets the placeholders and the environment a poster gets: the attempt in flight and the worker that ran it', async () => {
    const out = path.join(tempDir(), 'seen.txt');
    const file = script(`printf '%s\\n' "$@" > '${out}'; env | grep '^DAYCAP_' | sort >> '${out}'; exit 3`);
    const verify = createCommandVerify([file, '{job_id}', '{account}', '{video_path}', '{attempt}', '{worker_id}', '--caption={caption}']);
    await verify(unconfirmed('j9'), verifyContext());
    const seen = readFileSync(out, 'utf8').trim().split('\n');
    expect(seen.slice(0, 6)).toEqual(['j9', 'acct-j9', 'videos/j9.mp4', '2', '3', '--caption={caption}']);
    expect(seen.slice(6)).toEqual(['DAYCAP_ACCOUNT=acct-j9', 'DAYCAP_ATTEMPT=2', 'DAYCAP_CAPTION=caption of j9', 'DAYCAP_JOB_ID=j9', 'DAYCAP_VIDEO_PATH=videos/j9.mp4', 'DAYCAP_WORKER_ID=3']);
  });

  it('a verify that hangs is stopped when its signal aborts (the run timed it out), and answers unknown', async () => {
    const pidFile = path.join(tempDir(), 'pid');
    const verify = createCommandVerify([script(`echo $$ > '${pidFile}'; exec sleep 600`)]);
    const controller = new AbortController();
    const answer = verify(unconfirmed('slow'), verifyContext(controller.signal));
    await until(() => readFileSync(pidFile, { flag: 'a+', encoding: 'utf8' }).trim() !== '');
    const pid = Number(readFileSync(pidFile, 'utf8'));
    controller.abort();
    expect(await answer).toBe('unknown');
    await until(() => !isPidAlive(pid));
  });
});

describe('which verify a run uses', () => {
  const commandVerify = (argv: string[]) => ({ kind: 'command' as const, argv });
  const load = async (spec: HandlerSpec, verifyArgv: string[]) => withVerify(await loadHandler(spec), spec, commandVerify(verifyArgv));

  it("--verify gives a handler without one a verify, named in the run's description", async () => {
    const check = script('exit 3');
    const loaded = await load({ kind: 'command', argv: [script('exit 0'), '{account}'] }, [check, '{account}']);
    expect(loaded.verify).toBeTypeOf('function');
    expect(loaded.describe).toMatch(new RegExp(`; verify: command ${check} \\{account\\}$`));
    expect((await load({ kind: 'simulate', seed: 1 }, [check])).verify).toBeTypeOf('function');
    expect((await load({ kind: 'module', path: fixture('handlers/ok.mjs') }, [check])).verify).toBeTypeOf('function');
  });

  it.each([
    ['a module that exports its own verify', { kind: 'module', path: fixture('handlers/verify.mjs') }, /exports its own verify: keep one of them/],
    ['the simulator with crash=…', { kind: 'simulate', seed: 1, options: { crashRate: 0.1 } }, /the simulator answers verify itself when it simulates crashes/],
  ] as const)('refuses --verify with %s: which one decides must not be a guess', async (_, spec, message) => {
    await expect(load(spec as HandlerSpec, [script('exit 0')])).rejects.toMatchObject({ code: HANDLER_UNUSABLE, message: expect.stringMatching(message) });
  });

  it('refuses a verify program that cannot be run, before anything else', async () => {
    await expect(load({ kind: 'simulate', seed: 1 }, ['./no-such-check.py'])).rejects.toMatchObject({ code: HANDLER_UNUSABLE, message: expect.stringContaining('command verify: program ./no-such-check.py is not an executable file') });
  });
});
