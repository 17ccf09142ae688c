/**
 * Turns whatever a handler resolved with or threw into plain data that can cross a thread boundary
 * (Error objects lose their own fields on the way, and a thrown value may not be cloneable at all).
 */
import type { Outcome, ReportedError } from '../protocol.js';

/** Longest description kept of a thrown non-Error value: it ends up in a ledger cell. */
const MAX_VALUE_DESCRIPTION = 500;

export function toOutcome(result: unknown): Outcome {
  // Posters ported from the older system return false when a post did not go through; its error
  // table knows the phrase (infrastructure/claude_stuck, retried).
  if (result === false) return { ok: false, error: { message: 'post returned false' } };
  if (typeof result === 'string') return { ok: true, postId: result };
  if (typeof result === 'object' && result !== null) {
    const postId = safeGet(result, 'postId');
    if (postId !== undefined && postId !== null) return { ok: true, postId: safeString(postId) ?? '' };
  }
  return { ok: true, postId: '' };
}

/**
 * Classification hints are read from any thrown object, Error or not. `retryAfterMs` is in
 * milliseconds; `retryAfter` is in seconds (as in the HTTP Retry-After header) and is converted.
 * When both are present `retryAfterMs` wins.
 */
export function toReportedError(thrown: unknown): ReportedError {
  try {
    return { message: messageOf(thrown), ...hintsOf(thrown) };
  } catch {
    return { message: 'handler threw a value that could not be described' };
  }
}

function messageOf(thrown: unknown): string {
  if (typeof thrown === 'string') return thrown === '' ? 'handler threw an empty string' : thrown;
  if (isError(thrown)) {
    const raw = safeGet(thrown, 'message');
    const message = raw === undefined || raw === null ? '' : safeString(raw);
    if (message) return message;
    const name = safeString(safeGet(thrown, 'name')) || 'Error';
    return `handler threw ${name} with an empty message`;
  }
  return `handler threw a non-Error value: ${describeValue(thrown)}`;
}

function hintsOf(thrown: unknown): Omit<ReportedError, 'message'> {
  if (typeof thrown !== 'object' || thrown === null) return {};
  const hints: Omit<ReportedError, 'message'> = {};
  const category = safeGet(thrown, 'category');
  if (typeof category === 'string' && category !== '') hints.category = category;
  const type = safeGet(thrown, 'type');
  if (typeof type === 'string' && type !== '') hints.type = type;
  const retryable = safeGet(thrown, 'retryable');
  if (typeof retryable === 'boolean') hints.retryable = retryable;
  const ms = toDelay(safeGet(thrown, 'retryAfterMs'), 1);
  const fromSeconds = toDelay(safeGet(thrown, 'retryAfter'), 1000);
  const retryAfterMs = ms ?? fromSeconds;
  if (retryAfterMs !== undefined) hints.retryAfterMs = retryAfterMs;
  return hints;
}

function toDelay(value: unknown, unitMs: number): number | undefined {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n) || n < 0) return undefined;
  return Math.round(n * unitMs);
}

function isError(value: unknown): value is Error {
  if (value instanceof Error) return true;
  try {
    // Errors made in another realm (vm contexts) fail instanceof but keep their brand.
    return Object.prototype.toString.call(value) === '[object Error]';
  } catch {
    return false;
  }
}

/** Property reads on thrown values may hit getters or proxies that throw. */
function safeGet(obj: object, key: string): unknown {
  try {
    return (obj as Record<string, unknown>)[key];
  } catch {
    return undefined;
  }
}

function safeString(value: unknown): string | undefined {
  try {
    return String(value);
  } catch {
    return undefined;
  }
}

function describeValue(value: unknown): string {
  let text: string | undefined;
  if (typeof value === 'object' && value !== null) {
    try {
      text = JSON.stringify(value);
    } catch {
      // Circular, a BigInt inside, or a throwing toJSON/getter: fall back to the tag.
    }
    if (text === undefined) {
      text = safeString(value);
      if (text === undefined) {
        try {
          text = Object.prototype.toString.call(value);
        } catch {
          text = 'an unprintable object';
        }
      }
    }
  } else if (typeof value === 'function') {
    text = `function ${value.name || '(anonymous)'}`;
  } else {
    text = safeString(value) ?? 'an unprintable value';
  }
  return text.length > MAX_VALUE_DESCRIPTION ? `${text.slice(0, MAX_VALUE_DESCRIPTION)}…` : text;
}
