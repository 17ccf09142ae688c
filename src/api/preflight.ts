/**
 * Pre-flight: the problems a run would only meet one job at a time, hours into the night — a video
 * that is not there, a caption the platform refuses, an account nobody planned for today or one
 * frozen by an earlier failure — found together, before anything is claimed. `preflight` looks at
 * rows and files and changes nothing; `openRun` refuses or skips, `daycap check` reports.
 */
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { frozenAccounts } from '../core/health.js';
import type { CapExceeded } from '../core/archived-posts.js';
import type { Job } from '../core/job.js';
import { DEFAULT_HEALTH, type HealthPolicy } from '../core/policy.js';
import type { LockTiming } from '../ledger/lock/index.js';
import { findCapExceeded, type ArchiveCountOptions } from './archived-posts.js';
import { resolveDayCap } from './day-cap.js';
import { validLedgerAt } from './valid-ledger.js';

export type PreflightKind = 'video-missing' | 'video-unreadable' | 'caption-too-long' | 'account-unknown' | 'account-frozen';

/** In the order `daycap check` and the run's refusal list them. */
export const PREFLIGHT_KINDS: readonly PreflightKind[] = ['video-missing', 'video-unreadable', 'caption-too-long', 'account-unknown', 'account-frozen'];

export interface PreflightProblem {
  jobId: string;
  account: string;
  /** One line for the operator, e.g. `video not found: v/a.mp4 (looked for /day/v/a.mp4)`. */
  problem: string;
  kind: PreflightKind;
}

export interface PreflightReport {
  /** Every problem of every job that will be claimed, in ledger order. */
  problems: PreflightProblem[];
  /** Worth knowing, not wrong: e.g. jobs without an account (more videos than accounts is normal). */
  notes: string[];
  /** How many jobs will be claimed (and were checked). */
  checked: number;
}

/** Instagram's caption limit, the strictest of the platforms daycap posts to. */
export const DEFAULT_MAX_CAPTION_LENGTH = 2200;

export interface PreflightSettings {
  /** Longest caption, in Unicode code points (an emoji such as 🐻 is one). */
  maxCaptionLength: number;
  /** Look for each video file. Off for ledgers whose videos live where this machine cannot see them. */
  checkVideos: boolean;
}

export const DEFAULT_PREFLIGHT: PreflightSettings = { maxCaptionLength: DEFAULT_MAX_CAPTION_LENGTH, checkVideos: true };

/** What is wrong with a video path, or undefined when it is a readable file. */
export type VideoFault = { kind: 'video-missing' | 'video-unreadable'; detail: string };

export interface PreflightOptions extends PreflightSettings {
  /** The ledger's folder: relative video paths are resolved against it (see resolveVideoPath). */
  ledgerDir: string;
  health: HealthPolicy;
  /**
   * The day's accounts, when the caller has just read them (`run --state/--campaign/--accounts`):
   * a job for any other account is a problem. Unknown otherwise, and then not checked.
   */
  accounts?: ReadonlySet<string> | undefined;
  /** Looks at one absolute path; tests may count calls. Default: stat and access(R_OK) on the real file. */
  probe?: ((path: string) => Promise<VideoFault | undefined>) | undefined;
  /** File checks in flight at once (default 64): a day can hold 100,000 jobs, and a file system has its limits. */
  concurrency?: number | undefined;
}

const DEFAULT_CONCURRENCY = 64;

/** The jobs a run will claim: waiting, with an account. */
export function willBeClaimed(job: Readonly<Job>): boolean {
  return (job.status === 'pending' || job.status === 'retrying') && job.account !== '';
}

/**
 * Where a handler's video is, as daycap checks it. Campaign seeding writes absolute paths, so those
 * are checked as they are. A scheduler state's paths are copied verbatim and are usually relative
 * (`chunk_01c/2bears/x.mp4`), to the folder the day was prepared in; a handler receives them
 * verbatim too. The ledger's folder is the one place that belongs to the day whatever terminal a
 * command runs from, so relative paths are resolved against it: `daycap check` from another
 * folder gives the same answer as the run. A handler that opens a relative path itself resolves
 * it against the run's working directory, so run daycap from the ledger's folder (or seed
 * absolute paths) when the scheduler writes relative ones.
 */
export function resolveVideoPath(videoPath: string, ledgerDir: string): string {
  return isAbsolute(videoPath) ? videoPath : resolve(ledgerDir, videoPath);
}

