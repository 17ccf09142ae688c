import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_PREFLIGHT } from '../../src/api/preflight.js';
import { applyOverrides, CONFIG_FILE, configAsFile, defaultConfig, durationMs, formatDuration, loadConfig, parseConfig, type EffectiveConfig } from '../../src/config/index.js';
import { closest } from '../../src/config/issues.js';
import { classifyMessage, DEFAULT_RULES, isNonRetryableCategory } from '../../src/core/classify.js';
import { DEFAULT_MAX_ATTEMPTS, DEFAULT_RETRY_DELAY_MS } from '../../src/core/job.js';
import { DEFAULT_HEALTH, DEFAULT_PACING } from '../../src/core/policy.js';
import { planSeed } from '../../src/core/seed.js';
import { ConfigError, DaycapError } from '../../src/errors.js';
import { RUN_DEFAULTS } from '../../src/runner/defaults.js';
import { tempDir } from '../helpers/files.js';

const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function folder(files: Record<string, string> = {}): string {
  const dir = tempDir('daycap-config-');
  made.push(dir);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

/** The message a configuration is refused with (and a check that it is refused the right way). */
function refusal(raw: unknown, file = CONFIG_FILE): string {
  try {
    parseConfig(raw, file);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).message;
  }
  throw new Error(`expected ${JSON.stringify(raw)} to be refused`);
}

/** The example of docs/configuration.md, every section set. */
const FULL = {
  cap: 2,
  maxAttempts: 4,
  maxPasses: 5,
  retryDelay: '5m',
  workers: 6,
  jobTimeout: '15m',
  grace: '45s',
  verify: "command:./check.py {account} '{video_path}'",
  verifyTimeout: '2m',
  notify: 'command:curl -fsS -m 10 -d {message} https://ntfy.sh/night-shift',
  notifyTimeout: '15s',
  classification: [{ category: 'account', retryable: false, types: { shadowbanned: ['shadowban'] } }],
  health: { freezeCategories: ['account', 'content'], cooldownTypes: ['action_blocked'], defaultCooldown: '2h', failureStreak: 4, streakCooldown: '20m' },
  pacing: {
    capMode: 'rolling-24h',
    minGap: '10m',
    jitter: '3m',
    perMinute: 20,
    maxWait: '1h30m',
    windows: { timeZone: 'Europe/Berlin', ranges: ['08:00-12:00', '14:00-23:00'], atEnd: 'end' },
  },
  preflight: { maxCaptionLength: 150, checkVideos: false },
  ledger: { timeFormat: 'local' },
};

describe('defaults', () => {
  it('with no file, every setting is the built-in default and the cap is left to the state file', async () => {
    const config = await loadConfig({ cwd: folder() });
    expect(config).toEqual(defaultConfig());
    expect(config).toEqual({
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
      rules: [...DEFAULT_RULES],
      health: DEFAULT_HEALTH,
      pacing: DEFAULT_PACING,
      preflight: DEFAULT_PREFLIGHT,
      ledger: { timeFormat: 'utc' },
    } satisfies EffectiveConfig);
    expect(config).toMatchObject({ maxAttempts: 3, maxPasses: 3, retryDelayMs: 300_000, workers: 4, jobTimeoutMs: 600_000, graceMs: 30_000, preflight: { maxCaptionLength: 2200, checkVideos: true } });
  });

  it('an empty object is the defaults too, read from the file', () => {
    expect(parseConfig({}, 'x.json')).toEqual({ ...defaultConfig(), source: 'x.json' });
  });

  it('hands out copies: changing one configuration does not change the defaults', () => {
    const config = defaultConfig();
    (config.rules[0]!.types['suspended'] as string[]).push('mutated');
    (config.health.freezeCategories as string[]).push('mutated');
    expect(defaultConfig().rules).toEqual(DEFAULT_RULES);
    expect(DEFAULT_HEALTH.freezeCategories).toEqual(['account']);
  });
});

