import { it } from 'vitest';
import { Runner } from '../../src/runner/runner.js';
import { newJob } from '../../src/core/job.js';
import { fixture, tempDir, writeLedger } from '../helpers/tmp.js';
import { join } from 'node:path';
it('debug', async () => {
  const { faultyOps } = await import('../ledger/helpers.js');
  for (let i = 0; i < 5; i++) {
  const dir = tempDir('dbg-');
  const jobs = []; for (let a = 0; a < 16; a++) jobs.push(newJob({ job_id: `job-${a}`, account: `a${a}` }));
  const ledger = writeLedger(dir, jobs);
  process.env.DAYCAP_RECORD_FILE = join(dir, 'r.jsonl');
  const ops = faultyOps('fsync', 'EIO');
  const runner = await Runner.open({ ledger, handler: { kind: 'module', path: fixture('handlers/recording.mjs') }, workers: 4, fileOps: ops, controlSocket: false, watchLedger: false });
  const t0 = Date.now();
  runner.events.onAny((e) => { if (e.type !== 'job-claimed' && e.type !== 'job-done') console.log(Date.now() - t0, e.type, (e as any).message ?? (e as any).reason ?? ''); });
  const timer = setTimeout(() => console.log('STUCK', ops.calls), 5000);
  const r = await runner.run();
  clearTimeout(timer);
  console.log('result', r.reason, r.exitCode);
  }
}, 30000);
