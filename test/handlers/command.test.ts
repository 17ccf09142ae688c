import { isPidAlive } from '../../src/ledger/pid.js';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  CommandSpawnerDiedError,
  CommandUnusableError,
  createCommandHandler,
  parseCommandSpec,
  SPAWNER_FILE,
  spawnerPid,
} from '../../src/handlers/command.js';
import { HANDLER_UNUSABLE } from '../../src/handlers/errors.js';
import { toReportedError } from '../../src/handlers/outcome.js';
import { fixture, requireBuilt, tempDir } from '../helpers/files.js';
import { job, postContext } from '../helpers/jobs.js';
import { until } from '../helpers/time.js';

// The handler runs programs through the compiled spawner (dist/), even when the handler itself runs from source.
beforeAll(() => requireBuilt(SPAWNER_FILE, ['src/handlers/spawner.ts', 'src/handlers/spawner-protocol.ts']));

const node = process.execPath;
const printArgs = fixture('handlers/print-args.mjs');
const behaviour = fixture('handlers/command-behaviour.mjs');

function readPrinted(file: string): { args: string[]; env: Record<string, string> } {
  return JSON.parse(readFileSync(file, 'utf8')) as { args: string[]; env: Record<string, string> };
}


describe('command handler', () => {
  it('substitutes whole-argument placeholders and passes the job in the environment', async () => {
    const out = path.join(tempDir(), 'out.json');
    const handler = createCommandHandler([
      node, printArgs, out, '{job_id}', '{account}', '{video_path}', '{caption}', '{attempt}', '{worker_id}',
      '--caption={caption}', '{job_id}x', 'plain',
    ]);
    const j = job('j1', { caption: 'multi\nline "quoted" #tag ✨' });
    const postId = await handler(j, postContext({ workerId: 3, attempt: 2 }));
    expect(postId).toBe('post-j1');
    const printed = readPrinted(out);
    expect(printed.args).toEqual([
      'j1', 'acct-j1', 'videos/j1.mp4', 'multi\nline "quoted" #tag ✨', '2', '3', '--caption={caption}', '{job_id}x', 'plain',
    ]);
    expect(printed.env).toMatchObject({
      DAYCAP_JOB_ID: 'j1', DAYCAP_ACCOUNT: 'acct-j1', DAYCAP_VIDEO_PATH: 'videos/j1.mp4',
      DAYCAP_CAPTION: 'multi\nline "quoted" #tag ✨', DAYCAP_ATTEMPT: '2', DAYCAP_WORKER_ID: '3',
    });
  });

  it('never lets shell syntax in a caption run', async () => {
    const dir = tempDir();
    const markers = ['m1', 'm2', 'm3'].map((name) => path.join(dir, name));
    // The brief's `rm -rf ~` is replaced by harmless touches: a failing test must not be able to delete anything.
    const captions = [`$(touch ${markers[0]}); touch ${markers[1]}`, `a;b|c&&d\`touch ${markers[2]}\``];
    for (const caption of captions) {
      const out = path.join(dir, 'out.json');
      await createCommandHandler([node, printArgs, out, '{caption}'])(job('inj', { caption }), postContext());
      const printed = readPrinted(out);
      expect(printed.args).toEqual([caption]);
      expect(printed.env['DAYCAP_CAPTION']).toBe(caption);
    }
    for (const marker of markers) expect(existsSync(marker), marker).toBe(false);
  });

  it('takes the last non-empty stdout line as the post id, even after megabytes of output', async () => {
    await expect(createCommandHandler([node, behaviour, 'chatty'])(job('c'), postContext())).resolves.toBe('chatty-post-id');
  });

  it('gives an empty post id when the program prints nothing', async () => {
    await expect(createCommandHandler([node, '-e', ''])(job('e'), postContext())).resolves.toBe('');
  });

  it('fails with the last non-empty stderr line on a non-zero exit', async () => {
    const error = await createCommandHandler([node, behaviour, 'fail'])(job('f'), postContext()).catch((err: unknown) => err);
    expect(toReportedError(error)).toEqual({ message: 'socket hang up' });
  });

  it('says the exit code when stderr is empty', async () => {
    await expect(createCommandHandler([node, behaviour, 'silent-fail'])(job('s'), postContext())).rejects.toThrow('command exited with code 4');
  });

  it('reports a signal death', async () => {
    await expect(createCommandHandler([node, '-e', 'process.kill(process.pid, "SIGKILL")'])(job('k'), postContext())).rejects.toThrow(
      'command killed by signal SIGKILL',
    );
  });

  it('reports a missing program as unusable, not retryable', async () => {
    const missing = path.join(tempDir(), 'no-such-program');
    const error = await createCommandHandler([missing, '{job_id}'])(job('m'), postContext()).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(CommandUnusableError);
    const reported = toReportedError(error);
    expect(reported).toMatchObject({ category: 'infrastructure', type: 'command_unusable', retryable: false });
    expect(reported.message).toContain(`command ${missing} cannot be started (ENOENT`);
  });

  it('reports a program without execute permission as unusable', async () => {
    const file = path.join(tempDir(), 'not-executable');
    writeFileSync(file, '#!/bin/sh\necho hi\n');
    chmodSync(file, 0o644);
    const error = await createCommandHandler([file])(job('p'), postContext()).catch((err: unknown) => err);
    expect(toReportedError(error)).toMatchObject({ type: 'command_unusable', retryable: false });
    expect((error as Error).message).toContain('EACCES');
  });

  it.each(['sleep', 'stubborn'])('kills the child on abort (%s)', async (mode) => {
    const pidFile = path.join(tempDir(), 'pid');
    const controller = new AbortController();
    const running = createCommandHandler([node, behaviour, mode, pidFile])(job('a'), postContext({ signal: controller.signal }));
    const outcome = running.catch((err: unknown) => err);
    await until(() => existsSync(pidFile) && readFileSync(pidFile, 'utf8') !== '');
    const pid = Number(readFileSync(pidFile, 'utf8'));
    expect(isPidAlive(pid)).toBe(true);
    controller.abort();
    expect(await outcome).toBeInstanceOf(Error);
    expect(isPidAlive(pid)).toBe(false);
  });

  it('does not start a program when the signal is already aborted', async () => {
    const marker = path.join(tempDir(), 'started');
    const controller = new AbortController();
    controller.abort();
    await expect(
      createCommandHandler([node, '-e', `require('fs').writeFileSync(${JSON.stringify(marker)}, '')`])(job('x'), postContext({ signal: controller.signal })),
    ).rejects.toThrow('aborted');
    expect(existsSync(marker)).toBe(false);
  });

  it('runs the program from a spawner process, not from this one', async () => {
    const parent = await createCommandHandler([node, '-e', 'console.log(process.ppid)'])(job('pp'), postContext());
    expect(spawnerPid()).toBeDefined();
    expect(Number(parent)).toBe(spawnerPid());
    expect(Number(parent)).not.toBe(process.pid);
  });

  it('fails the job in flight retryably when the spawner dies, stops its program, and recovers', async () => {
    const pidFile = path.join(tempDir(), 'pid');
    const running = createCommandHandler([node, behaviour, 'sleep', pidFile])(job('d'), postContext());
    const outcome = running.catch((err: unknown) => err);
    await until(() => existsSync(pidFile) && readFileSync(pidFile, 'utf8') !== '');
    const programPid = Number(readFileSync(pidFile, 'utf8'));
    await until(() => spawnerPid() !== undefined);
    const spawner = spawnerPid()!;
    process.kill(spawner, 'SIGKILL');

    const error = await outcome;
    expect(error).toBeInstanceOf(CommandSpawnerDiedError);
    expect(toReportedError(error)).toMatchObject({
      message: `command spawner died (pid ${spawner})`,
      category: 'infrastructure',
      type: 'command_spawner_died',
      retryable: true,
    });
    // The orphaned program must not go on (and maybe post) after its job was failed.
    await until(() => !isPidAlive(programPid));

    const out = path.join(tempDir(), 'out.json');
    await expect(createCommandHandler([node, printArgs, out, '{job_id}'])(job('after'), postContext())).resolves.toBe('post-after');
    expect(readPrinted(out).args).toEqual(['after']);
    expect(spawnerPid()).not.toBe(spawner);
  });

  it('runs jobs side by side through one spawner', async () => {
    const handler = createCommandHandler([node, '-e', 'setTimeout(() => console.log(process.argv[1]), 50)', '{job_id}']);
    const ids = ['s1', 's2', 's3', 's4', 's5'];
    await expect(Promise.all(ids.map((id) => handler(job(id), postContext())))).resolves.toEqual(ids);
  });

  it('refuses an empty argv', () => {
    expect(() => createCommandHandler([])).toThrow(expect.objectContaining({ code: HANDLER_UNUSABLE }));
  });
});

