// `--notify` and `notify` in the configuration: the built binary on real days, with a recording
// notifier (fixtures/notify/record.mjs) for every event a night operator needs to hear of.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lockPath } from '../../src/ledger/paths.js';
import { daycap, hasStack, start, WAIT_FOR_FILE } from '../helpers/cli.js';
import { writeFaultPreload } from '../helpers/fault-preload.js';
import { fixture, tempDir } from '../helpers/files.js';
import { job } from '../helpers/jobs.js';
import { writeLedger, writeVideos } from '../helpers/ledgers.js';

const RECORD = fixture('notify/record.mjs');
const NIGHT_SHIFT = fixture('handlers/night-shift.mjs');
/** The recording notifier as `--notify` takes it, recording into `record` (settings: see the fixture). */
const notify = (record: string, settings = '') => `command:'${process.execPath}' '${RECORD}' file=${record} ${settings} -- {event} {message}`;

interface Call {
  args: string[];
  env: Record<string, string>;
}

/** A ledger of the given job ids (each its own account, acct-<id>), with their videos. */
function day(ids: readonly string[]) {
  const dir = tempDir();
  // One attempt each: a job that fails is done with, and the day ends.
  const jobs = ids.map((id) => job(id, { max_attempts: 1 }));
  writeVideos(dir, jobs.map((j) => j.video_path));
  const ledger = writeLedger(dir, jobs);
  const record = join(dir, 'notify.jsonl');
  const calls = (): Call[] => (existsSync(record) ? readFileSync(record, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as Call) : []);
  return { dir, ledger, record, calls };
}

