/** The configuration in effect, written back in the file's own shape (durations as `5m`, ranges as `08:00-12:00`). */
import { formatDuration } from '../core/duration.js';
import type { EffectiveConfig } from './load.js';
import type { ConfigFileInput } from './schema.js';

/**
 * Every setting, in the shape of `daycap.config.json`: saved as a file, it reads back to the same
 * configuration. A cap left to the state file is left out, as is any other unset setting.
 */
export function configAsFile(config: EffectiveConfig): ConfigFileInput {
  const { pacing, health } = config;
  return {
    ...(config.cap === undefined ? {} : { cap: config.cap }),
    maxAttempts: config.maxAttempts,
    maxPasses: config.maxPasses,
    retryDelay: formatDuration(config.retryDelayMs),
    workers: config.workers,
    jobTimeout: formatDuration(config.jobTimeoutMs),
    grace: formatDuration(config.graceMs),
    ...(config.verify === undefined ? {} : { verify: config.verify.text }),
    verifyTimeout: formatDuration(config.verifyTimeoutMs),
    ...(config.notify === undefined ? {} : { notify: config.notify.text }),
    notifyTimeout: formatDuration(config.notifyTimeoutMs),
    classification: config.rules.map((rule) => ({ category: rule.category, retryable: rule.retryable, types: Object.fromEntries(Object.entries(rule.types).map(([type, needles]) => [type, [...needles]])) })),
    health: {
      freezeCategories: [...health.freezeCategories],
      cooldownTypes: [...health.cooldownTypes],
      defaultCooldown: formatDuration(health.defaultCooldownMs),
      failureStreak: health.failureStreak,
      streakCooldown: formatDuration(health.streakCooldownMs),
    },
    pacing: {
      capMode: pacing.capMode,
      minGap: formatDuration(pacing.minGapMs),
      jitter: formatDuration(pacing.jitterMs),
      ...(pacing.perMinute === undefined ? {} : { perMinute: pacing.perMinute }),
      maxWait: formatDuration(pacing.maxWaitMs),
      ...(pacing.windows === undefined
        ? {}
        : { windows: { timeZone: pacing.windows.timeZone, ranges: pacing.windows.ranges.map((range) => `${range.start}-${range.end}`), atEnd: pacing.windows.atEnd } }),
    },
    preflight: { ...config.preflight },
    ledger: { ...config.ledger },
  };
}
