/** `daycap run`: optional reset-day and seeding, then the parallel run, all under one lock. */
import { Runner, type RunOptions } from '../runner/runner.js';
import { checkReseedSafety, readSeedInputs, seedInto, type SeedResult, type SeedSource } from './seed.js';
import { resetDay } from './reset-day.js';
import { validateLedger } from '../ledger/validate.js';
import { recordPosts } from './posted-recorder.js';

export interface RunDayOptions extends RunOptions {
  source?: SeedSource | undefined;
  accountsFile?: string | undefined;
  postedLedger?: string | undefined;
  resetDay?: boolean | undefined;
  forceReseed?: boolean | undefined;
  archiveDir?: string | undefined;
  log?: ((line: string) => void) | undefined;
}

/**
 * Everything that can refuse the run happens before the returned runner claims anything:
 * the safety check, input files, the ledger's validity, the lock and the handler.
 */
export async function openRun(options: RunDayOptions): Promise<{ runner: Runner; seeded: SeedResult | undefined }> {
  checkReseedSafety(options);
  const now = (options.clock ?? Date.now)();
  const inputs = options.source ? await readSeedInputs({ source: options.source, accountsFile: options.accountsFile, postedLedger: options.postedLedger }) : undefined;
  if (options.resetDay) await resetDay({ ledger: options.ledger, archiveDir: options.archiveDir, now, log: options.log });
  const check = await validateLedger(options.ledger);
  if (!check.ok) throw check.error;
  const cap = options.cap ?? inputs?.cap;
  const runner = await Runner.open({ ...options, ...(cap === undefined ? {} : { cap }) });
  let seeded: SeedResult | undefined;
  if (inputs && options.source) {
    try {
      seeded = await seedInto(runner.store, { ledger: options.ledger, source: options.source, cap, now, log: options.log, archiveDir: options.archiveDir }, inputs);
    } catch (error) {
      await runner.store.close(undefined, 'refused').catch(() => undefined);
      throw error;
    }
  }
  if (options.postedLedger) {
    const recorder = recordPosts(runner.events, options.postedLedger);
    runner.beforeEnd(() => recorder.flush());
  }
  return { runner, seeded };
}
