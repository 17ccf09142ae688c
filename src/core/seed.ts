/**
 * Seeding: turning the day's candidate posts into ledger jobs, each on an account (docs/commands.md#daycap-seed).
 * Pure: the readers in src/inputs gather the data, the CLI writes the result.
 */
import { UsageError } from '../errors.js';
import { isFreezingRow } from './health.js';
import { CAPPED_STATUSES, DEFAULT_MAX_ATTEMPTS, newJob, SEED_BLOCKING_STATUSES, type Job } from './job.js';
import { COOLDOWN_COLUMN, DEFAULT_HEALTH, type HealthPolicy } from './policy.js';
import { isoTime, type FormatTime } from './time.js';
import { videoKeyOf, videoStem } from './video.js';

export { videoKeyOf } from './video.js';

export interface SeedCandidate {
  job_id: string;
  video_path: string;
  caption: string;
  account?: string;
  max_attempts?: number;
  video_id?: string;
  /** name used against the posted ledger, e.g. the video's file name */
  videoKey?: string;
}

export interface SeedInput {
  /** today's ledger rows */
  existing: readonly Job[];
  /** posts already made today in archives of this ledger (account -> count): such accounts are taken too */
  priorPosts?: ReadonlyMap<string, number>;
  candidates: readonly SeedCandidate[];
  accounts: readonly string[];
  /** max posts per account per day */
  cap: number;
  /** max_attempts of a new job whose candidate brings none (default DEFAULT_MAX_ATTEMPTS) */
  maxAttempts?: number;
  /** from the posted ledger */
  alreadyPosted?: (account: string, videoKey: string) => boolean;
  /** Which failures freeze an account (default DEFAULT_HEALTH): a frozen account gets nothing new. */
  health?: HealthPolicy;
  /** Accounts cooling down (epoch ms), from the scheduler: their new jobs carry the cooldown. */
  cooldowns?: ReadonlyMap<string, number>;
  /** How a cooldown's end is written: the ledger's convention (default UTC with a `Z`). */
  formatTime?: FormatTime;
  /**
   * What becomes of candidates no account can take. `keep` (default) writes them without an account,
   * never claimed, as the seed system does for a scheduler state's jobs; `wait` leaves them out and
   * counts them, as it does for a campaign's videos, which wait for another day.
   */
  leftovers?: 'keep' | 'wait';
}

export interface SeedPlan {
  jobs: Job[];
  excludedAccounts: string[];
  skippedExistingIds: string[];
  unassigned: number;
  /** Candidates left out because no account could take them (only with `leftovers: 'wait'`). */
  waiting: number;
  log: string[];
}


/** Posts per account that count toward the cap; used on archived ledgers of the same day. */
export function countPostsByAccount(jobs: readonly Job[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const job of jobs) {
    if (job.account && CAPPED_STATUSES.has(job.status)) counts.set(job.account, (counts.get(job.account) ?? 0) + 1);
  }
  return counts;
}

/**
 * An account that already has live or finished work today gets nothing new, even under a cap above 1:
 * the seed system learned that topping up a taken account is how it went over its cap. Nor does an
 * account frozen today (suspended, logged out…): a new job would only fail the same way.
 */
function takenAccounts(existing: readonly Job[], priorPosts: ReadonlyMap<string, number> | undefined, health: HealthPolicy): Set<string> {
  const taken = new Set<string>();
  for (const job of existing) if (job.account && (SEED_BLOCKING_STATUSES.has(job.status) || isFreezingRow(job, health))) taken.add(job.account);
  for (const [account, count] of priorPosts ?? []) if (count > 0) taken.add(account);
  return taken;
}

/**
 * Free accounts bucketed by how many jobs they hold. Serving the lowest bucket first, in account order,
 * and moving a served account to the back of the next bucket is what makes the spread round-robin.
 */
class AccountPool {
  private readonly held = new Map<string, number>();
  /** `head` skips served accounts without shifting the array, so a plain turn costs O(1) even with many accounts. */
  private levels: { queue: string[]; head: number }[] = [];
  private lowest = 0;

  constructor(accounts: readonly string[], private readonly cap: number) {
    for (const account of accounts) this.held.set(account, 0);
  }

  hasRoom(account: string): boolean {
    const held = this.held.get(account);
    return held !== undefined && held < this.cap;
  }

  /** Preassignments come before the round-robin and may fill an account unevenly, as the operator asked. */
  takeNamed(account: string): void {
    this.held.set(account, (this.held.get(account) ?? 0) + 1);
  }

  startRoundRobin(): void {
    this.levels = Array.from({ length: this.cap }, () => ({ queue: [], head: 0 }));
    for (const [account, held] of this.held) if (held < this.cap) this.levels[held]?.queue.push(account);
  }

  /** The next account in turn that `accepts` the job, or undefined when none can take it. */
  takeNext(accepts: (account: string) => boolean): string | undefined {
    const drained = (i: number) => {
      const level = this.levels[i];
      return level !== undefined && level.head >= level.queue.length;
    };
    while (this.lowest < this.levels.length && drained(this.lowest)) this.lowest++;
    for (let i = this.lowest; i < this.levels.length; i++) {
      const level = this.levels[i];
      if (!level) continue;
      for (let at = level.head; at < level.queue.length; at++) {
        const account = level.queue[at] as string;
        if (!accepts(account)) continue;
        if (at === level.head) level.head++;
        else level.queue.splice(at, 1);
        this.held.set(account, i + 1);
        this.levels[i + 1]?.queue.push(account);
        return account;
      }
    }
    return undefined;
  }
}

