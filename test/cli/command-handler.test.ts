// The `command:` handler as an operator types it: one quoted word after --handler.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeVideosOf } from '../helpers/tmp.js';
import { daycap, fixture, readRows, tempDir } from './helpers.js';

describe("--handler 'command:<program> [args…]'", () => {
  it('runs the program per job with whole-argument placeholders, never through a shell', async () => {
    const dir = await tempDir();
    const ledger = join(dir, 'progress.csv');
    const caption = '$(touch pwned); rm -rf ~ "quoted", and more';
    await writeFile(ledger, [
      'job_id,account,video_path,caption,status,worker_id,claimed_at,completed_at,error',
      `j1,acct_1,v/j1.mp4,"${caption.replace(/"/g, '""')}",pending,,,,`,
      '',
    ].join('\n'));
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
    const dir = await tempDir();
    const ledger = join(dir, 'progress.csv');
    await writeFile(ledger, 'job_id,account,video_path,caption,status,worker_id,claimed_at,completed_at,error\nj1,acct_1,v/j1.mp4,hi,pending,,,,\n');
    writeVideosOf(ledger);
    const result = await daycap(['run', '--ledger', ledger, '--handler', 'command:./no-such-poster.sh {account}'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('no-such-poster.sh');
    expect(result.stdout).not.toContain('claimed');
  });
});
