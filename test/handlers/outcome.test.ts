import { describe, expect, it } from 'vitest';
import { toOutcome, toReportedError } from '../../src/handlers/outcome.js';

describe('toOutcome', () => {
  it('keeps a returned string as the post id', () => {
    expect(toOutcome('abc')).toEqual({ ok: true, postId: 'abc' });
  });
  it('keeps { postId } as a string', () => {
    expect(toOutcome({ postId: 'x1' })).toEqual({ ok: true, postId: 'x1' });
    expect(toOutcome({ postId: 42 })).toEqual({ ok: true, postId: '42' });
  });
  it('gives an empty post id for anything else', () => {
    for (const value of [undefined, null, 7, true, {}, [], () => 1, Symbol('s'), { postId: null }]) {
      expect(toOutcome(value)).toEqual({ ok: true, postId: '' });
    }
  });
  it('survives a postId getter that throws', () => {
    const evil = Object.defineProperty({}, 'postId', { get() { throw new Error('nope'); } });
    expect(toOutcome(evil)).toEqual({ ok: true, postId: '' });
  });
});

describe('toReportedError', () => {
  it('takes the message of an Error', () => {
    expect(toReportedError(new Error('adb timeout'))).toEqual({ message: 'adb timeout' });
    expect(toReportedError(new TypeError('x is not a function'))).toEqual({ message: 'x is not a function' });
  });

  it('names an Error with an empty message', () => {
    expect(toReportedError(new RangeError('')).message).toBe('handler threw RangeError with an empty message');
  });

  it('keeps the classification hints an Error carries', () => {
    const err = Object.assign(new Error('rate limited'), { category: 'account', type: 'rate_limit', retryable: true, retryAfterMs: 1500 });
    expect(toReportedError(err)).toEqual({ message: 'rate limited', category: 'account', type: 'rate_limit', retryable: true, retryAfterMs: 1500 });
  });

  it('reads retryAfter in seconds and retryAfterMs in milliseconds, the latter winning', () => {
    expect(toReportedError(Object.assign(new Error('slow down'), { retryAfter: 30 })).retryAfterMs).toBe(30_000);
    expect(toReportedError(Object.assign(new Error('slow down'), { retryAfter: '2' })).retryAfterMs).toBe(2000);
    expect(toReportedError(Object.assign(new Error('slow down'), { retryAfter: 30, retryAfterMs: 10 })).retryAfterMs).toBe(10);
  });

  it('ignores hints of the wrong type', () => {
    const err = Object.assign(new Error('m'), { category: 3, type: '', retryable: 'no', retryAfterMs: -5, retryAfter: Number.NaN });
    expect(toReportedError(err)).toEqual({ message: 'm' });
  });

  it('takes a thrown string as the message', () => {
    expect(toReportedError('boom')).toEqual({ message: 'boom' });
    expect(toReportedError('').message).toBe('handler threw an empty string');
  });

  it('describes thrown non-Error values', () => {
    expect(toReportedError({ weird: true }).message).toBe('handler threw a non-Error value: {"weird":true}');
    expect(toReportedError(42).message).toBe('handler threw a non-Error value: 42');
    expect(toReportedError(undefined).message).toBe('handler threw a non-Error value: undefined');
    expect(toReportedError(null).message).toBe('handler threw a non-Error value: null');
    expect(toReportedError(10n).message).toBe('handler threw a non-Error value: 10');
    expect(toReportedError(Symbol('s')).message).toBe('handler threw a non-Error value: Symbol(s)');
    expect(toReportedError(function named() {}).message).toBe('handler threw a non-Error value: function named');
  });

  it('keeps hints from a thrown plain object', () => {
    expect(toReportedError({ message: 'banned', retryable: false })).toEqual({
      message: 'handler threw a non-Error value: {"message":"banned","retryable":false}',
      retryable: false,
    });
  });

  it('survives circular objects, throwing getters, throwing toJSON and null prototypes', () => {
    const circular: Record<string, unknown> = { a: 1 };
    circular['self'] = circular;
    expect(toReportedError(circular).message).toBe('handler threw a non-Error value: [object Object]');

    const getter = Object.defineProperty({}, 'boom', { enumerable: true, get() { throw new Error('getter'); } });
    expect(toReportedError(getter).message).toMatch(/^handler threw a non-Error value: /);

    const bare = Object.create(null) as object;
    Object.defineProperty(bare, 'toJSON', { value: () => { throw new Error('json'); } });
    expect(toReportedError(bare).message).toBe('handler threw a non-Error value: [object Object]');

    const hostile = new Proxy({}, { get() { throw new Error('trap'); }, ownKeys() { throw new Error('trap'); } });
    expect(() => toReportedError(hostile)).not.toThrow();
    expect(typeof toReportedError(hostile).message).toBe('string');
  });

  it('survives an Error whose message getter throws', () => {
    const err = new Error('x');
    Object.defineProperty(err, 'message', { get() { throw new Error('no'); } });
    expect(toReportedError(err).message).toBe('handler threw Error with an empty message');
  });

  it('truncates a huge description', () => {
    const message = toReportedError({ big: 'y'.repeat(10_000) }).message;
    expect(message.length).toBeLessThan(600);
  });

  it('returns data that can cross a thread boundary', () => {
    const err = Object.assign(new Error('e'), { category: 'content', cause: new Error('inner'), extra: () => 1 });
    expect(() => structuredClone(toReportedError(err))).not.toThrow();
  });
});

describe('a poster that resolves false', () => {
  it('is a failure the classifier retries, as the older system reported it', async () => {
    const { toOutcome } = await import('../../src/handlers/outcome.js');
    const { classifyFailure } = await import('../../src/core/classify.js');
    const outcome = toOutcome(false);
    expect(outcome).toEqual({ ok: false, error: { message: 'post returned false' } });
    if (!outcome.ok) expect(classifyFailure(outcome.error)).toEqual({ category: 'infrastructure', type: 'claude_stuck', retryable: true });
  });
});
