// The `command:` handler as an operator types it: one quoted word after --handler.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, daycap } from '../helpers/cli.js';
import { fixture, tempDir } from '../helpers/files.js';
import { readRows, SEED_HEADER, writeLedgerRows, writeVideosOf } from '../helpers/ledgers.js';

const ONE_JOB = 'j1,acct_1,v/j1.mp4,hi,pending,,,,';

describe("--handler 'command:<program> [args…]'", () => {
  it('runs the program per job with whole-argument placeholders, never through a shell', async () => {
    const dir = tempDir();
    const caption = '$(touch pwned); rm -rf ~ "quoted", and more';
    const ledger = writeLedgerRows(dir, [`j1,acct_1,v/j1.mp4,"${caption.replace(/"/g, '""')}",pending,,,,`], { header: SEED_HEADER });
    writeVideosOf(ledger);
    const out = join(dir, 'args.json');
    const handler = `command:'${process.execPath}' '${fixture('handlers/print-args.mjs')}' '${out}' {account} {caption} --literal`;
    const result = await daycap(['run', '--ledger', ledger, '--handler', handler], { cwd: dir });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const seen = JSON.parse(await readFile(out, 'utf8')) as { args: string[]; env: Record<string, string> };
    expect(seen.args).toEqual(['acct_1', caption, '--literal']);
    expect(seen.env['DAYCAP_CAPTION']).toBe(caption);
    expect(await readRows(ledger)).toMatchObject([{ job_id: 'j1', status: 'success', video_id: 'post-j1' }]);
    await expect(readFile(join(dir, 'pwned'))).rejects.toThrow();
  });

  it('a program that does not exist stops the run before any claim (exit 2)', async () => {
    const dir = tempDir();
    const ledger = writeLedgerRows(dir, [ONE_JOB], { header: SEED_HEADER });
    writeVideosOf(ledger);
    const result = await daycap(['run', '--ledger', ledger, '--handler', 'command:./no-such-poster.sh {account}'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('no-such-poster.sh');
    expect(result.stdout).not.toContain('claimed');
    // Refused before the ledger was touched: not even daycap's state folder beside it.
    expect(existsSync(join(dir, '.progress.csv.daycap'))).toBe(false);
  });

  it("Ctrl-C in the terminal does not reach the job's program: it finishes within the grace period", async () => {
    const dir = tempDir();
    const ledger = writeLedgerRows(dir, [ONE_JOB], { header: SEED_HEADER });
    writeVideosOf(ledger);
    // A post that takes a while; it says when it started and when it finished.
    const post = join(dir, 'post.sh');
    const log = join(dir, 'post.log');
    await writeFile(post, `#!/bin/sh\necho started >> '${log}'\nsleep 1\necho finished >> '${log}'\n`);
    await chmod(post, 0o755);
    // daycap leads its own process group, as a shell's foreground job does; the terminal's Ctrl-C
    // signals that whole group.
    const run = spawn(process.execPath, [BIN, 'run', '--ledger', ledger, '--handler', `command:${post}`, '--no-tui'], { cwd: dir, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    run.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const code = new Promise<number | null>((resolve) => run.on('close', resolve));
    for (let i = 0; i < 400 && !(await readFile(log, 'utf8').catch(() => '')).includes('started'); i++) await new Promise((r) => setTimeout(r, 25));
    process.kill(-run.pid!, 'SIGINT');
    expect(await code, out).toBe(130);
    expect((await readFile(log, 'utf8')).trim().split('\n')).toEqual(['started', 'finished']);
    expect(await readRows(ledger)).toMatchObject([{ job_id: 'j1', status: 'success' }]);
  });
});
