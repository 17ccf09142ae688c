import { describe, expect, it } from 'vitest';
import { HANDLER_UNUSABLE } from '../../src/handlers/errors.js';
import { toReportedError } from '../../src/handlers/outcome.js';
import { createSimulateHandler, SIMULATED_FAILURES } from '../../src/handlers/simulate.js';
import type { PostHandler } from '../../src/handlers/types.js';
import { job, postContext } from '../helpers/jobs.js';

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
        expect(categoryByTable(message), message).toBe(category);
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
