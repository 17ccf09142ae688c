/**
 * A store's write transactions: one at a time per store, each retried as a whole while PostgreSQL
 * cannot be reached (within the retry window). A connection that breaks during COMMIT leaves it
 * unknown whether the step was saved; a run notes each step's token in its lease row, so after
 * reconnecting it asks, and neither loses the step nor applies it twice. A one-shot command, which
 * has no lease row, says that it cannot know.
 */
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { DaycapError, StorageError } from '../../errors.js';
import { errorText, isConnectionError, type Database } from './connection.js';
import { stepCommitted, type RunnerIdentity } from './leases.js';

/** The run's lease ran out (or was taken as dead): it must write nothing more. */
export class LeaseLostError extends DaycapError {
  constructor(runId: string) {
    super('LEASE_LOST', `the lease of run ${runId} ran out (it was cut off or paused for longer than the lease, and other runs may have taken over its claims); writing nothing more`, { exitCode: 5 });
  }
}

export type StepWork<T> = (client: pg.PoolClient, step: string) => Promise<T>;

export async function transact<T>(db: Database, run: RunnerIdentity | undefined, work: StepWork<T>): Promise<T> {
  let unknown: { step: string; result: T } | undefined;
  return db.retrying(async () => {
    if (unknown) {
      const pending = unknown;
      unknown = undefined;
      if (await stepCommitted(db, run!, pending.step)) return pending.result;
    }
    const client = await db.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const step = randomBytes(8).toString('hex');
      let result: T;
      try {
        result = await work(client, step);
      } catch (error) {
        if (isConnectionError(error)) broken = error as Error;
        else await client.query('ROLLBACK').catch((rollback: Error) => (broken = rollback));
        throw error;
      }
      try {
        await client.query('COMMIT');
      } catch (error) {
        if (!isConnectionError(error)) throw error;
        broken = error as Error;
        if (!run) throw new StorageError(`the connection to ${db.location.display} broke while a change was being committed; it may or may not have been saved (\`daycap status\` shows the ledger as it is): ${errorText(error)}`, { cause: error });
        unknown = { step, result };
        throw error;
      }
      return result;
    } finally {
      client.release(broken);
    }
  });
}