describe('reading the file', () => {
  it('reads daycap.config.json from the folder', async () => {
    const dir = folder({ [CONFIG_FILE]: JSON.stringify({ cap: 2 }) });
    expect(await loadConfig({ cwd: dir })).toMatchObject({ source: join(dir, CONFIG_FILE), cap: 2 });
  });

  it('reads the named file, relative to the folder or absolute, instead of the default one', async () => {
    const dir = folder({ [CONFIG_FILE]: JSON.stringify({ cap: 2 }), 'conf/night.json': JSON.stringify({ cap: 3 }) });
    expect(await loadConfig({ cwd: dir, path: 'conf/night.json' })).toMatchObject({ source: 'conf/night.json', cap: 3 });
    expect(await loadConfig({ cwd: folder(), path: join(dir, 'conf/night.json') })).toMatchObject({ cap: 3 });
  });

  it('a named file that does not exist is an error; a missing default file is not', async () => {
    const dir = folder();
    await expect(loadConfig({ cwd: dir })).resolves.toMatchObject({ source: undefined });
    const error = await loadConfig({ cwd: dir, path: 'nope.json' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject({ code: 'CONFIG_INVALID', exitCode: 2, operatorError: true, message: 'nope.json: configuration file not found' });
    expect((error as ConfigError).hint).toContain('--config');
  });

  it('a folder where the file should be is an error', async () => {
    const dir = folder();
    mkdirSync(join(dir, CONFIG_FILE));
    await expect(loadConfig({ cwd: dir })).rejects.toThrow(/is a folder/);
  });

  it('invalid JSON names the line and the column', async () => {
    const dir = folder({ [CONFIG_FILE]: '{\n  "cap": 2,\n  "workers": 4,\n}\n', 'two.json': '{\n  "cap": 2\n  "workers": 4\n}' });
    await expect(loadConfig({ cwd: dir })).rejects.toThrow(`${join(dir, CONFIG_FILE)}:4:1: not valid JSON`);
    const error = await loadConfig({ cwd: dir, path: 'two.json' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/^two\.json:3:3: not valid JSON/);
  });

  it('accepts a byte-order mark and CRLF line ends, refuses text that is not UTF-8', async () => {
    const dir = folder({ 'bom.json': '\uFEFF{\r\n  "cap": 2\r\n}\r\n' });
    expect(await loadConfig({ cwd: dir, path: 'bom.json' })).toMatchObject({ cap: 2 });
    writeFileSync(join(dir, 'latin1.json'), Buffer.from([0x7b, 0x22, 0xe9, 0x22, 0x3a, 0x31, 0x7d]));
    await expect(loadConfig({ cwd: dir, path: 'latin1.json' })).rejects.toThrow(/latin1\.json:1:3: is not UTF-8/);
  });

  it('ConfigError is a DaycapError the CLI reports as an operator mistake', () => {
    const error = new ConfigError('x.json: cap: expected a whole number of 1 or more, got 0');
    expect(error).toBeInstanceOf(DaycapError);
    expect(error).toMatchObject({ name: 'ConfigError', code: 'CONFIG_INVALID', exitCode: 2, operatorError: true });
    expect(error.hint).toMatch(/--config/);
  });
});

describe('every section parses', () => {
  it('the full example', () => {
    const config = parseConfig(FULL, 'full.json');
    expect(config).toMatchObject({
      source: 'full.json',
      cap: 2,
      maxAttempts: 4,
      maxPasses: 5,
      retryDelayMs: 300_000,
      workers: 6,
      jobTimeoutMs: 900_000,
      graceMs: 45_000,
      health: { freezeCategories: ['account', 'content'], cooldownTypes: ['action_blocked'], defaultCooldownMs: 7_200_000, failureStreak: 4, streakCooldownMs: 1_200_000 },
      pacing: {
        capMode: 'rolling-24h',
        minGapMs: 600_000,
        jitterMs: 180_000,
        perMinute: 20,
        maxWaitMs: 5_400_000,
        windows: { timeZone: 'Europe/Berlin', ranges: [{ start: '08:00', end: '12:00' }, { start: '14:00', end: '23:00' }], atEnd: 'end' },
      },
      preflight: { maxCaptionLength: 150, checkVideos: false },
      ledger: { timeFormat: 'local' },
    });
  });

  it('a section given in part keeps the defaults for the rest', () => {
    const config = parseConfig({ health: { failureStreak: 0 }, pacing: { minGap: '90s' }, preflight: { checkVideos: false } }, 'f');
    expect(config.health).toEqual({ ...DEFAULT_HEALTH, failureStreak: 0 });
    expect(config.pacing).toEqual({ ...DEFAULT_PACING, minGapMs: 90_000 });
    expect(config.preflight).toEqual({ maxCaptionLength: 2200, checkVideos: false });
  });

  it('posting windows default to the machine\'s time zone and to waiting for the next window', () => {
    const { windows } = parseConfig({ pacing: { windows: { ranges: ['22:00-02:00', '9:30 - 24:00'] } } }, 'f').pacing;
    expect(windows).toEqual({ timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone, ranges: [{ start: '22:00', end: '02:00' }, { start: '09:30', end: '24:00' }], atEnd: 'wait' });
  });

  it('classification adds types to a category the table has, and new categories after the defaults', () => {
    const { rules } = parseConfig(
      {
        classification: [
          { category: 'account', types: { shadowbanned: ['shadowban'], suspended: ['account on hold'] } },
          { category: 'platform', retryable: false, types: { quota: ['daily upload limit'] } },
          { category: 'network', retryable: true, types: { dns: ['getaddrinfo'] } },
        ],
      },
      'f',
    );
    expect(classifyMessage('Shadowban detected', rules)).toEqual({ category: 'account', type: 'shadowbanned', retryable: false });
    expect(classifyMessage('Account on hold', rules)).toEqual({ category: 'account', type: 'suspended', retryable: false });
    expect(classifyMessage('Daily upload limit reached', rules)).toEqual({ category: 'platform', type: 'quota', retryable: false });
    expect(classifyMessage('getaddrinfo ENOTFOUND', rules)).toEqual({ category: 'network', type: 'dns', retryable: true });
    // The defaults still come first: a message both match keeps its default class.
    expect(classifyMessage('adb timeout; daily upload limit', rules).category).toBe('infrastructure');
    expect(rules.map((rule) => rule.category)).toEqual(['account', 'content', 'infrastructure', 'platform', 'network']);
    expect(isNonRetryableCategory('platform', rules)).toBe(true);
  });

  it('what `config --print` writes reads back to the same configuration', () => {
    const config = parseConfig(FULL, 'full.json');
    const written = JSON.parse(JSON.stringify(configAsFile(config))) as unknown;
    expect(parseConfig(written, 'full.json')).toEqual(config);
    const defaults = JSON.parse(JSON.stringify(configAsFile(defaultConfig()))) as unknown;
    expect(parseConfig(defaults, 'd')).toEqual({ ...defaultConfig(), source: 'd' });
  });

  it('writes durations and ranges back the way an operator writes them', () => {
    const printed = configAsFile(parseConfig(FULL, 'f'));
    expect(printed).toMatchObject({ cap: 2, retryDelay: '5m', jobTimeout: '15m', grace: '45s', pacing: { minGap: '10m', maxWait: '1h30m', windows: { ranges: ['08:00-12:00', '14:00-23:00'] } } });
    expect(configAsFile(defaultConfig())).not.toHaveProperty('cap');
    expect(configAsFile(defaultConfig()).pacing).not.toHaveProperty('windows');
  });
});

describe('durations', () => {
  it.each([
    ['500ms', 500],
    ['30s', 30_000],
    ['10m', 600_000],
    ['1h30m', 5_400_000],
    ['2d', 172_800_000],
    ['0', 0],
    [0, 0],
  ])('%j → %i ms', (value, ms) => {
    expect(parseConfig({ retryDelay: value }, 'f').retryDelayMs).toBe(ms);
  });

  it.each([
    [5, 'got 5 (a duration is text with a unit: "5s", "5m", …)'],
    ['5', 'got "5" (add a unit: 5s, 5m, …)'],
    ['ten minutes', 'got "ten minutes"'],
    ['', 'got ""'],
    [true, 'got true'],
    [null, 'got null'],
    [['5m'], 'got a list'],
  ])('refuses %j', (value, got) => {
    expect(refusal({ pacing: { minGap: value } })).toBe(`${CONFIG_FILE}: pacing.minGap: expected a duration such as 30s, 10m or 1h30m, ${got}`);
  });

  it('formatDuration writes the shortest text that reads back to the same milliseconds', () => {
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(300_000)).toBe('5m');
    expect(formatDuration(5_400_000)).toBe('1h30m');
    expect(formatDuration(90_061_001)).toBe('1d1h1m1s1ms');
    fc.assert(fc.property(fc.nat({ max: 10 * 86_400_000 }), (ms) => durationMs(formatDuration(ms)) === ms));
  });
});

describe('each kind of error names the file, the key and the value expected', () => {
  it.each<[string, unknown, string]>([
    ['a number that is not whole', { cap: 1.5 }, 'cap: expected a whole number of 1 or more, got 1.5'],
    ['a number too small', { workers: 0 }, 'workers: expected a whole number of 1 or more, got 0'],
    ['a number as text', { maxPasses: '3' }, 'maxPasses: expected a whole number of 1 or more, got "3"'],
    ['a negative streak', { health: { failureStreak: -1 } }, 'health.failureStreak: expected a whole number of 0 or more, got -1'],
    ['an unknown cap mode', { pacing: { capMode: 'rolling' } }, 'pacing.capMode: expected "day" or "rolling-24h", got "rolling"'],
    ['an unknown atEnd', { pacing: { windows: { ranges: ['08:00-09:00'], atEnd: 'stop' } } }, 'pacing.windows.atEnd: expected "wait" or "end", got "stop"'],
    ['an unknown time zone', { pacing: { windows: { timeZone: 'Berlin', ranges: ['08:00-09:00'] } } }, 'pacing.windows.timeZone: expected an IANA time zone such as "Europe/Berlin" or "UTC", got "Berlin"'],
    ['a bad time range', { pacing: { windows: { ranges: ['8-12'] } } }, 'pacing.windows.ranges[0]: time range "8-12": start "8" is not a time of day'],
    ['an empty range list', { pacing: { windows: { ranges: [] } } }, 'pacing.windows.ranges: expected a list of at least one time range such as "08:00-12:00", got an empty list'],
    ['windows without ranges', { pacing: { windows: { timeZone: 'UTC' } } }, 'pacing.windows.ranges: expected a list of time ranges such as ["08:00-12:00", "14:00-23:00"], but it is missing'],
    ['a boolean as text', { preflight: { checkVideos: 'yes' } }, 'preflight.checkVideos: expected true or false, got "yes"'],
    ['an unknown time format', { ledger: { timeFormat: 'naive' } }, 'ledger.timeFormat: expected "utc" (ISO 8601 with Z) or "local" (naive local time, as the seed system writes), got "naive"'],
    ['a list given as one text', { health: { freezeCategories: 'account' } }, 'health.freezeCategories: expected a list of error categories, got "account"'],
    ['a section that is not an object', { pacing: 3 }, 'pacing: expected an object of pacing settings, got 3'],
    ['a verify that is not a command', { verify: './check.py' }, 'verify: write \'command:<program> [args…]\' (quoted as one word)'],
    ['a verify with an open quote', { verify: "command:./check.py 'x" }, 'verify: unterminated \' quote in "command:./check.py \'x"'],
    ['a verify that is not text', { verify: ['./check.py'] }, "verify: expected a text 'command:<program> [args…]', got a list"],
    ['a file that is not an object', [1, 2], '(top level): expected an object of settings, e.g. { "cap": 2 }, got a list'],
    ['a rule without a category', { classification: [{ retryable: true, types: {} }] }, 'classification[0].category: expected a name of letters, digits, _ or -, but it is missing'],
    ['an empty text to look for', { classification: [{ category: 'account', types: { x: ['  '] } }] }, 'classification[0].types.x[0]: expected a non-empty text, got "  "'],
    ['a type name with spaces', { classification: [{ category: 'account', types: { 'shadow banned': ['x'] } }] }, 'classification[0].types["shadow banned"]: expected a name of letters, digits, _ or -, got "shadow banned"'],
    ['a new category without retryable', { classification: [{ category: 'platform', types: { quota: ['limit'] } }] }, 'classification[0].retryable: expected true or false, but it is missing ("platform" is a new category, so say whether its failures are retried)'],
    [
      'a retryable that contradicts the table',
      { classification: [{ category: 'account', retryable: true, types: { x: ['y'] } }] },
      'classification[0].retryable: expected false or no "retryable" at all, got true ("account" failures are not retried; configuration can add types to a category but not change that)',
    ],
  ])('%s', (_, raw, line) => {
    const message = refusal(raw);
    expect(message).toContain(`${CONFIG_FILE}: ${line}`);
    expect(message.split('\n')).toHaveLength(1);
  });

  it('lists several problems, one a line, and counts the rest', () => {
    const message = refusal({ cap: 0, workers: 0, maxPasses: 0, maxAttempts: 0, grace: 1, jobTimeout: 1, retryDelay: 1 }, 'night.json');
    const lines = message.split('\n');
    expect(lines).toHaveLength(6);
    for (const line of lines) expect(line).toMatch(/^night\.json: /);
    expect(lines[5]).toBe('night.json: and 2 more');
  });
});

describe('unknown keys', () => {
  it.each<[unknown, string]>([
    [{ pacing: { minGapp: '10m' } }, 'unknown key pacing.minGapp (did you mean minGap?)'],
    [{ pacing: { min_gap: '10m' } }, 'unknown key pacing.min_gap (did you mean minGap?)'],
    [{ Workers: 2 }, 'unknown key Workers (did you mean workers?)'],
    [{ retry_delay: '5m' }, 'unknown key retry_delay (did you mean retryDelay?)'],
    [{ capp: 2 }, 'unknown key capp (did you mean cap?)'],
    [{ pacing: { windows: { ranges: ['08:00-09:00'], timezone: 'UTC' } } }, 'unknown key pacing.windows.timezone (did you mean timeZone?)'],
    [{ classification: [{ category: 'account', types: {}, retriable: false }] }, 'unknown key classification[0].retriable (did you mean retryable?)'],
    [{ preflight: { maxCaptionLen: 100 } }, 'unknown key preflight.maxCaptionLen (did you mean maxCaptionLength?)'],
    [{ ledger: { timeformat: 'local' } }, 'unknown key ledger.timeformat (did you mean timeFormat?)'],
    [{ color: 'blue' }, 'unknown key color (expected one of cap, maxAttempts, maxPasses, retryDelay, workers, jobTimeout, grace, verify, verifyTimeout, notify, notifyTimeout, classification, health, pacing, preflight, ledger)'],
    [{ health: { verbose: true } }, 'unknown key health.verbose (expected one of freezeCategories, cooldownTypes, defaultCooldown, failureStreak, streakCooldown)'],
  ])('%j', (raw, line) => {
    expect(refusal(raw)).toBe(`${CONFIG_FILE}: ${line}`);
  });

  it('each unknown key has its own line, beside the other problems', () => {
    const lines = refusal({ capp: 1, workerz: 2, cap: 0 }).split('\n');
    expect(lines).toEqual(expect.arrayContaining([`${CONFIG_FILE}: unknown key capp (did you mean cap?)`, `${CONFIG_FILE}: unknown key workerz (did you mean workers?)`, `${CONFIG_FILE}: cap: expected a whole number of 1 or more, got 0`]));
  });

  it('suggests only a close name', () => {
    expect(closest('minGapp', ['minGap', 'jitter'])).toBe('minGap');
    expect(closest('gap', ['minGap', 'jitter'])).toBeUndefined();
    expect(closest('xyz', ['cap'])).toBeUndefined();
  });
});

describe('overrides', () => {
  it('a flag wins over the file; a flag not given leaves the file\'s value', () => {
    const file = parseConfig({ cap: 2, workers: 6, retryDelay: '1m', grace: '10s' }, 'f');
    const config = applyOverrides(file, { cap: 1, workers: undefined, retryDelayMs: 5000, maxPasses: 7, maxAttempts: 9, jobTimeoutMs: 1000 });
    expect(config).toMatchObject({ source: 'f', cap: 1, workers: 6, retryDelayMs: 5000, maxPasses: 7, maxAttempts: 9, jobTimeoutMs: 1000, graceMs: 10_000 });
  });

  it('a flag wins over the defaults too, and the cap stays unset when neither gives one', () => {
    expect(applyOverrides(defaultConfig(), { workers: 2 })).toMatchObject({ workers: 2, cap: undefined });
    expect(applyOverrides(defaultConfig(), {})).toEqual(defaultConfig());
  });
});

describe('maxAttempts reaches new jobs', () => {
  const candidates = [
    { job_id: 'own', video_path: 'v/own.mp4', caption: '', max_attempts: 2 },
    { job_id: 'plain', video_path: 'v/plain.mp4', caption: '' },
  ];
  it('jobs without their own max_attempts get the configured one', () => {
    const plan = planSeed({ existing: [], candidates, accounts: ['a', 'b'], cap: 1, maxAttempts: 5 });
    expect(plan.jobs.map((job) => [job.job_id, job.max_attempts])).toEqual([['own', 2], ['plain', 5]]);
  });
  it('and the default without one', () => {
    const plan = planSeed({ existing: [], candidates, accounts: ['a', 'b'], cap: 1 });
    expect(plan.jobs.map((job) => job.max_attempts)).toEqual([2, DEFAULT_MAX_ATTEMPTS]);
  });
});
