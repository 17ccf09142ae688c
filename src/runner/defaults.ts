/**
 * The runner's settings when neither a flag nor the configuration file gives one. One place, so the
 * runner, the configuration and `daycap config --print` cannot disagree.
 */
export const RUN_DEFAULTS = {
  workers: 4,
  maxPasses: 3,
  jobTimeoutMs: 10 * 60_000,
  /** How long jobs in flight may finish after a stop before they are aborted. */
  graceMs: 30_000,
  /** How long a verify may take for one job before its answer counts as unknown. */
  verifyTimeoutMs: 60_000,
  /** How long one call of the notify program may take before it is stopped. */
  notifyTimeoutMs: 30_000,
} as const;
