// The notifier's calls: one at a time, a burst coalesced, failures and hangs told as warnings.
// A real program (fixtures/notify/record.mjs) records each call; a gate file holds a call open.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { zeroCounts } from '../../src/core/job.js';
import { SPAWNER_FILE } from '../../src/handlers/command.js';
import type { RunEvent } from '../../src/runner/events.js';
import { Notifier } from '../../src/runner/notify.js';
import { fixture, requireBuilt, tempDir } from '../helpers/files.js';
import { until } from '../helpers/time.js';
import { job, oneOfEach, unconfirmed } from '../tui/model/events.js';

requireBuilt(SPAWNER_FILE, ['src/handlers/spawner.ts', 'src/handlers/spawner-protocol.ts']);

/** A notifier calling the recording program with `settings` (see the fixture), and what it recorded. */
function recording(settings: Record<string, string> = {}, timeoutMs = 5000) {
  const dir = tempDir();
  const record = join(dir, 'calls.jsonl');
  const options = Object.entries({ file: record, ...settings }).map(([key, value]) => `${key}=${value}`);
  const warnings: string[] = [];
  const notifier = new Notifier({
    argv: [process.execPath, fixture('notify/record.mjs'), ...options, '--', '{event}', '{message}', '{account}', '{job_id}', '--text={message}'],
    timeoutMs,
    counts: async () => ({ ...zeroCounts(), pending: 7 }),
    warn: (message) => warnings.push(message),
    ledger: 'night.csv',
  });
  const calls = () => (existsSync(record) ? readFileSync(record, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as { args: string[]; env: Record<string, string> }) : []);
  return { dir, notifier, calls, warnings };
}

const lost = (i: number): RunEvent => ({ type: 'job-unconfirmed', ...unconfirmed(job(`j${i}`, `acct_${i}`)) });
const frozen: RunEvent = { type: 'account-frozen', ...oneOfEach()['account-frozen'] };
const end: RunEvent = { type: 'run-ended', ...oneOfEach()['run-ended'] };

describe('Notifier', () => {
  it('fills the placeholders (whole arguments only) and the environment', async () => {
    const { notifier, calls } = recording();
    notifier.hear(lost(1));
    await notifier.drain();
    const [call] = calls();
    const message = call!.env['DAYCAP_MESSAGE']!;
    expect(message).toMatch(/^daycap night\.csv: job j1 \(account acct_1\) unconfirmed: /);
    expect(call!.args).toEqual(['job-unconfirmed', message, 'acct_1', 'j1', '--text={message}']);
    expect(call!.env).toMatchObject({ DAYCAP_EVENT: 'job-unconfirmed', DAYCAP_ACCOUNT: 'acct_1', DAYCAP_JOB_ID: 'j1', DAYCAP_COUNTS: JSON.stringify({ ...zeroCounts(), pending: 7 }) });
  });

  it('a burst of 100 unconfirmed jobs while a call is under way is one more call, listing ten and counting the rest; the end comes last', async () => {
    const gate = join(tempDir(), 'gate');
    const { notifier, calls } = recording({ gate });
    notifier.hear(frozen);
    await until(() => calls().length === 1);
    for (let i = 0; i < 100; i++) notifier.hear(lost(i));
    notifier.hear(end);
    writeFileSync(gate, '');
    await notifier.drain();
    const seen = calls();
    expect(seen.map((call) => call.env['DAYCAP_EVENT'])).toEqual(['account-frozen', 'job-unconfirmed', 'run-ended']);
    const lines = seen[1]!.env['DAYCAP_MESSAGE']!.split('\n');
    expect(lines[0]).toBe('daycap night.csv: 100 job-unconfirmed notices:');
    expect(lines).toHaveLength(12);
    expect(lines[11]).toBe('… and 90 more');
    expect(seen[1]!.env).toMatchObject({ DAYCAP_ACCOUNT: '', DAYCAP_JOB_ID: '' });
    // The end carries the counts the run ended with, and its exit code.
    expect(seen[2]!.env).toMatchObject({ DAYCAP_EXIT_CODE: '0', DAYCAP_COUNTS: JSON.stringify({ ...zeroCounts(), success: 3 }) });
  });

  it('a call that fails or hangs is told as a warning and stopped; the next calls still go out', async () => {
    const { notifier, calls, warnings } = recording({ fail: 'account-frozen', hang: 'job-unconfirmed' }, 300);
    notifier.hear(frozen);
    notifier.hear(lost(1));
    notifier.hear(end);
    await notifier.drain();
    expect(calls().map((call) => call.env['DAYCAP_EVENT'])).toEqual(['account-frozen', 'job-unconfirmed', 'run-ended']);
    expect(warnings).toEqual([
      expect.stringMatching(/^notify \S+ \(account-frozen\) failed \(exit code 1\): chat webhook said 503; the run goes on$/),
      expect.stringMatching(/^notify \S+ \(job-unconfirmed\) timed out after 300ms and was stopped; the run goes on$/),
    ]);
  });

  it('a program that cannot be started is a warning too', async () => {
    const warnings: string[] = [];
    const notifier = new Notifier({ argv: ['/no/such/notifier'], timeoutMs: 1000, counts: async () => undefined, warn: (message) => warnings.push(message) });
    notifier.hear(end);
    await notifier.drain();
    expect(warnings).toEqual([expect.stringMatching(/^notify \/no\/such\/notifier \(run-ended\) could not be started \(ENOENT/)]);
  });
});
