/**
 * One journal line: `<crc32 of the JSON, 8 lowercase hex>\t<JSON of {"seq":n,"job":Job}>\n`. The
 * checksum tells a record cut short by a crash (or overwritten with zeros) from a whole one.
 */
import { crc32 } from 'node:zlib';

import { LEDGER_COLUMNS, NUMERIC_COLUMNS, isStatus, type Job } from '../core/job.js';

export function encodeRecord(seq: number, job: Job): string {
  return encodeRecordBytes(seq, job).toString('utf8');
}

/**
 * The same record as bytes, as the journal writes it. The JSON is encoded to UTF-8 once, into the
 * record's own buffer, and the checksum is taken over those bytes: checksumming the string and then
 * encoding it again for the write cost a quarter of a run's main thread.
 */
export function encodeRecordBytes(seq: number, job: Job): Buffer {
  const json = JSON.stringify({ seq, job });
  const length = Buffer.byteLength(json);
  const out = Buffer.allocUnsafe(length + 10);
  out.write(json, 9, 'utf8');
  out.write(crc32(out.subarray(9, 9 + length)).toString(16).padStart(8, '0'), 0, 'latin1');
  out[8] = 0x09;
  out[9 + length] = 0x0a;
  return out;
}

export type Decoded = { ok: true; seq: number; job: Job } | { ok: false; reason: string };

const HEX8 = /^[0-9a-f]{8}$/;
const NUMERIC: ReadonlySet<string> = new Set(NUMERIC_COLUMNS);
const RESERVED = new Set(['__proto__', 'constructor', 'prototype']);

/** `line` is one record without its trailing LF. */
export function decodeRecord(line: Buffer): Decoded {
  if (line.length === 0) return { ok: false, reason: 'empty line' };
  if (line[0] === 0 && line.every((b) => b === 0)) return { ok: false, reason: 'zero-filled' };
  if (line.length < 10 || line[8] !== 0x09) return { ok: false, reason: 'garbage (no checksum)' };
  const hex = line.toString('latin1', 0, 8);
  if (!HEX8.test(hex)) return { ok: false, reason: 'garbage (no checksum)' };
  const json = line.subarray(9);
  if (crc32(json) !== parseInt(hex, 16)) return { ok: false, reason: 'checksum mismatch' };
  let value: unknown;
  try {
    value = JSON.parse(json.toString('utf8'));
  } catch {
    return { ok: false, reason: 'invalid JSON' };
  }
  const job = toJob(value);
  return job ? { ok: true, seq: (value as { seq: number }).seq, job } : { ok: false, reason: 'not a job record' };
}

/** Rebuilds the Job field by field, so nothing but the known shape (and no prototype key) gets through. */
function toJob(value: unknown): Job | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { seq, job } = value as { seq?: unknown; job?: unknown };
  if (typeof seq !== 'number' || typeof job !== 'object' || job === null) return undefined;
  const source = job as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const column of LEDGER_COLUMNS) {
    const field = source[column];
    if (typeof field !== (NUMERIC.has(column) ? 'number' : 'string')) return undefined;
    out[column] = field;
  }
  if (out.job_id === '' || !isStatus(out.status as string)) return undefined;
  if (source.extra !== undefined) {
    if (typeof source.extra !== 'object' || source.extra === null) return undefined;
    const extra: Record<string, string> = {};
    for (const [name, text] of Object.entries(source.extra)) {
      if (typeof text !== 'string') return undefined;
      if (!RESERVED.has(name)) extra[name] = text;
    }
    out.extra = extra;
  }
  return out as unknown as Job;
}
