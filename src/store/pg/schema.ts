/**
 * daycap's tables in their own PostgreSQL schema, created and upgraded by numbered migrations. They
 * run under an advisory lock, so hosts starting together apply each one once: on first use, or
 * explicitly with `daycap db migrate`. docs/postgres.md#the-schema describes the tables.
 */
import { DaycapError } from '../../errors.js';
import { connectionRefused, isConnectionError, type Database } from './connection.js';

/** Each migration's statements; `S` stands for the quoted schema. Never edit one that shipped: add the next. */
const MIGRATIONS: ReadonlyArray<(S: string) => string> = [
  (S) => `
    CREATE TABLE ${S}.ledgers (
      name text PRIMARY KEY,
      created_at timestamptz NOT NULL DEFAULT now(),
      paused boolean NOT NULL DEFAULT false,
      extra_columns jsonb NOT NULL DEFAULT '[]',
      time_format text,
      rules_key text,
      next_day integer NOT NULL DEFAULT 1
    );
    CREATE TABLE ${S}.jobs (
      ledger text NOT NULL REFERENCES ${S}.ledgers (name),
      day integer NOT NULL,
      seq bigserial NOT NULL,
      job_id text NOT NULL,
      account text NOT NULL,
      video_path text NOT NULL,
      caption text NOT NULL,
      status text NOT NULL,
      worker_id text NOT NULL,
      claimed_at text NOT NULL,
      completed_at text NOT NULL,
      error text NOT NULL,
      attempts bigint NOT NULL,
      max_attempts bigint NOT NULL,
      retry_at text NOT NULL,
      error_type text NOT NULL,
      error_category text NOT NULL,
      pass_number bigint NOT NULL,
      run_id text NOT NULL,
      video_id text NOT NULL,
      extra jsonb,
      claimed_at_ms bigint,
      retry_at_ms bigint,
      PRIMARY KEY (ledger, day, seq)
    );
    CREATE UNIQUE INDEX jobs_today_job_id ON ${S}.jobs (ledger, job_id) WHERE day = 0;
    CREATE INDEX jobs_today_account ON ${S}.jobs (ledger, account) WHERE day = 0;
    CREATE INDEX jobs_today_claimed ON ${S}.jobs (ledger, run_id) WHERE day = 0 AND status = 'claimed';
    CREATE INDEX jobs_today_retrying ON ${S}.jobs (ledger, retry_at_ms) WHERE day = 0 AND status = 'retrying';
    CREATE INDEX jobs_today_claim_times ON ${S}.jobs (ledger, claimed_at_ms) WHERE day = 0 AND claimed_at_ms IS NOT NULL;
    CREATE SEQUENCE ${S}.ready_order;
    CREATE TABLE ${S}.accounts (
      ledger text NOT NULL REFERENCES ${S}.ledgers (name),
      account text NOT NULL,
      ready_at_ms bigint,
      ready_order bigint NOT NULL DEFAULT nextval('${S}.ready_order'),
      hold text,
      streak integer NOT NULL DEFAULT 0,
      PRIMARY KEY (ledger, account)
    );
    CREATE INDEX accounts_ready ON ${S}.accounts (ledger, ready_at_ms, ready_order) WHERE ready_at_ms IS NOT NULL;
    CREATE TABLE ${S}.runners (
      ledger text NOT NULL REFERENCES ${S}.ledgers (name),
      run_id text NOT NULL,
      host text NOT NULL,
      pid integer NOT NULL,
      command text NOT NULL,
      started_at timestamptz NOT NULL DEFAULT now(),
      lease_until timestamptz NOT NULL,
      ended_at timestamptz,
      end_reason text,
      stop_requested boolean NOT NULL DEFAULT false,
      last_step text,
      PRIMARY KEY (ledger, run_id)
    );
    CREATE TABLE ${S}.archives (
      ledger text NOT NULL REFERENCES ${S}.ledgers (name),
      day integer NOT NULL,
      label text NOT NULL,
      local_day text NOT NULL,
      archived_at timestamptz NOT NULL,
      PRIMARY KEY (ledger, day)
    );`,
  // The farm's daily cap, recorded by a seed, run or import given one; null: none recorded.
  (S) => `ALTER TABLE ${S}.ledgers ADD COLUMN cap integer;`,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** Databases whose schema is known to be current, by URL and schema: checked once per process. */
const current = new Set<string>();

/** Makes sure the schema is at this daycap's version, migrating if needed; refuses a newer one. */
export async function ensureSchema(db: Database): Promise<{ from: number; to: number }> {
  const key = `${db.location.connectionString}|${db.location.schema}`;
  if (current.has(key)) return { from: SCHEMA_VERSION, to: SCHEMA_VERSION };
  const result = await migrate(db);
  current.add(key);
  return result;
}

/** Applies the migrations this database lacks, each in its own transaction, under an advisory lock. */
export async function migrate(db: Database): Promise<{ from: number; to: number }> {
  let client;
  try {
    client = await db.pool.connect();
  } catch (error) {
    throw connectionRefused(db.location, error);
  }
  const S = db.schema;
  const schemaName = db.location.schema;
  let broken: Error | undefined;
  try {
    await client.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [`daycap migrations ${schemaName}`]);
    try {
      const exists = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schemaName]);
      // Only when missing: creating a schema needs CREATE on the database, which a role given its own schema may lack.
      if (exists.rowCount === 0) await client.query(`CREATE SCHEMA ${S}`);
      await client.query(`CREATE TABLE IF NOT EXISTS ${S}.migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`);
      const found = await client.query<{ version: number | null }>(`SELECT max(version) AS version FROM ${S}.migrations`);
      const from = found.rows[0]?.version ?? 0;
      if (from > SCHEMA_VERSION) {
        throw new DaycapError('SCHEMA_TOO_NEW', `the database ledger ${db.location.display} has daycap's schema at version ${from}, newer than this daycap knows (${SCHEMA_VERSION})`, {
          hint: 'Upgrade daycap on this host to the version the other hosts run.',
        });
      }
      for (let version = from + 1; version <= SCHEMA_VERSION; version++) {
        await client.query('BEGIN');
        await client.query(MIGRATIONS[version - 1]!(S));
        await client.query(`INSERT INTO ${S}.migrations (version) VALUES ($1)`, [version]);
        await client.query('COMMIT');
      }
      return { from, to: SCHEMA_VERSION };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      await client.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [`daycap migrations ${schemaName}`]).catch((error: Error) => (broken = error));
    }
  } catch (error) {
    if (isConnectionError(error)) broken = error as Error;
    if (isConnectionError(error) || /^(28|3D)/.test(String((error as { code?: string }).code))) {
      throw connectionRefused(db.location, error);
    }
    if (error instanceof DaycapError) throw error;
    const code = (error as { code?: string }).code;
    if (code === '42501') {
      throw new DaycapError('DATABASE_PERMISSION', `the role of ${db.location.display} may not create daycap's tables in schema ${schemaName}: ${(error as Error).message}`, {
        exitCode: 2, cause: error, hint: 'Grant it CREATE on the database, or create the schema and grant it USAGE and CREATE there (docs/postgres.md#setting-up-the-database).',
      });
    }
    throw error;
  } finally {
    client.release(broken);
  }
}