/**
 * Which videos each account may not be given: those it already has a row for in today's ledger (by
 * video name, whatever the row's job id, so a ledger another tool seeded is respected) and those the
 * posted ledger says it posted. Grows as the plan assigns, so one account never gets a video twice.
 */
class AccountVideos {
  private readonly held = new Map<string, Set<string>>();

  constructor(existing: readonly Job[], private readonly alreadyPosted: (account: string, videoKey: string) => boolean) {
    for (const job of existing) if (job.account && job.video_path) this.add(job.account, job.video_path);
  }

  allows(account: string, videoKey: string): boolean {
    return !this.held.get(account)?.has(videoStem(videoKey)) && !this.alreadyPosted(account, videoKey);
  }

  add(account: string, videoKey: string): void {
    let videos = this.held.get(account);
    if (!videos) this.held.set(account, (videos = new Set()));
    videos.add(videoStem(videoKey));
  }
}

/** Named accounts first (when they have room and may take the video), then round-robin; '' where none can. */
function assignAccounts(fresh: readonly SeedCandidate[], keys: readonly string[], pool: AccountPool, videos: AccountVideos): string[] {
  const assigned = fresh.map((candidate, i) => {
    const wanted = candidate.account;
    const key = keys[i] ?? '';
    if (!wanted || !pool.hasRoom(wanted) || !videos.allows(wanted, key)) return '';
    pool.takeNamed(wanted);
    videos.add(wanted, key);
    return wanted;
  });
  pool.startRoundRobin();
  for (let i = 0; i < fresh.length; i++) {
    if (assigned[i]) continue;
    const key = keys[i] ?? '';
    const account = pool.takeNext((candidate) => videos.allows(candidate, key)) ?? '';
    if (account) videos.add(account, key);
    assigned[i] = account;
  }
  return assigned;
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

export function planSeed(input: SeedInput): SeedPlan {
  const { cap } = input;
  if (!Number.isInteger(cap) || cap < 0) throw new UsageError(`the daily cap must be a whole number of 0 or more, not ${cap}`);
  const alreadyPosted = input.alreadyPosted ?? (() => false);
  const formatTime = input.formatTime ?? isoTime;

  const existingIds = new Set(input.existing.map((job) => job.job_id));
  const seen = new Set<string>();
  const skippedExistingIds: string[] = [];
  const fresh: SeedCandidate[] = [];
  let duplicates = 0;
  for (const candidate of input.candidates) {
    if (seen.has(candidate.job_id)) {
      duplicates++;
      continue;
    }
    seen.add(candidate.job_id);
    if (existingIds.has(candidate.job_id)) skippedExistingIds.push(candidate.job_id);
    else fresh.push(candidate);
  }

  const accounts = unique(input.accounts.filter((account) => account !== ''));
  const taken = takenAccounts(input.existing, input.priorPosts, input.health ?? DEFAULT_HEALTH);
  const excludedAccounts = accounts.filter((account) => taken.has(account));
  const pool = new AccountPool(accounts.filter((account) => !taken.has(account)), cap);

  const keys = fresh.map((candidate) => candidate.videoKey ?? videoKeyOf(candidate.video_path));
  const assigned = assignAccounts(fresh, keys, pool, new AccountVideos(input.existing, alreadyPosted));
  const leftovers = input.leftovers ?? 'keep';
  const placed = leftovers === 'wait' ? fresh.filter((_, i) => assigned[i]) : fresh;
  const accountOf = leftovers === 'wait' ? assigned.filter((account) => account) : assigned;
  const waiting = fresh.length - placed.length;

  const jobs = placed.map((candidate, i) => {
    const account = accountOf[i] ?? '';
    const coolUntil = account ? input.cooldowns?.get(account) : undefined;
    return newJob({
      job_id: candidate.job_id,
      account,
      video_path: candidate.video_path,
      caption: candidate.caption,
      video_id: candidate.video_id ?? '',
      max_attempts: candidate.max_attempts ?? input.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
      // Kept in the ledger like any cooldown, so the run (and a restart) honours it.
      ...(coolUntil === undefined ? {} : { extra: { [COOLDOWN_COLUMN]: formatTime(coolUntil) } }),
    });
  });
  const unassigned = jobs.filter((job) => job.account === '').length;

  const log: string[] = [];
  if (skippedExistingIds.length > 0) log.push(`Skipped ${skippedExistingIds.length} jobs already in the ledger`);
  if (duplicates > 0) log.push(`Skipped ${duplicates} jobs whose id repeats an earlier one in the input`);
  log.push(`Available accounts: ${accounts.length - excludedAccounts.length} (excluded ${excludedAccounts.length} with existing jobs)`);
  if (unassigned > 0) log.push(`${unassigned} jobs left without an account`);
  if (waiting > 0) log.push(`${waiting} ${waiting === 1 ? 'video waits' : 'videos wait'} for another day (no free account under the cap)`);

  return { jobs, excludedAccounts, skippedExistingIds, unassigned, waiting, log };
}
