/**
 * The configuration in effect: built-in defaults, then `daycap.config.json` (or the file named by
 * --config), then command-line flags. Only reading and checking happen here; nothing is changed.
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { DEFAULT_PREFLIGHT, type PreflightSettings } from '../api/preflight.js';
import { DEFAULT_RULES, extendRules, type CategoryRule } from '../core/classify.js';
import { DEFAULT_MAX_ATTEMPTS, DEFAULT_RETRY_DELAY_MS } from '../core/job.js';
import { DEFAULT_HEALTH, DEFAULT_PACING, type HealthPolicy, type PacingPolicy, type PostingWindows } from '../core/policy.js';
import type { TimeFormat } from '../core/time.js';
import { ConfigError, InputError } from '../errors.js';
import { parseJson } from '../inputs/json.js';
import { decodeUtf8, type InputKind } from '../inputs/read.js';
import { RUN_DEFAULTS } from '../runner/defaults.js';
import { describeIssues } from './issues.js';
import { ConfigSchema, rulesOf, type ClassificationInput, type CommandSetting, type ConfigFile } from './schema.js';

/** Read from the current folder when --config does not name another file. */
export const CONFIG_FILE = 'daycap.config.json';

export interface EffectiveConfig {
  /** The file read, as named (or `daycap.config.json` in the folder); undefined: built-in defaults only. */
  source: string | undefined;
  /** undefined: the state's or campaign.json's setting, else 1. */
  cap: number | undefined;
  /** For new jobs; a scheduler state's own max_attempts for a job wins. */
  maxAttempts: number;
  maxPasses: number;
  retryDelayMs: number;
  workers: number;
  jobTimeoutMs: number;
  graceMs: number;
  /** A verify program for handlers without a verify of their own (`--verify`). */
  verify: CommandSetting | undefined;
  /** How long one verify may take before its answer counts as unknown. */
  verifyTimeoutMs: number;
  /** A program told when something needs a person (`--notify`). */
  notify: CommandSetting | undefined;
  /** How long one notify call may take before it is stopped. */
  notifyTimeoutMs: number;
  /** The classification table: the defaults with the file's additions. */
  rules: CategoryRule[];
  health: HealthPolicy;
  pacing: PacingPolicy;
  preflight: PreflightSettings;
  ledger: LedgerSettings;
}

export interface LedgerSettings {
  /** How times are written into a ledger that has none yet; a ledger with times keeps its own convention. */
  timeFormat: TimeFormat;
}

/** What flags can set; undefined means the flag was not given. */
export interface ConfigOverrides {
  cap?: number | undefined;
  maxAttempts?: number | undefined;
  maxPasses?: number | undefined;
  retryDelayMs?: number | undefined;
  workers?: number | undefined;
  jobTimeoutMs?: number | undefined;
  graceMs?: number | undefined;
  verify?: CommandSetting | undefined;
  verifyTimeoutMs?: number | undefined;
  notify?: CommandSetting | undefined;
  notifyTimeoutMs?: number | undefined;
}

/** The configuration when there is no file and no flag. */
export function defaultConfig(): EffectiveConfig {
  return {
    source: undefined,
    cap: undefined,
    maxAttempts: DEFAULT_MAX_ATTEMPTS,
    maxPasses: RUN_DEFAULTS.maxPasses,
    retryDelayMs: DEFAULT_RETRY_DELAY_MS,
    workers: RUN_DEFAULTS.workers,
    jobTimeoutMs: RUN_DEFAULTS.jobTimeoutMs,
    graceMs: RUN_DEFAULTS.graceMs,
    verify: undefined,
    verifyTimeoutMs: RUN_DEFAULTS.verifyTimeoutMs,
    notify: undefined,
    notifyTimeoutMs: RUN_DEFAULTS.notifyTimeoutMs,
    rules: extendRules([]),
    health: { ...DEFAULT_HEALTH, freezeCategories: [...DEFAULT_HEALTH.freezeCategories], cooldownTypes: [...DEFAULT_HEALTH.cooldownTypes] },
    pacing: { ...DEFAULT_PACING },
    preflight: { ...DEFAULT_PREFLIGHT },
    ledger: { timeFormat: 'utc' },
  };
}

const MISSING_HINT = `Check the path given to --config. Without --config, daycap reads ${CONFIG_FILE} from the current folder if there is one.`;
const KIND: InputKind = { what: 'configuration file', code: 'CONFIG_INVALID', hint: MISSING_HINT };

/**
 * Reads the configuration: `options.path` (relative to `cwd`), which must exist, or else
 * `daycap.config.json` in `cwd`, which may be absent (then the defaults apply).
 */
export async function loadConfig(options: { path?: string | undefined; cwd?: string | undefined } = {}): Promise<EffectiveConfig> {
  // Messages name the file as the operator did: the path they gave, or the default name.
  const shown = options.path ?? (options.cwd === undefined ? CONFIG_FILE : join(options.cwd, CONFIG_FILE));
  const file = resolve(options.cwd ?? process.cwd(), options.path ?? CONFIG_FILE);
  const text = await readConfigText(file, shown, options.path !== undefined);
  if (text === undefined) return defaultConfig();
  let raw: unknown;
  try {
    raw = parseJson(text, shown, KIND.code, '');
  } catch (error) {
    throw error instanceof InputError ? new ConfigError(error.message, { cause: error }) : error;
  }
  return parseConfig(raw, shown);
}

