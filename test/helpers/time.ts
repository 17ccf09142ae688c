/** Time in tests: waiting for a condition (never asserting how long it took), and a fixed time zone. */
import { afterAll, beforeAll } from 'vitest';

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it is true; the test's own timeout is the limit. */
export async function until(check: () => boolean, everyMs = 10): Promise<void> {
  while (!check()) await sleep(everyMs);
}

/**
 * Runs the file's tests (or the enclosing describe's) with the machine in `zone` (TZ), so that a
 * local time read or written as UTC is visibly wrong; the zone before is restored afterwards.
 */
export function inTimeZone(zone: string): void {
  let saved: string | undefined;
  beforeAll(() => {
    saved = process.env['TZ'];
    process.env['TZ'] = zone;
  });
  afterAll(() => {
    if (saved === undefined) delete process.env['TZ'];
    else process.env['TZ'] = saved;
  });
}
