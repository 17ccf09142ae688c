import { describe, expect, it } from 'vitest';
import { Database } from '../../src/store/pg/connection.js';
import { migrate, SCHEMA_VERSION } from '../../src/store/pg/schema.js';
import { hidePassword, isPgUrl, maskUrl, parsePgUrl } from '../../src/store/pg/url.js';
import { pgLedgerUrl, sqlClient, testSchema } from '../helpers/pg.js';

describe('a database ledger URL', () => {
  it('is told from a file path by its scheme', () => {
    expect(isPgUrl('postgres://db/x')).toBe(true);
    expect(isPgUrl('postgresql://db/x')).toBe(true);
    expect(isPgUrl('POSTGRES://db/x')).toBe(true);
    expect(isPgUrl('progress.csv')).toBe(false);
    expect(isPgUrl('./postgres://x')).toBe(false);
  });

  it('names the ledger by its fragment (default `default`) and the schema by ?schema= (default daycap)', () => {
    expect(parsePgUrl('postgres://daycap@db.lan/posting#spring')).toEqual({
      connectionString: 'postgres://daycap@db.lan/posting', ledger: 'spring', schema: 'daycap', display: 'postgres://daycap@db.lan/posting#spring',
    });
    const other = parsePgUrl('postgresql://u:p@h:5433/d?sslmode=disable&schema=farm_2#a%20b%23c');
    expect(other).toMatchObject({ connectionString: 'postgresql://u:p@h:5433/d?sslmode=disable', ledger: 'a b#c', schema: 'farm_2' });
    expect(parsePgUrl('postgres://h/d').ledger).toBe('default');
    expect(parsePgUrl('postgres://h/d#').ledger).toBe('default');
  });

  it('refuses a schema that is not a plain name', () => {
    expect(() => parsePgUrl('postgres://h/d?schema=a;drop#x')).toThrow(/not a plain name/);
  });

  it('masks the password wherever it is written', () => {
    expect(maskUrl('postgres://daycap:s3cret@db.lan/posting#spring')).toBe('postgres://daycap:***@db.lan/posting#spring');
    expect(maskUrl('postgres://daycap:p@ss@db.lan/posting')).toBe('postgres://daycap:***@db.lan/posting');
    expect(maskUrl('postgres://daycap@db.lan/posting?password=s3cret&x=1')).toBe('postgres://daycap@db.lan/posting?password=***&x=1');
    expect(maskUrl('postgres://db.lan/posting')).toBe('postgres://db.lan/posting');
    expect(parsePgUrl('postgres://daycap:s3cret@db.lan/p#x').display).not.toContain('s3cret');
  });

  it('keeps a hidden password for connecting while the name shows it masked', () => {
    const masked = hidePassword('postgres://daycap:hush-9@db.lan:6000/posting#spring');
    expect(masked).toBe('postgres://daycap:***@db.lan:6000/posting#spring');
    expect(parsePgUrl(masked).connectionString).toBe('postgres://daycap:hush-9@db.lan:6000/posting');
  });
});

describe('the schema', () => {
  it('is created by migrations under a lock, once, however many hosts start together', async () => {
    const schema = testSchema();
    const url = pgLedgerUrl('x', schema);
    const dbs = Array.from({ length: 4 }, () => new Database(parsePgUrl(url)));
    try {
      const results = await Promise.all(dbs.map((db) => migrate(db)));
      expect(results.filter((r) => r.from === 0)).toHaveLength(1);
      expect(results.every((r) => r.to === SCHEMA_VERSION)).toBe(true);
      const client = await sqlClient();
      const versions = await client.query(`SELECT version FROM "${schema}".migrations ORDER BY version`);
      await client.end();
      expect(versions.rows.map((r) => r.version)).toEqual(Array.from({ length: SCHEMA_VERSION }, (_, i) => i + 1));
    } finally {
      await Promise.all(dbs.map((db) => db.close()));
    }
  });
});