describe('parseCommandSpec', () => {
  it('splits on whitespace after command:', () => {
    expect(parseCommandSpec('command:./post.sh  {account}\t{video_path}')).toEqual(['./post.sh', '{account}', '{video_path}']);
  });
  it('groups quoted words without expanding anything', () => {
    expect(parseCommandSpec(`command:node 'my poster.mjs' "say \\"hi\\" \\\\ $HOME" '$(id)' ''`)).toEqual([
      'node', 'my poster.mjs', 'say "hi" \\ $HOME', '$(id)', '',
    ]);
    expect(parseCommandSpec('command:a"b c"d e\\ f')).toEqual(['ab cd', 'e f']);
    expect(parseCommandSpec(`command:x 'a\\b' "c\\d"`)).toEqual(['x', 'a\\b', 'c\\d']);
  });
  it('accepts the text without the prefix', () => {
    expect(parseCommandSpec('true')).toEqual(['true']);
  });
  it('refuses an unterminated quote or a missing program', () => {
    expect(() => parseCommandSpec(`command:node 'oops`)).toThrow(/unterminated ' quote/);
    expect(() => parseCommandSpec('command:   ')).toThrow(/no program/);
    expect(() => parseCommandSpec(`command:'' x`)).toThrow(/no program/);
  });
});