describe('--notify', () => {
  it('tells the program of a frozen account, a long cooldown, an unconfirmed job and the end, never through a shell', async () => {
    const { dir, ledger, record, calls } = day(['frozen-1', 'cool-1', 'crash-1', 'ok-1']);
    const result = await daycap(['run', '--ledger', ledger, '--handler', NIGHT_SHIFT, '--notify', notify(record), '--workers', '2', '--no-tui'], { cwd: dir });
    expect(result.code, result.stdout + result.stderr).toBe(4);
    expect(result.stdout).not.toContain('WARNING notify');
    const seen = calls();
    expect(seen.map((call) => call.env['DAYCAP_EVENT']).sort()).toEqual(['account-cooling', 'account-frozen', 'job-unconfirmed', 'run-ended']);
    // The run's end comes last, with the day's counts and the exit code.
    const end = seen.at(-1)!;
    expect(end.args[0]).toBe('run-ended');
    expect(end.env['DAYCAP_EXIT_CODE']).toBe('4');
    expect(JSON.parse(end.env['DAYCAP_COUNTS']!)).toMatchObject({ success: 1, failed: 2, retrying: 0, unconfirmed: 1, pending: 0 });
    expect(end.args[1]).toMatch(new RegExp(`^daycap ${ledger.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: run \\w+ ended \\(done\\) .*1 success, 2 failed, 0 retrying, 1 unconfirmed.*; exit code 4$`));
    const of = (event: string) => seen.find((call) => call.env['DAYCAP_EVENT'] === event)!;
    expect(of('account-frozen').env).toMatchObject({ DAYCAP_ACCOUNT: 'acct-frozen-1', DAYCAP_JOB_ID: 'frozen-1' });
    expect(of('account-frozen').args[1]).toContain('account acct-frozen-1 frozen for the day: account/suspended: Your account has been suspended');
    expect(of('account-cooling').env).toMatchObject({ DAYCAP_ACCOUNT: 'acct-cool-1', DAYCAP_JOB_ID: 'cool-1' });
    expect(of('account-cooling').args[1]).toContain('account acct-cool-1 cooling down for 3:00:00');
    expect(of('job-unconfirmed').env).toMatchObject({ DAYCAP_ACCOUNT: 'acct-crash-1', DAYCAP_JOB_ID: 'crash-1' });
    expect(of('job-unconfirmed').args[1]).toContain('job crash-1 (account acct-crash-1) unconfirmed: worker thread died mid-job');
    for (const call of seen) {
      expect(call.args).toEqual([call.env['DAYCAP_EVENT'], call.env['DAYCAP_MESSAGE']]);
      expect(JSON.parse(call.env['DAYCAP_COUNTS']!)).toHaveProperty('success');
    }
  });

  it('a notifier that fails or hangs is logged and stopped, and the run goes on to its end', async () => {
    const { dir, ledger, record, calls } = day(['frozen-1', 'crash-1', 'ok-1', 'ok-2']);
    const result = await daycap(['run', '--ledger', ledger, '--handler', NIGHT_SHIFT, '--notify', notify(record, 'hang=account-frozen fail=job-unconfirmed'), '--notify-timeout', '500ms', '--workers', '2', '--no-tui'], { cwd: dir });
    expect(result.code, result.stdout + result.stderr).toBe(4);
    expect(result.stdout).toMatch(/WARNING notify \S+ \(account-frozen\) timed out after 500ms and was stopped; the run goes on/);
    expect(result.stdout).toMatch(/WARNING notify \S+ \(job-unconfirmed\) failed \(exit code 1\): chat webhook said 503; the run goes on/);
    expect(result.stdout).toMatch(/run \w+ ended \(done\).*2 success/);
    expect(calls().at(-1)!.env['DAYCAP_EVENT']).toBe('run-ended');
  });

  it('tells of a storage failure, then of the end with exit code 5', async () => {
    const { dir, ledger, record, calls } = day(['ok-1', 'ok-2', 'ok-3', 'ok-4']);
    const preload = writeFaultPreload(dir);
    const result = await daycap(['run', '--ledger', ledger, '--handler', 'simulate', '--notify', notify(record), '--workers', '2', '--no-tui'], {
      cwd: dir, env: { NODE_OPTIONS: `--import=${preload}`, DAYCAP_TEST_FAULT: 'datasync:1:ENOSPC' },
    });
    expect(result.code, result.stdout + result.stderr).toBe(5);
    const seen = calls();
    expect(seen.map((call) => call.env['DAYCAP_EVENT'])).toEqual(['storage-failed', 'run-ended']);
    expect(seen[0]!.args[1]).toMatch(/storage failed: could not write the (journal|ledger): .*ENOSPC.*; the run stopped and nothing more was written \(exit code 5\)/);
    expect(seen[1]!.env['DAYCAP_EXIT_CODE']).toBe('5');
  });

  it('tells of a lost lock, then of the end with exit code 5', async () => {
    const { dir, ledger, record, calls } = day(['ok-1', 'ok-2']);
    const release = join(dir, 'release');
    const run = start(['run', '--ledger', ledger, '--handler', WAIT_FOR_FILE, '--notify', notify(record), '--workers', '1', '--grace', '200ms', '--no-tui'], {
      cwd: dir, env: { DAYCAP_TEST_RELEASE_FILE: release, DAYCAP_LOCK_STALE_MS: '2000' },
    });
    await run.waitFor(/claimed job/);
    // Someone removed the lock: at its next refresh the run finds it gone and stops writing.
    rmSync(lockPath(ledger), { recursive: true, force: true });
    const result = await run.done;
    expect(result.code, result.stdout + result.stderr).toBe(5);
    expect(calls().map((call) => call.env['DAYCAP_EVENT'])).toEqual(['lock-lost', 'run-ended']);
    expect(calls()[0]!.args[1]).toMatch(/the ledger's lock was lost: .*lock.*; the run stopped/);
  });

  it("the configuration's notify is used; a notify program that cannot be run is refused before the ledger is touched", async () => {
    const { dir, ledger, record, calls } = day(['ok-1']);
    writeFileSync(join(dir, 'daycap.config.json'), JSON.stringify({ notify: notify(record), notifyTimeout: '10s' }));
    const result = await daycap(['run', '--ledger', ledger, '--handler', 'simulate', '--no-tui'], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    expect(calls().map((call) => call.env['DAYCAP_EVENT'])).toEqual(['run-ended']);

    const other = day(['ok-1']);
    const refused = await daycap(['run', '--ledger', other.ledger, '--handler', 'simulate', '--notify', 'command:./no-such-notifier.sh {event}'], { cwd: other.dir });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('notify: program ./no-such-notifier.sh is not an executable file');
    expect(hasStack(refused.stderr)).toBe(false);
    expect(existsSync(join(other.dir, '.progress.csv.daycap'))).toBe(false);
  });

  it('the one-line curl of docs/configuration.md posts each notice to a chat webhook', async () => {
    const bodies: string[] = [];
    const server = createServer((request, response) => {
      let body = '';
      request.setEncoding('utf8').on('data', (chunk: string) => (body += chunk)).on('end', () => {
        bodies.push(`${request.method} ${request.url} ${body}`);
        response.end('ok');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const { dir, ledger } = day(['frozen-1', 'ok-1']);
      const curl = `command:curl -fsS -m 10 --data-raw {message} http://127.0.0.1:${port}/daycap-night-shift`;
      const result = await daycap(['run', '--ledger', ledger, '--handler', NIGHT_SHIFT, '--notify', curl, '--no-tui'], { cwd: dir });
      expect(result.code, result.stdout + result.stderr).toBe(4);
      expect(result.stdout).not.toContain('WARNING notify');
      expect(bodies).toEqual([
        expect.stringMatching(/^POST \/daycap-night-shift daycap \S+: account acct-frozen-1 frozen for the day: /),
        expect.stringMatching(/^POST \/daycap-night-shift daycap \S+: run \w+ ended \(done\).*exit code 4$/),
      ]);
    } finally {
      server.close();
    }
  });
});
