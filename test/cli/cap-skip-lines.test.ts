/**
 * "Skipping job <id> - account <account> at daily limit of <cap>" once for every job the cap holds
 * back in a pass, in every run, whatever the number of workers. Runs are repeated: the line used to
 * depend on whether another claim happened to follow the post that filled the account.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { daycap } from '../helpers/cli.js';
import { fixture, tempDir } from '../helpers/files.js';
import { HEADER, statuses, writeVideosOf } from '../helpers/ledgers.js';

const row = (id: string, account: string, status = 'pending') => `${id},${account},v/${id}.mp4,caption of ${id},${status},,,,,${status === 'success' ? 1 : 0},3,,,,,,`;

/** account_a is at its cap from the start (3 jobs held back); account_b and account_c reach it during the run. */
const LEDGER = [
  HEADER,
  row('a1', 'account_a', 'success'), row('a2', 'account_a'), row('a3', 'account_a'), row('a4', 'account_a'),
  row('b1', 'account_b'), row('b2', 'account_b'),
  row('c1', 'account_c'), row('c2', 'account_c'), row('c3', 'account_c'),
  row('d1', 'account_d'),
].join('\r\n') + '\r\n';
const CAPPED = ['a2', 'a3', 'a4', 'b2', 'c2', 'c3'];
const accountOf = (id: string) => `account_${id[0]}`;

describe('cap skip lines', () => {
  for (const workers of [1, 2, 4]) {
    it(`with ${workers} worker${workers === 1 ? '' : 's'}: exactly once per capped job, in each of 5 runs`, async () => {
      for (let run = 1; run <= 5; run++) {
        const dir = await tempDir();
        const ledger = join(dir, 'progress.csv');
        await writeFile(ledger, LEDGER);
        writeVideosOf(ledger);
        const result = await daycap(['run', '--ledger', ledger, '--handler', 'simulate', '--workers', String(workers)], { cwd: dir });
        expect(result.code, result.stderr).toBe(4);
        const lines = result.stdout.split('\n').filter((line) => line.includes('Skipping job'));
        for (const id of CAPPED) {
          const line = `Skipping job ${id} - account ${accountOf(id)} at daily limit of 1`;
          expect(lines.filter((l) => l.endsWith(line)), `run ${run}, ${workers} workers: ${line}\n${result.stdout}`).toHaveLength(1);
        }
        expect(lines, result.stdout).toHaveLength(CAPPED.length);
        const after = await statuses(ledger);
        for (const id of CAPPED) expect(after[id]).toBe('pending');
      }
    });
  }

  it('a second pass (a retry) skips the capped jobs again, and says so once more', async () => {
    const dir = await tempDir();
    const ledger = join(dir, 'progress.csv');
    await writeFile(ledger, LEDGER);
    writeVideosOf(ledger);
    const env = { DAYCAP_RECORD_FILE: join(dir, 'record.jsonl'), DAYCAP_FAIL_PATTERN: '^d1$', DAYCAP_FAIL_ATTEMPTS: '1' };
    const result = await daycap(['run', '--ledger', ledger, '--handler', fixture('handlers/recording.mjs'), '--workers', '2', '--retry-delay', '1s', '--max-passes', '2'], { cwd: dir, env });
    expect(result.code, result.stderr).toBe(4);
    expect((await statuses(ledger))['d1']).toBe('success');
    for (const id of CAPPED) {
      const line = `Skipping job ${id} - account ${accountOf(id)} at daily limit of 1`;
      expect(result.stdout.split('\n').filter((l) => l.endsWith(line)), result.stdout).toHaveLength(2);
    }
  });
});
