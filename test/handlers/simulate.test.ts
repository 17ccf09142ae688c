import { describe, expect, it } from 'vitest';
import { HANDLER_UNUSABLE } from '../../src/handlers/errors.js';
import { toReportedError } from '../../src/handlers/outcome.js';
import fc from 'fast-check';
import { classifyFailure } from '../../src/core/classify.js';
import { createSimulateHandler, createSimulateVerify, planOf, SIMULATED_FAILURES, SIMULATED_MIX, simulatedAttempt } from '../../src/handlers/simulate.js';
import type { PostHandler } from '../../src/handlers/types.js';
import { job, postContext, verifyContext } from '../helpers/jobs.js';

async function settle(handler: PostHandler, id: string, attempt = 1): Promise<string> {
  try {
    const result = (await handler(job(id), postContext({ attempt, workerId: attempt * 7 }))) as { postId: string };
    return `ok ${result.postId}`;
  } catch (err) {
    return `fail ${(err as Error).message}`;
  }
}

const MIXED = { accountErrorRate: 0.1, contentErrorRate: 0.1, infrastructureErrorRate: 0.2, unknownErrorRate: 0.1 };

/** The category each simulated message is meant to fall in (docs/configuration.md#error-classification), written out by hand. */
const EXPECTED_CATEGORY: Record<string, string> = {
  'Your account has been suspended': 'account',
  'Action blocked. Try again later': 'account',
  'video corrupted: moov atom not found': 'content',
  'adb timeout: device offline': 'infrastructure',
  'socket hang up': 'infrastructure',
  'session not created: appium': 'infrastructure',
  'unexpected response from upload endpoint': 'unknown',
  'too many requests (HTTP 429)': 'rateLimit',
  'timeout waiting for post (aborted)': 'infrastructure',
};

/**
 * The error table's substrings (docs/configuration.md#error-classification), transcribed here (not imported from the real classifier) to check
 * that no message is caught by an earlier category than the one intended.
 */
const TABLE: [string, string[]][] = [
  ['account', ['we disabled your account', 'permanently disabled', 'no longer have access to', 'permanently deleted', 'suspended',
    'account has been suspended', 'your account is suspended', 'disabled', 'your account has been disabled', 'account disabled',
    'verify your identity', 'verification required', 'security check', "confirm it's you", 'verify your account', 'id_verification',
    'confirm your identity', 'video selfie', 'upload your id', 'log in', 'logged out', 'sign up', 'session expired', 'login required',
    'action blocked', 'try again later', 'temporarily blocked', 'banned', 'permanently banned', 'violating our terms']],
  ['content', ['video corrupted', 'moov atom', 'invalid data', 'no duration', 'zero duration', 'file not found']],
  ['infrastructure', ['adb timeout', 'adb connection', 'connection timed out', 'device offline', 'device not found', 'adb server',
    'never appeared', 'device did not appear', 'session not created', 'uiautomator', 'instrumentation', 'appium', 'webdriver',
    'selenium', 'session died', 'connection dropped', 'socket hang up', 'connection reset', 'broken pipe', 'connection refused',
    'network error', 'post returned false', 'max steps reached', 'navigation failed', 'could not find', 'element not found',
    'timeout waiting', 'loop stuck', 'loop recovery failed', 'glogin', 'login first', 'authentication required',
    'phone not started', 'cloud phone', 'failed to start phone']],
];
const categoryByTable = (message: string) =>
  TABLE.find(([, needles]) => needles.some((needle) => message.toLowerCase().includes(needle)))?.[0] ?? 'unknown';

