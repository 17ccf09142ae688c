/**
 * Seeding a ledger from a scheduler state or a campaign folder (docs/commands.md#daycap-seed; the
 * inputs: docs/ledger.md#inputs).
 */
import type { Job } from '../core/job.js';
import type { HealthPolicy } from '../core/policy.js';
import { planSeed, type SeedCandidate, type SeedPlan } from '../core/seed.js';
import { ledgerTimeFormat, timeFormatter, type TimeFormat } from '../core/time.js';
import { forceReseedRefusal } from '../errors.js';
import { readAccountsFile, readCampaign, readPostedLedger, readSchedulerState } from '../inputs/index.js';
import type { LockTiming } from '../ledger/lock/index.js';
import type { Store } from '../store/store.js';
import { ledgerAt } from '../store/open.js';
import { recordDayCap, resolveDayCap } from './day-cap.js';
import { openForCommand } from './open.js';
import { resetDay } from './reset-day.js';

export type SeedSource = { state: string } | { campaign: string };

export interface SeedOptions extends LockTiming {
  ledger: string;
  source: SeedSource;
  accountsFile?: string | undefined;
  /** An explicit cap (flag or configuration file); else the state's or campaign's, the ledger's recorded one, or 1. */
  cap?: number | undefined;
  /** max_attempts of new jobs, unless the scheduler state gives a job its own. */
  maxAttempts?: number | undefined;
  /** Which failures freeze an account: a frozen account is given nothing new. */
  health?: HealthPolicy | undefined;
  postedLedger?: string | undefined;
  resetDay?: boolean | undefined;
  forceReseed?: boolean | undefined;
  archiveDir?: string | undefined;
  /** How to write times (a scheduler's cooldowns) into a ledger that has none yet; one with times keeps its own. */
  timeFormat?: TimeFormat | undefined;
  /** Archives whose posts must not count (--ignore-archive), each named in the log. */
  ignoreArchives?: readonly string[] | undefined;
  /** Possible posts in today's archives, when the caller has read them already (see Ledger.archivedPosts). */
  archivedToday?: ReadonlyMap<string, number> | undefined;
  now: number;
  log?: ((line: string) => void) | undefined;
}

export interface SeedResult extends Omit<SeedPlan, 'jobs'> {
  added: number;
  archivedTo: string | undefined;
  warnings: string[];
}

/**
 * --force-reseed only together with --reset-day: alone it would wipe the day's posting history and
 * allow a second post. The seed system's rule, shared by `seed`, `run` and the library.
 */
export function checkReseedSafety(options: { forceReseed?: boolean | undefined; resetDay?: boolean | undefined }): void {
  if (options.forceReseed && !options.resetDay) throw forceReseedRefusal();
}

/** `daycap seed`: takes the lock, optionally archives the day, seeds, writes the ledger. */
export async function seedLedger(options: SeedOptions): Promise<SeedResult> {
  checkReseedSafety(options);
  const inputs = await readSeedInputs(options);
  const archivedTo = options.resetDay ? (await resetDay({ ledger: options.ledger, archiveDir: options.archiveDir, now: options.now, log: options.log, staleMs: options.staleMs })).archivedTo : undefined;
  const ledger = ledgerAt(options.ledger, { archiveDir: options.archiveDir });
  const day = await resolveDayCap(ledger, [options.cap, inputs.cap], options.log);
  const store = await openForCommand(options.ledger, { command: 'daycap seed', warn: options.log, staleMs: options.staleMs });
  try {
    await recordDayCap(ledger, day, 'seed', options.log);
    return { ...(await seedInto(store, { ...options, cap: day.cap }, inputs)), archivedTo };
  } finally {
    await store.close({ final: true, label: 'seed' });
  }
}

