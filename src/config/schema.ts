/**
 * The shape of `daycap.config.json`. Every key is optional; an unknown key is an error, because a
 * misspelt setting that is silently ignored is worse than one that stops the run.
 *
 * Each schema's message is the expected value alone ("expected …"): the loader adds the file, the
 * key path and what was there, so every message reads the same way.
 */
import { z } from 'zod';
import { DEFAULT_RULES, type CategoryRule } from '../core/classify.js';
import type { TimeRange } from '../core/policy.js';
import { TIME_FORMATS } from '../core/time.js';
import { isValidTimeZone, parseTimeRange } from '../core/window.js';
import { DurationError, durationMs } from '../core/duration.js';
import { parseCommandOption } from '../handlers/command-spec.js';
import { HandlerUnusableError } from '../handlers/errors.js';

/** A program setting (`verify`, `notify`): as written, and split into its arguments. */
export interface CommandSetting {
  text: string;
  argv: string[];
}

/** Extra words for the loader to put after "got …", e.g. how to fix a bare number. */
export interface IssueParams {
  note?: string;
  /** The message is a whole sentence of its own (a parser's), not an "expected …". */
  verbatim?: boolean;
  /** The key is absent (a refinement's issue otherwise carries the whole value it checked). */
  missing?: boolean;
}

const expected = (what: string) => ({ error: () => `expected ${what}` });

const DURATION = 'a duration such as 30s, 10m or 1h30m';
const NAME = 'a name of letters, digits, _ or -';
const NAME_PATTERN = /^[A-Za-z0-9_-]+$/;

function wholeNumber(min: number) {
  const what = `a whole number of ${min} or more`;
  return z.number(expected(what)).int(expected(what)).min(min, expected(what));
}

const name = z.string(expected(NAME)).regex(NAME_PATTERN, expected(NAME));
const names = (what: string) => z.array(name, expected(`a list of ${what}`));

/** A string for `durationMs`, or the number 0 (which means the same whatever the unit). */
function duration() {
  return z.unknown().transform((value, ctx) => {
    if (value === 0) return 0;
    if (typeof value === 'string') {
      try {
        return durationMs(value);
      } catch (error) {
        if (!(error instanceof DurationError)) throw error;
        ctx.issues.push({ code: 'custom', message: `expected ${DURATION}`, input: value, params: { note: error.note } satisfies IssueParams });
        return z.NEVER;
      }
    }
    const note = typeof value === 'number' ? `a duration is text with a unit: "${value}s", "${value}m", …` : undefined;
    ctx.issues.push({ code: 'custom', message: `expected ${DURATION}`, input: value, params: { note } satisfies IssueParams });
    return z.NEVER;
  });
}

/** `command:<program> [args…]`, read as the command line reads it; kept as written, to print it back. */
function command(option: string) {
  return z.string(expected("a text 'command:<program> [args…]'")).transform((text, ctx): CommandSetting => {
    try {
      return { text, argv: parseCommandOption(text, option) };
    } catch (error) {
      if (!(error instanceof HandlerUnusableError)) throw error;
      const sentence = error.message.replace(/^\S+ "[^"]*": /, '').replace(/^command handler: /, '');
      ctx.issues.push({ code: 'custom', message: sentence, input: text, params: { verbatim: true } satisfies IssueParams });
      return z.NEVER;
    }
  });
}

const timeRange = z.string(expected('a time range such as "08:00-12:00"')).transform((text, ctx): TimeRange => {
  try {
    return parseTimeRange(text);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    const sentence = error.message.charAt(0).toLowerCase() + error.message.slice(1);
    ctx.issues.push({ code: 'custom', message: sentence, input: text, params: { verbatim: true } satisfies IssueParams });
    return z.NEVER;
  }
});

const ZONE = 'an IANA time zone such as "Europe/Berlin" or "UTC"';
const timeZone = z.string(expected(ZONE)).refine(isValidTimeZone, expected(ZONE));

/** A substring to look for in error messages; an empty one would match every failure. */
const needle = z.string(expected('a non-empty text')).refine((text) => text.trim() !== '', expected('a non-empty text'));

const classificationRule = z.strictObject(
  {
    category: name,
    retryable: z.boolean(expected('true or false')).optional(),
    types: z.record(
      name,
      z.array(needle, expected('a list of texts to look for in error messages')).min(1, expected('a list of at least one text to look for in error messages')),
      expected('an object of type names, each with a list of texts to look for in error messages'),
    ),
  },
  expected('an object with "category", "retryable" and "types"'),
);

/**
 * A rule for a category the table already has only adds types to it: `extendRules` keeps the
 * category's own `retryable`, so a different one here would be ignored without a word. A new
 * category must say whether its failures are retried.
 */
