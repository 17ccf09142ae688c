/**
 * Parsers for option values, shared by every command. They throw commander's InvalidArgumentError,
 * so a bad value is reported as a usage error (`see daycap <cmd> --help`, exit 2) before anything runs.
 */
import { InvalidArgumentError, Option } from 'commander';
import type { SeedSource } from '../api/seed.js';
import { parseHandlerOption } from '../handlers/load.js';
import type { HandlerSpec } from '../protocol.js';

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/gy;

/**
 * `500ms`, `30s`, `10m`, `1h30m`, `2d` → milliseconds. A bare `0` is allowed; any other bare
 * number is refused, because an operator who types `--retry-delay 5` could mean seconds or minutes.
 */
export function parseDuration(text: string): number {
  const value = text.trim().toLowerCase();
  if (value === '0') return 0;
  if (value === '') throw new InvalidArgumentError('a duration cannot be empty; write e.g. 30s, 10m or 1h30m.');
  let total = 0;
  PART.lastIndex = 0;
  let at = 0;
  for (let match = PART.exec(value); match; match = PART.exec(value)) {
    total += Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
    at = PART.lastIndex;
  }
  if (at !== value.length) {
    const hint = /^\d+(\.\d+)?$/.test(value) ? ` (add a unit: ${value}s, ${value}m, …)` : '';
    throw new InvalidArgumentError(`${JSON.stringify(text)} is not a duration${hint}; write e.g. 500ms, 30s, 10m, 1h30m or 2d.`);
  }
  if (!Number.isFinite(total) || total > Number.MAX_SAFE_INTEGER) throw new InvalidArgumentError(`${JSON.stringify(text)} is too long a duration.`);
  return Math.round(total);
}

/** Whole numbers of at least 1, for --cap, --workers and --max-passes. */
export function parsePositiveInt(text: string): number {
  const value = text.trim();
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < 1) {
    throw new InvalidArgumentError(`${JSON.stringify(text)} is not a whole number of at least 1.`);
  }
  return n;
}

/** --handler: `simulate[:seed]`, `command:<program> [args…]` (one quoted word) or a .js/.mjs module path. */
export function parseHandler(text: string): HandlerSpec {
  try {
    return parseHandlerOption(text, process.cwd());
  } catch (error) {
    throw new InvalidArgumentError(error instanceof Error ? error.message : String(error));
  }
}

// ---- options several commands share, defined once so their wording and parsing agree ----

export function ledgerOption(): Option {
  return new Option('--ledger <csv>', "the day's ledger (CSV)").makeOptionMandatory();
}

export function capOption(what = 'posts per account per day'): Option {
  return new Option('--cap <n>', what).argParser(parsePositiveInt);
}

/** --state and --campaign name the day's work; giving both is a usage error. */
export function sourceOptions(): Option[] {
  return [
    new Option('--state <json>', "the scheduler's state file (JSON) to seed jobs from").conflicts('campaign'),
    new Option('--campaign <dir>', 'a campaign folder (accounts.txt, captions.csv, videos/) to seed jobs from'),
    new Option('--accounts <txt>', "accounts file (one name a line) replacing the input's own accounts"),
    new Option('--posted-ledger <txt>', 'all-time posted ledger (account|video|time lines): never give an account a video it already posted'),
    new Option('--reset-day', "archive the day's ledger first (as daycap reset-day), then seed afresh"),
    new Option('--force-reseed', 'reseed from scratch; only allowed together with --reset-day'),
    new Option('--archive-dir <dir>', 'where --reset-day puts the archive (default: beside the ledger)'),
  ];
}

export interface SourceFlags {
  state?: string | undefined;
  campaign?: string | undefined;
}

export function seedSourceOf(flags: SourceFlags): SeedSource | undefined {
  if (flags.state !== undefined) return { state: flags.state };
  if (flags.campaign !== undefined) return { campaign: flags.campaign };
  return undefined;
}