export interface SeedInputs {
  candidates: SeedCandidate[];
  accounts: string[];
  /** What the source gave and what was skipped, printed before the plan (a campaign's summary). */
  notes?: string[] | undefined;
  warnings: string[];
  cap: number | undefined;
  /** What becomes of jobs no account can take (see planSeed): a campaign's videos wait for another day. */
  leftovers?: 'keep' | 'wait' | undefined;
  alreadyPosted: ((account: string, videoKey: string) => boolean) | undefined;
  /** The scheduler's account cooldowns (epoch ms). */
  cooldowns?: ReadonlyMap<string, number> | undefined;
}

/** Reads and checks every input before the ledger is touched, so a bad input changes nothing. */
export async function readSeedInputs(options: Pick<SeedOptions, 'source' | 'accountsFile' | 'postedLedger'>): Promise<SeedInputs> {
  let candidates: SeedCandidate[];
  let accounts: string[];
  let notes: string[] = [];
  let warnings: string[] = [];
  let cap: number | undefined;
  let cooldowns: ReadonlyMap<string, number> | undefined;
  let leftovers: 'keep' | 'wait';
  if ('state' in options.source) {
    const state = await readSchedulerState(options.source.state);
    candidates = state.candidates;
    accounts = state.accounts;
    cap = state.settings.postsPerAccountPerDay;
    cooldowns = state.cooldowns;
    // The seed system writes a state's jobs with no free account as rows without one.
    leftovers = 'keep';
  } else {
    const campaign = await readCampaign(options.source.campaign);
    candidates = campaign.candidates;
    accounts = campaign.accounts;
    cap = campaign.cap;
    notes = campaign.notes;
    warnings = campaign.warnings;
    // It stops at the last free account: the other videos are no rows, they wait for another day.
    leftovers = 'wait';
  }
  if (options.accountsFile) accounts = await readAccountsFile(options.accountsFile);
  const posted = options.postedLedger ? await readPostedLedger(options.postedLedger) : undefined;
  return { candidates, accounts, notes, warnings, cap, leftovers, alreadyPosted: posted ? (account, key) => posted.has(account, key) : undefined, cooldowns };
}

/**
 * Seeds into a store that is already open and locked (used by `seed` and by `run --state/--campaign`)
 * under the day's cap, as resolveDayCap settled it. A reset-day, if asked for, has already happened.
 */
export async function seedInto(store: Store, options: SeedOptions & { cap: number }, inputs: SeedInputs): Promise<SeedResult> {
  const log = options.log ?? (() => undefined);
  const existing: readonly Job[] = await store.rows();
  // Posts a reset-day moved into an archive earlier today still count: a mid-day reset never resets the cap.
  const priorPosts = options.archivedToday ?? (await ledgerAt(options.ledger, { archiveDir: options.archiveDir }).archivedPosts({ now: options.now, ignoreArchives: options.ignoreArchives, log: options.log })).today;
  const plan = planSeed({
    existing,
    priorPosts,
    candidates: inputs.candidates,
    accounts: inputs.accounts,
    cap: options.cap,
    ...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts }),
    ...(inputs.alreadyPosted ? { alreadyPosted: inputs.alreadyPosted } : {}),
    ...(options.health ? { health: options.health } : {}),
    cooldowns: futureOnly(inputs.cooldowns, options.now),
    formatTime: timeFormatter(ledgerTimeFormat(existing, options.timeFormat)),
    ...(inputs.leftovers ? { leftovers: inputs.leftovers } : {}),
  });
  for (const line of inputs.notes ?? []) log(line);
  for (const line of plan.log) log(line);
  for (const warning of inputs.warnings) log(`warning: ${warning}`);
  if (plan.jobs.length > 0) await store.act({ kind: 'add', jobs: plan.jobs }, options.now);
  const { jobs, ...rest } = plan;
  return { ...rest, added: jobs.length, archivedTo: undefined, warnings: inputs.warnings };
}

/** Cooldowns that have not ended by `now`: an ended one is no news for the ledger. */
function futureOnly(cooldowns: ReadonlyMap<string, number> | undefined, now: number): Map<string, number> {
  return new Map([...(cooldowns ?? [])].filter(([, until]) => until > now));
}