function checkRetryable(rules: Array<z.output<typeof classificationRule>>, ctx: z.core.$RefinementCtx<unknown>): void {
  const known = new Map<string, boolean>(DEFAULT_RULES.map((rule) => [rule.category, rule.retryable]));
  rules.forEach((rule, i) => {
    const existing = known.get(rule.category);
    if (existing === undefined && rule.retryable === undefined) {
      ctx.addIssue({ code: 'custom', path: [i, 'retryable'], message: 'expected true or false', params: { missing: true, note: `"${rule.category}" is a new category, so say whether its failures are retried` } satisfies IssueParams });
    } else if (existing !== undefined && rule.retryable !== undefined && rule.retryable !== existing) {
      ctx.addIssue({
        code: 'custom',
        path: [i, 'retryable'],
        message: `expected ${existing} or no "retryable" at all`,
        input: rule.retryable,
        params: { note: `"${rule.category}" failures are ${existing ? '' : 'not '}retried; configuration can add types to a category but not change that` } satisfies IssueParams,
      });
    }
    if (existing === undefined) known.set(rule.category, rule.retryable ?? true);
  });
}

const classification = z.array(classificationRule, expected('a list of classification rules')).superRefine(checkRetryable);

const health = z.strictObject(
  {
    freezeCategories: names('error categories'),
    cooldownTypes: names('error types'),
    defaultCooldown: duration(),
    failureStreak: wholeNumber(0),
    streakCooldown: duration(),
  },
  expected('an object of health settings'),
).partial();

const windows = z.strictObject(
  {
    timeZone: timeZone.optional(),
    ranges: z.array(timeRange, expected('a list of time ranges such as ["08:00-12:00", "14:00-23:00"]')).min(1, expected('a list of at least one time range such as "08:00-12:00"')),
    atEnd: z.enum(['wait', 'end'], expected('"wait" or "end"')).optional(),
  },
  expected('an object with "ranges" (and optionally "timeZone" and "atEnd")'),
);

const pacing = z.strictObject(
  {
    capMode: z.enum(['day', 'rolling-24h'], expected('"day" or "rolling-24h"')),
    minGap: duration(),
    jitter: duration(),
    perMinute: wholeNumber(1),
    maxWait: duration(),
    windows,
  },
  expected('an object of pacing settings'),
).partial();

const preflight = z.strictObject(
  {
    maxCaptionLength: wholeNumber(1),
    checkVideos: z.boolean(expected('true or false')),
  },
  expected('an object of preflight settings'),
).partial();

/** How the ledger's times are written, for a ledger that has none yet (docs/ledger.md#times). */
const ledger = z.strictObject(
  {
    timeFormat: z.enum(TIME_FORMATS, expected('"utc" (ISO 8601 with Z) or "local" (naive local time, as the seed system writes)')),
  },
  expected('an object of ledger settings'),
).partial();

export const ConfigSchema = z.strictObject(
  {
    cap: wholeNumber(1),
    maxAttempts: wholeNumber(1),
    maxPasses: wholeNumber(1),
    retryDelay: duration(),
    workers: wholeNumber(1),
    jobTimeout: duration(),
    grace: duration(),
    verify: command('verify'),
    verifyTimeout: duration(),
    notify: command('notify'),
    notifyTimeout: duration(),
    classification,
    health,
    pacing,
    preflight,
    ledger,
  },
  expected('an object of settings, e.g. { "cap": 2 }'),
).partial();

/** A configuration file as read: durations in milliseconds, time ranges parsed. */
export type ConfigFile = z.output<typeof ConfigSchema>;
/** A configuration file as written. */
export type ConfigFileInput = z.input<typeof ConfigSchema>;
export type ClassificationInput = z.output<typeof classificationRule>;

/** The additions in the shape `extendRules` takes; a known category keeps its own `retryable` there. */
export function rulesOf(additions: readonly ClassificationInput[]): CategoryRule[] {
  return additions.map((rule) => ({ category: rule.category, retryable: rule.retryable ?? true, types: rule.types }));
}

/** Unwraps the wrappers around an object schema (optional, pipes, arrays, records) to reach the next key. */
function objectAt(schema: z.core.$ZodType, path: readonly PropertyKey[]): z.ZodObject | undefined {
  let current: z.core.$ZodType | undefined = schema;
  const rest = [...path];
  while (current) {
    if (current instanceof z.ZodOptional) current = current.unwrap();
    else if (current instanceof z.ZodPipe) current = current.in;
    else if (current instanceof z.ZodArray) {
      rest.shift();
      current = current.element;
    } else if (current instanceof z.ZodRecord) {
      rest.shift();
      current = current.valueType;
    } else if (current instanceof z.ZodObject) {
      if (rest.length === 0) return current;
      const key = rest.shift();
      current = typeof key === 'string' ? current.shape[key] : undefined;
    } else return undefined;
  }
  return undefined;
}

/** The keys allowed at a path of the configuration (for "did you mean"), or none if it is not an object. */
export function keysAt(path: readonly PropertyKey[]): string[] {
  return Object.keys(objectAt(ConfigSchema, path)?.shape ?? {});
}