describe('simulate handler', () => {
  it('succeeds on every job by default, with a sim- post id', async () => {
    const handler = createSimulateHandler(1);
    for (let i = 0; i < 50; i++) expect(await settle(handler, `job-${i}`)).toMatch(/^ok sim-[0-9a-f]{8}$/);
  });

  it('gives the same result for the same seed, job and attempt, whatever the instance or worker', async () => {
    const a = createSimulateHandler(42, MIXED);
    const b = createSimulateHandler(42, MIXED);
    const ids = Array.from({ length: 200 }, (_, i) => `job-${i}`);
    const first = await Promise.all(ids.map((id) => settle(a, id)));
    const second = await Promise.all([...ids].reverse().map((id) => settle(b, id)));
    expect(second.reverse()).toEqual(first);
    expect(first.some((r) => r.startsWith('ok'))).toBe(true);
    expect(first.some((r) => r.startsWith('fail'))).toBe(true);
  });

  it('varies with the seed and with the attempt', async () => {
    const ids = Array.from({ length: 100 }, (_, i) => `job-${i}`);
    const base = await Promise.all(ids.map((id) => settle(createSimulateHandler(1, MIXED), id)));
    const otherSeed = await Promise.all(ids.map((id) => settle(createSimulateHandler(2, MIXED), id)));
    const retry = await Promise.all(ids.map((id) => settle(createSimulateHandler(1, MIXED), id, 2)));
    expect(otherSeed).not.toEqual(base);
    expect(retry).not.toEqual(base);
  });

  it('lists each failure message under the category the classifier will give it', () => {
    for (const [category, messages] of Object.entries(SIMULATED_FAILURES)) {
      for (const message of messages) {
        expect(EXPECTED_CATEGORY[message], message).toBe(category);
        // A rate limit matches nothing in the table: its retry-after is what classifies it.
        expect(categoryByTable(message), message).toBe(category === 'rateLimit' ? 'unknown' : category);
      }
    }
    expect(categoryByTable('timeout waiting for post (aborted)')).toBe(EXPECTED_CATEGORY['timeout waiting for post (aborted)']);
  });

  it.each([
    ['account', { accountErrorRate: 1 }],
    ['content', { contentErrorRate: 1 }],
    ['infrastructure', { infrastructureErrorRate: 1 }],
    ['unknown', { unknownErrorRate: 1 }],
  ] as const)('fails every job with %s messages at rate 1', async (category, options) => {
    const handler = createSimulateHandler(7, options);
    const seen = new Set<string>();
    for (let i = 0; i < 60; i++) {
      const error = await handler(job(`j${i}`), postContext()).then(() => undefined, (err: unknown) => err);
      expect(error).toBeInstanceOf(Error);
      const { message, category: own } = toReportedError(error);
      expect(own).toBeUndefined();
      expect(EXPECTED_CATEGORY[message]).toBe(category);
      seen.add(message);
    }
    expect(seen.size).toBe(SIMULATED_FAILURES[category].length);
  });

  it('rejects on abort while waiting out its latency', async () => {
    const controller = new AbortController();
    const pending = createSimulateHandler(3, { meanLatencyMs: 600_000 })(job('slow'), postContext({ signal: controller.signal }));
    controller.abort();
    await expect(pending).rejects.toThrow('timeout waiting for post (aborted)');
  });

  it('rejects at once when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(createSimulateHandler(3)(job('x'), postContext({ signal: controller.signal }))).rejects.toThrow('(aborted)');
  });

  it('refuses impossible options', () => {
    for (const options of [{ accountErrorRate: 1.5 }, { unknownErrorRate: -0.1 }, { accountErrorRate: 0.6, contentErrorRate: 0.6 }, { meanLatencyMs: -1 }]) {
      expect(() => createSimulateHandler(1, options)).toThrow(expect.objectContaining({ code: HANDLER_UNUSABLE }));
    }
    expect(() => createSimulateHandler(Number.NaN)).toThrow(/seed/);
  });
});

