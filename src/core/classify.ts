/** Error classification (docs/configuration.md#error-classification): which failures are worth retrying. */

export interface ErrorClass {
  category: string;
  type: string;
  retryable: boolean;
}

export interface CategoryRule {
  category: string;
  retryable: boolean;
  /** type name → substrings matched case-insensitively against the error message. */
  types: Record<string, readonly string[]>;
}

/** The seed system's table, checked in this order; the first matching substring wins. */
export const DEFAULT_RULES: readonly CategoryRule[] = [
  {
    category: 'account',
    retryable: false,
    types: {
      terminated: ['we disabled your account', 'permanently disabled', 'no longer have access to', 'permanently deleted'],
      suspended: ['suspended', 'account has been suspended', 'your account is suspended'],
      disabled: ['disabled', 'your account has been disabled', 'account disabled'],
      verification: ['verify your identity', 'verification required', 'security check', "confirm it's you", 'verify your account', 'id_verification', 'confirm your identity', 'video selfie', 'upload your id'],
      logged_out: ['log in', 'logged out', 'sign up', 'session expired', 'login required'],
      action_blocked: ['action blocked', 'try again later', 'temporarily blocked'],
      banned: ['banned', 'permanently banned', 'violating our terms'],
    },
  },
  {
    category: 'content',
    retryable: false,
    types: { corrupted_video: ['video corrupted', 'moov atom', 'invalid data', 'no duration', 'zero duration', 'file not found'] },
  },
  {
    category: 'infrastructure',
    retryable: true,
    types: {
      adb_timeout: ['adb timeout', 'adb connection', 'connection timed out', 'device offline', 'device not found', 'adb server', 'never appeared', 'device did not appear'],
      appium_crash: ['session not created', 'uiautomator', 'instrumentation', 'appium', 'webdriver', 'selenium', 'session died'],
      connection_dropped: ['connection dropped', 'socket hang up', 'connection reset', 'broken pipe', 'connection refused', 'network error'],
      claude_stuck: ['post returned false', 'max steps reached', 'navigation failed', 'could not find', 'element not found', 'timeout waiting', 'loop stuck', 'loop recovery failed'],
      glogin_expired: ['glogin', 'login first', 'authentication required'],
      phone_error: ['phone not started', 'cloud phone', 'failed to start phone'],
    },
  },
];

export const UNKNOWN_CLASS: ErrorClass = { category: 'unknown', type: 'unknown', retryable: true };

/**
 * Extends the default table: added substrings join an existing category/type, new categories are
 * checked after the defaults (so configuration can never loosen a non-retryable default by accident).
 */
export function extendRules(additions: readonly CategoryRule[], base: readonly CategoryRule[] = DEFAULT_RULES): CategoryRule[] {
  const merged = base.map((rule) => ({ ...rule, types: Object.fromEntries(Object.entries(rule.types).map(([t, s]) => [t, [...s]])) }));
  for (const add of additions) {
    const existing = merged.find((rule) => rule.category === add.category);
    if (!existing) {
      merged.push({ ...add, types: Object.fromEntries(Object.entries(add.types).map(([t, s]) => [t, [...s]])) });
      continue;
    }
    for (const [type, needles] of Object.entries(add.types)) {
      existing.types[type] = [...(existing.types[type] ?? []), ...needles];
    }
  }
  return merged;
}

/** Lower-cased once per table, since classification runs on every failure. */
const preparedCache = new WeakMap<readonly CategoryRule[], Array<{ rule: CategoryRule; types: Array<[string, string[]]> }>>();
function prepare(rules: readonly CategoryRule[]) {
  let prepared = preparedCache.get(rules);
  if (!prepared) {
    prepared = rules.map((rule) => ({ rule, types: Object.entries(rule.types).map(([t, s]) => [t, s.map((n) => n.toLowerCase())] as [string, string[]]) }));
    preparedCache.set(rules, prepared);
  }
  return prepared;
}

export function classifyMessage(message: string, rules: readonly CategoryRule[] = DEFAULT_RULES): ErrorClass {
  const text = message.toLowerCase();
  for (const { rule, types } of prepare(rules)) {
    for (const [type, needles] of types) {
      if (needles.some((needle) => text.includes(needle))) return { category: rule.category, type, retryable: rule.retryable };
    }
  }
  return UNKNOWN_CLASS;
}

/** A failure as a handler reported it; its own category/type/retryable win over the table. */
export interface FailureReport {
  message: string;
  category?: string | undefined;
  type?: string | undefined;
  retryable?: boolean | undefined;
}

export function classifyFailure(failure: FailureReport, rules: readonly CategoryRule[] = DEFAULT_RULES): ErrorClass {
  const byTable = classifyMessage(failure.message, rules);
  const category = failure.category ?? byTable.category;
  const declaredRule = failure.category === undefined ? undefined : rules.find((rule) => rule.category === failure.category);
  const retryable = failure.retryable ?? (failure.category === undefined ? byTable.retryable : declaredRule?.retryable ?? true);
  const type = failure.type ?? (failure.category === undefined || failure.category === byTable.category ? byTable.type : 'other');
  return { category, type, retryable };
}

/** Categories an operator would not want revived by a plain `retry-failed`. */
export function isNonRetryableCategory(category: string, rules: readonly CategoryRule[] = DEFAULT_RULES): boolean {
  return rules.some((rule) => rule.category === category && !rule.retryable);
}

/** Spellings of older versions of the seed system's tracker, which named a type without its category. */
const OLDER_TYPE_NAMES: ReadonlyMap<string, string> = new Map([['captcha', 'verification']]);

/** `action_blocked`, `actionblocked` and `Action Blocked` are one type. */
const typeKey = (name: string) => name.toLowerCase().replace(/[^a-z0-9]/g, '');

const typesByKey = new Map<string, { category: string; type: string }>(
  DEFAULT_RULES.flatMap((rule) => Object.keys(rule.types).map((type) => [typeKey(type), { category: rule.category, type }] as const)),
);

/** A failure as a ledger row records it. */
export interface RecordedFailure {
  status: string;
  error: string;
  error_type: string;
  error_category: string;
}

/**
 * The category (and type) of a failure recorded without one: older ledgers of the seed system wrote
 * only `error_type` (`suspended`, `actionblocked`…), some rows only the error text. The type names
 * its category through the seed system's table when the table knows it (under the older spellings
 * too), else the error text is classified by the same table; undefined for a row that records a
 * category already, is not a failure, or says nothing about why. Used when a ledger is read, so
 * freezing, `retry-failed`, `status` and reports all see the same category.
 */
export function classOfRecordedFailure(row: Readonly<RecordedFailure>): { category: string; type: string } | undefined {
  if (row.error_category !== '' || (row.status !== 'failed' && row.status !== 'retrying')) return undefined;
  if (row.error_type === '' && row.error === '') return undefined;
  const key = typeKey(row.error_type);
  const known = typesByKey.get(OLDER_TYPE_NAMES.get(key) ?? key);
  if (known) return known;
  const byText = classifyMessage(row.error);
  if (byText !== UNKNOWN_CLASS) return { category: byText.category, type: row.error_type || byText.type };
  return { category: UNKNOWN_CLASS.category, type: row.error_type || UNKNOWN_CLASS.type };
}