/** Checks every job that will be claimed and returns all problems together; changes nothing. */
export async function preflight(jobs: Iterable<Readonly<Job>>, options: PreflightOptions): Promise<PreflightReport> {
  const claimable: Readonly<Job>[] = [];
  let unassigned = 0;
  const all: Readonly<Job>[] = [];
  for (const job of jobs) {
    all.push(job);
    if (willBeClaimed(job)) claimable.push(job);
    else if (job.status === 'pending' || job.status === 'retrying') unassigned++;
  }
  const frozen = new Map(frozenAccounts(all, options.health).map((entry) => [entry.account, entry]));
  const videos = options.checkVideos ? await checkVideos(claimable, options) : undefined;

  const problems: PreflightProblem[] = [];
  for (const job of claimable) {
    const add = (kind: PreflightKind, problem: string) => problems.push({ jobId: job.job_id, account: job.account, problem, kind });
    if (videos) {
      const fault = job.video_path === '' ? { kind: 'video-missing' as const, detail: 'the job has no video_path' } : videos.get(resolveVideoPath(job.video_path, options.ledgerDir));
      if (fault) add(fault.kind, fault.detail);
    }
    // UTF-16 length bounds the code points from above, so most captions need no count at all.
    const length = job.caption.length > options.maxCaptionLength ? codePoints(job.caption) : 0;
    if (length > options.maxCaptionLength) add('caption-too-long', `caption has ${length} characters, over the limit of ${options.maxCaptionLength}`);
    if (options.accounts && !options.accounts.has(job.account)) add('account-unknown', `account ${job.account} is not in the day's account list`);
    const freeze = frozen.get(job.account);
    if (freeze) add('account-frozen', `account ${job.account} is frozen for the day: ${freeze.reason}`);
  }

  const notes: string[] = [];
  if (unassigned > 0) notes.push(`${unassigned} pending ${unassigned === 1 ? 'job has' : 'jobs have'} no account and will not be claimed`);
  if (!options.checkVideos && claimable.length > 0) notes.push('video files were not checked (checkVideos is off)');
  return { problems, notes, checked: claimable.length };
}

/** One look per distinct file, at most `concurrency` at a time; keyed by absolute path. */
async function checkVideos(jobs: readonly Readonly<Job>[], options: PreflightOptions): Promise<Map<string, VideoFault | undefined>> {
  const shown = new Map<string, string>();
  for (const job of jobs) {
    if (job.video_path === '') continue;
    const path = resolveVideoPath(job.video_path, options.ledgerDir);
    if (!shown.has(path)) shown.set(path, job.video_path);
  }
  const probe = options.probe ?? probeVideo;
  const results = new Map<string, VideoFault | undefined>();
  const queue = shown.entries();
  const worker = async () => {
    for (let next = queue.next(); !next.done; next = queue.next()) {
      const [path, asWritten] = next.value;
      const fault = await probe(path);
      // Say what the ledger holds and, when it differs, where daycap looked.
      results.set(path, fault && { kind: fault.kind, detail: `${fault.detail}: ${asWritten}${asWritten === path ? '' : ` (looked for ${path})`}` });
    }
  };
  const width = Math.max(1, Math.min(options.concurrency ?? DEFAULT_CONCURRENCY, shown.size));
  await Promise.all(Array.from({ length: width }, worker));
  return results;
}

/** The real file: a readable regular file passes; a folder, a missing file or one without read permission does not. */
export async function probeVideo(path: string): Promise<VideoFault | undefined> {
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { kind: 'video-missing', detail: 'video not found' };
    return { kind: 'video-unreadable', detail: `cannot look at the video (${code ?? (error as Error).message})` };
  }
  if (info.isDirectory()) return { kind: 'video-unreadable', detail: 'video path is a folder, not a file' };
  if (!info.isFile()) return { kind: 'video-unreadable', detail: 'video path is not a regular file' };
  try {
    await access(path, constants.R_OK);
  } catch (error) {
    return { kind: 'video-unreadable', detail: `video cannot be read (${(error as NodeJS.ErrnoException).code ?? 'no permission'})` };
  }
  return undefined;
}

/** Characters as the platforms count them: Unicode code points (a lone surrogate counts as one). */
function codePoints(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++, n++) if (isSurrogatePair(text, i)) i++;
  return n;
}

function isSurrogatePair(text: string, i: number): boolean {
  const high = text.charCodeAt(i);
  if (high < 0xd800 || high > 0xdbff) return false;
  const low = text.charCodeAt(i + 1);
  return low >= 0xdc00 && low <= 0xdfff;
}

export interface CheckLedgerOptions extends Partial<Omit<ArchiveCountOptions, 'ledger'>>, LockTiming {
  ledger: string;
  preflight?: PreflightSettings | undefined;
  health?: HealthPolicy | undefined;
  accounts?: ReadonlySet<string> | undefined;
  /** For the "cap exceeded" warnings: an explicit cap, else the ledger's recorded one, else 1. */
  cap?: number | undefined;
}

export interface CheckReport extends PreflightReport {
  /** Accounts already over the cap today (ledger plus today's archives): warnings, not problems. */
  capExceeded: CapExceeded[];
}

/** `daycap check`: the pre-flight on the ledger as it is now (CSV plus a live run's journal), without the lock. */
export async function checkLedger(options: CheckLedgerOptions): Promise<CheckReport> {
  const ledger = await validLedgerAt(options.ledger, options);
  const { jobs } = await ledger.read();
  const capExceeded = await findCapExceeded(ledger, { now: options.now ?? Date.now(), ignoreArchives: options.ignoreArchives, log: options.log, jobs, cap: (await resolveDayCap(ledger, [options.cap], options.log)).cap });
  const report = await preflight(jobs, {
    ...(options.preflight ?? DEFAULT_PREFLIGHT),
    ledgerDir: ledger.baseDir,
    health: options.health ?? DEFAULT_HEALTH,
    accounts: options.accounts,
  });
  return { ...report, capExceeded };
}