describe('simulate handler: the failure mix, retry-after and crashes', () => {
  const ids = Array.from({ length: 4000 }, (_, i) => `job-${i}`);

  it('splits failRate by the realistic mix, and the rest succeed', () => {
    const plan = planOf(5, { failRate: 0.5 });
    const counts: Record<string, number> = {};
    for (const id of ids) {
      const attempt = simulatedAttempt(5, plan, job(id), 1);
      const kind = attempt.kind === 'failure' ? Object.entries(SIMULATED_FAILURES).find(([, messages]) => (messages as readonly string[]).includes(attempt.message))![0] : attempt.kind;
      counts[kind] = (counts[kind] ?? 0) + 1;
    }
    expect(counts['success']! / ids.length).toBeCloseTo(0.5, 1);
    for (const [category, share] of Object.entries(SIMULATED_MIX)) expect(counts[category]! / ids.length, category).toBeCloseTo(0.5 * share, 1);
    expect(counts['crash']).toBeUndefined();
  });

  it('gives rate limits a retry-after within the range, which classifies them as rate_limit and cools the account down', async () => {
    const handler = createSimulateHandler(3, { rateLimitErrorRate: 1, minRetryAfterMs: 2000, maxRetryAfterMs: 4000 });
    for (let i = 0; i < 20; i++) {
      const reported = toReportedError(await handler(job(`r${i}`), postContext()).catch((error: unknown) => error));
      expect(reported.message).toBe('too many requests (HTTP 429)');
      expect(reported.retryAfterMs).toBeGreaterThanOrEqual(2000);
      expect(reported.retryAfterMs).toBeLessThanOrEqual(4000);
      expect(classifyFailure({ message: reported.message })).toMatchObject({ category: 'unknown' });
    }
  });

  it('keeps the outcomes a seed always had when only the old options are given', () => {
    const old = planOf(42, MIXED);
    const withNewKinds = planOf(42, { ...MIXED, rateLimitErrorRate: 0, crashRate: undefined });
    for (const id of ids.slice(0, 200)) expect(simulatedAttempt(42, withNewKinds, job(id), 2)).toEqual(simulatedAttempt(42, old, job(id), 2));
  });

  it('draws a crash per claim: the same attempt claimed again (after verify said not posted) does not crash the same way', () => {
    const plan = planOf(9, { crashRate: 0.5 });
    const crashed = (runId: string) => ids.slice(0, 400).map((id) => simulatedAttempt(9, plan, job(id, { run_id: runId, claimed_at: '2025-12-14T09:00:00.000Z' }), 1).kind === 'crash');
    expect(crashed('aaaaaa')).toEqual(crashed('aaaaaa'));
    expect(crashed('aaaaaa')).not.toEqual(crashed('bbbbbb'));
  });

  it('crashes at about the crash rate, half of the crashes after the post went out', () => {
    const plan = planOf(9, { crashRate: 0.2, failRate: 0.3, minLatencyMs: 1000, maxLatencyMs: 1000 });
    const crashes = ids.map((id) => simulatedAttempt(9, plan, job(id), 1)).filter((attempt) => attempt.kind === 'crash');
    expect(crashes.length / ids.length).toBeCloseTo(0.2, 1);
    const posted = crashes.filter((attempt) => attempt.kind === 'crash' && attempt.posted);
    expect(posted.length / crashes.length).toBeCloseTo(0.5, 1);
    // After the post: at the end of the latency; before it: midway.
    for (const crash of crashes) expect(crash.latencyMs).toBeLessThanOrEqual(1000);
    for (const crash of posted) expect(crash.latencyMs).toBe(1000);
  });

  it('a crash outside a worker thread throws instead of ending the process', async () => {
    const handler = createSimulateHandler(1, { crashRate: 1 });
    await expect(handler(job('c'), postContext())).rejects.toThrow(/simulated crash/);
  });

  it('has a verify only when it simulates crashes (crash given, even 0)', () => {
    expect(createSimulateVerify(1, {})).toBeUndefined();
    expect(createSimulateVerify(1, { failRate: 0.5 })).toBeUndefined();
    expect(createSimulateVerify(1, { crashRate: 0 })).toBeTypeOf('function');
  });

  it("verify answers what the attempt in flight did: posted (with the post's id), failed, or crashed before or after posting", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer(), fc.string({ minLength: 1, maxLength: 12 }), fc.integer({ min: 0, max: 5 }), fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 6, maxLength: 6 }), fc.integer({ min: 0, max: 4e12 }), async (seed, id, attempts, runId, claimedAt) => {
        const options = { crashRate: 0.3, failRate: 0.4 };
        const verify = createSimulateVerify(seed, options)!;
        const claim = job(id, { status: 'claimed', attempts, run_id: runId, claimed_at: new Date(claimedAt).toISOString() });
        const attempt = simulatedAttempt(seed, planOf(seed, options), claim, attempts + 1);
        const answer = await verify({ ...claim, status: 'unconfirmed' }, verifyContext());
        if (attempt.kind === 'failure') expect(answer).toBe('not-posted');
        else if (attempt.kind === 'crash' && !attempt.posted) expect(answer).toBe('not-posted');
        else expect(answer).toEqual({ verdict: 'posted', postId: attempt.postId });
        // What post itself does on that attempt agrees (outside a worker thread a crash throws).
        const posted = await createSimulateHandler(seed, options)(claim, postContext({ attempt: attempts + 1 })).then((value) => value, (error: unknown) => error);
        if (attempt.kind === 'success') expect(posted).toEqual({ postId: attempt.postId });
        else expect(posted).toBeInstanceOf(Error);
      }),
      { numRuns: 300 },
    );
  });
});