/** The file's text; undefined when the default file is absent, which is no mistake. */
async function readConfigText(file: string, shown: string, named: boolean): Promise<string | undefined> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      if (!named) return undefined;
      throw new ConfigError(`${shown}: configuration file not found`, { cause: error, hint: MISSING_HINT });
    }
    if (code === 'EISDIR') throw new ConfigError(`${shown} is a folder, not a configuration file`, { cause: error, hint: MISSING_HINT });
    throw new ConfigError(`${shown}: cannot read the configuration file: ${(error as Error).message}`, { cause: error, hint: 'Check its permissions.' });
  }
  try {
    return decodeUtf8(bytes, shown, KIND);
  } catch (error) {
    throw error instanceof InputError ? new ConfigError(error.message, { cause: error, ...(error.hint ? { hint: error.hint } : {}) }) : error;
  }
}

/** Checks parsed JSON against the schema and lays it over the defaults; `file` names it in messages. */
export function parseConfig(raw: unknown, file: string): EffectiveConfig {
  const parsed = ConfigSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) throw new ConfigError(describeIssues(file, parsed.error.issues));
  return { ...fromFile(parsed.data), source: file };
}

function fromFile(file: ConfigFile): EffectiveConfig {
  const base = defaultConfig();
  return {
    source: undefined,
    cap: file.cap,
    maxAttempts: file.maxAttempts ?? base.maxAttempts,
    maxPasses: file.maxPasses ?? base.maxPasses,
    retryDelayMs: file.retryDelay ?? base.retryDelayMs,
    workers: file.workers ?? base.workers,
    jobTimeoutMs: file.jobTimeout ?? base.jobTimeoutMs,
    graceMs: file.grace ?? base.graceMs,
    verify: file.verify,
    verifyTimeoutMs: file.verifyTimeout ?? base.verifyTimeoutMs,
    notify: file.notify,
    notifyTimeoutMs: file.notifyTimeout ?? base.notifyTimeoutMs,
    rules: extendRules(newNeedlesOnly(file.classification ?? [])),
    health: {
      freezeCategories: file.health?.freezeCategories ?? base.health.freezeCategories,
      cooldownTypes: file.health?.cooldownTypes ?? base.health.cooldownTypes,
      defaultCooldownMs: file.health?.defaultCooldown ?? base.health.defaultCooldownMs,
      failureStreak: file.health?.failureStreak ?? base.health.failureStreak,
      streakCooldownMs: file.health?.streakCooldown ?? base.health.streakCooldownMs,
    },
    pacing: {
      capMode: file.pacing?.capMode ?? base.pacing.capMode,
      minGapMs: file.pacing?.minGap ?? base.pacing.minGapMs,
      jitterMs: file.pacing?.jitter ?? base.pacing.jitterMs,
      perMinute: file.pacing?.perMinute ?? base.pacing.perMinute,
      maxWaitMs: file.pacing?.maxWait ?? base.pacing.maxWaitMs,
      windows: file.pacing?.windows ? windowsOf(file.pacing.windows) : base.pacing.windows,
    },
    preflight: {
      maxCaptionLength: file.preflight?.maxCaptionLength ?? base.preflight.maxCaptionLength,
      checkVideos: file.preflight?.checkVideos ?? base.preflight.checkVideos,
    },
    ledger: { timeFormat: file.ledger?.timeFormat ?? base.ledger.timeFormat },
  };
}

/** Ranges read as the machine's own clock unless the file names a zone. */
function windowsOf(windows: NonNullable<NonNullable<ConfigFile['pacing']>['windows']>): PostingWindows {
  return {
    timeZone: windows.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone,
    ranges: windows.ranges,
    atEnd: windows.atEnd ?? 'wait',
  };
}

/**
 * Drops texts the table already has for the same category and type, so a file written from
 * `daycap config --print` (which lists the whole table) reads back to the same table.
 */
function newNeedlesOnly(additions: readonly ClassificationInput[]): CategoryRule[] {
  const seen = new Map<string, Set<string>>();
  const key = (category: string, type: string) => `${category}\u0000${type}`;
  const remember = (category: string, type: string, needles: readonly string[]) => {
    const set = seen.get(key(category, type)) ?? new Set<string>();
    for (const needle of needles) set.add(needle.toLowerCase());
    seen.set(key(category, type), set);
  };
  for (const rule of DEFAULT_RULES) for (const [type, needles] of Object.entries(rule.types)) remember(rule.category, type, needles);
  return rulesOf(additions).map((rule) => {
    const types: Record<string, string[]> = {};
    for (const [type, needles] of Object.entries(rule.types)) {
      const known = seen.get(key(rule.category, type));
      types[type] = needles.filter((needle) => !known?.has(needle.toLowerCase()));
      remember(rule.category, type, needles);
    }
    return { ...rule, types };
  });
}

/** Flags win over the file; a flag not given leaves the file's (or the default) value. */
export function applyOverrides(config: EffectiveConfig, overrides: ConfigOverrides): EffectiveConfig {
  const given = Object.fromEntries(Object.entries(overrides).filter(([, value]) => value !== undefined)) as ConfigOverrides;
  return { ...config, ...given };
}
