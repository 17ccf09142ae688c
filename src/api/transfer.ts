/**
 * Moving a day between a file and a database ledger: `daycap export` writes the ledger CSV that
 * `daycap validate` accepts (byte for byte what the file store writes for the same rows), and
 * `daycap import` loads a file ledger, with the archives whose posts count toward today's cap, into
 * an empty database ledger. docs/postgres.md#import-and-export.
 */
import { dirname } from 'node:path';
import { stat } from 'node:fs/promises';
import { DaycapError, LockHeldError, UsageError } from '../errors.js';
import { writeFileAtomic } from '../ledger/atomic.js';
import { serializeLedgerChunks } from '../ledger/codec.js';
import { recordDayCap, resolveDayCap } from './day-cap.js';
import { readRecentArchives } from '../store/file-archives.js';
import { ledgerAt } from '../store/open.js';
import { PgLedger } from '../store/pg/pg-ledger.js';
import type { LockTiming } from '../ledger/lock/index.js';

export interface ExportOptions extends LockTiming {
  ledger: string;
  out: string;
}

/** Writes the day's rows as a ledger CSV at `out` (replaced atomically; never the ledger or its state folder). */
export async function exportLedger(options: ExportOptions): Promise<{ jobs: number }> {
  const ledger = ledgerAt(options.ledger, options);
  await ledger.requireExisting();
  const owned = await ledger.ownsFile(options.out);
  if (owned === 'ledger') throw new UsageError(`--out ${options.out} is the ledger itself; an export never replaces the ledger`, 'Give the export its own file name, e.g. --out export.csv.');
  if (owned === 'state') throw new UsageError(`--out ${options.out} is inside the ledger's state folder, which only daycap writes`, 'Write the export beside the ledger instead.');
  if ((await stat(options.out).catch(() => undefined))?.isDirectory()) throw new UsageError(`--out ${options.out} is a folder; give the export's file name`);
  if (!(await stat(dirname(options.out)).catch(() => undefined))?.isDirectory()) throw new UsageError(`the folder of --out ${options.out} (${dirname(options.out)}) does not exist`, 'Check the path, or create the folder first.');
  const check = await ledger.validate();
  if (!check.ok) throw check.error;
  const { jobs, extraColumns } = await ledger.read();
  try {
    await writeFileAtomic(options.out, serializeLedgerChunks(jobs, extraColumns));
  } catch (error) {
    throw new DaycapError('EXPORT_WRITE_FAILED', error instanceof Error ? error.message : String(error), { cause: error, exitCode: 5, hint: 'Check the path, its permissions and the disk. The ledger was only read and is unchanged.' });
  }
  return { jobs: jobs.length };
}

export interface ImportOptions extends LockTiming {
  /** The database ledger to fill. */
  ledger: string;
  /** The file ledger to read. */
  from: string;
  /** Where the file ledger's archives are, besides its folder. */
  archiveDir?: string | undefined;
  ignoreArchives?: readonly string[] | undefined;
  /** A cap given explicitly (flag or configuration file): recorded on the database ledger once the day is in. */
  cap?: number | undefined;
  now: number;
  log?: ((line: string) => void) | undefined;
}

export async function importLedger(options: ImportOptions): Promise<{ jobs: number; archives: number }> {
  const target = ledgerAt(options.ledger, options);
  if (target.kind !== 'database') throw new UsageError(`daycap import fills a database ledger; --ledger ${options.ledger} is a file`, 'Name the database ledger with --ledger postgres://user@host/database#name.');
  const source = ledgerAt(options.from, { staleMs: options.staleMs, archiveDir: options.archiveDir });
  if (source.kind !== 'file') throw new UsageError(`--from ${options.from} must be a ledger CSV file`, 'To copy a database ledger, `daycap export` it to a file first.');
  await source.requireExisting();
  const check = await source.validate();
  if (!check.ok) throw check.error;
  const holder = await source.holder();
  // A run would keep changing the file after it was read: the database would start from a stale day.
  if (holder) throw new LockHeldError(options.from, holder);
  const { jobs, extraColumns } = await source.read();
  const archives = await readRecentArchives({ ledger: options.from, archiveDir: options.archiveDir, now: options.now, ignoreArchives: options.ignoreArchives, log: options.log });
  await target.load({ jobs, extraColumns, archives }, options.now);
  if (options.cap !== undefined) await recordDayCap(target, await resolveDayCap(target, [options.cap], options.log), 'import', options.log);
  return { jobs: jobs.length, archives: archives.length };
}

/** `daycap db migrate`: the database's daycap schema brought to this version. */
export async function migrateDatabase(url: string): Promise<{ from: number; to: number; where: string }> {
  const ledger = ledgerAt(url);
  if (!(ledger instanceof PgLedger)) throw new UsageError(`daycap db migrate works on a database; ${url} is a file`, 'Name it with --ledger postgres://user@host/database (the #name part does not matter here).');
  return { ...(await ledger.migrate()), where: ledger.name.replace(/#.*$/, '') };
}
