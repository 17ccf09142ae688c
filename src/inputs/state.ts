/** The scheduler's state file (docs/ledger.md#scheduler-state): the day's planned jobs, its accounts and settings. */
import { z } from 'zod';
import { InputError } from '../errors.js';
import { videoKeyOf, type SeedCandidate } from '../core/seed.js';
import { parseTime } from '../core/job.js';
import { parseJson } from './json.js';
import { accountNameProblem } from './names.js';
import { readInputText, type InputKind } from './read.js';

const STATE: InputKind = {
  what: 'scheduler state',
  code: 'STATE_INVALID',
  hint: 'Give the path of the scheduler-state JSON file (the one with "jobs", "accounts" and "settings").',
};
const FIX_HINT = 'Fix or regenerate the scheduler state; it has not been changed.';

/** The states that still want posting; the scheduler's other statuses are history. */
const SEEDABLE = new Set(['pending', 'retrying']);

export interface SchedulerSettings {
  postsPerAccountPerDay?: number;
  numWorkers?: number;
  delayBetweenPosts?: number;
}

export interface SchedulerState {
  candidates: SeedCandidate[];
  accounts: string[];
  settings: SchedulerSettings;
  /** Accounts the scheduler has cooling down (its `cooldown_until`), epoch ms. */
  cooldowns: Map<string, number>;
}

function kindOf(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (value === '') return 'an empty string';
  return typeof value === 'object' ? 'an object' : `${typeof value === 'string' ? 'a' : 'the'} ${typeof value} ${JSON.stringify(value)}`;
}

/** Messages say what was expected and what was there, since the operator edits the JSON by hand. */
const expected = (what: string) => ({ error: (issue: { input?: unknown }) => `expected ${what}, got ${kindOf(issue.input)}` });

const nonEmptyText = z.string(expected('a non-empty string')).min(1, expected('a non-empty string'));
const optionalText = z.string(expected('a string')).nullish();
const count = (what: string) => z.number(expected(what)).int(expected(what));

const JobShape = z.looseObject(
  {
    id: nonEmptyText,
    status: nonEmptyText,
    video_path: nonEmptyText,
    caption: optionalText,
    account: optionalText,
    max_attempts: count('a whole number of 1 or more').min(1, expected('a whole number of 1 or more')).nullish(),
  },
  expected('a job object'),
);

const StateShape = z.looseObject(
  {
    jobs: z.array(JobShape, expected('a list of jobs')),
    accounts: z.array(z.looseObject({ name: nonEmptyText }, expected('an account object')), expected('a list of accounts')).nullish(),
    settings: z
      .looseObject(
        {
          posts_per_account_per_day: count('a whole number of 1 or more').min(1, expected('a whole number of 1 or more')).nullish(),
          num_workers: count('a whole number of 1 or more').min(1, expected('a whole number of 1 or more')).nullish(),
          delay_between_posts: z.number(expected('a number of seconds')).min(0, expected('a number of seconds, 0 or more')).nullish(),
        },
        expected('an object'),
      )
      .nullish(),
  },
  expected('an object with a "jobs" list'),
);

/** `jobs[3].id`, the way the operator would find it in the file. */
export function jsonPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (typeof key === 'string' && /^[A-Za-z_$][\w$]*$/.test(key)) out += out ? `.${key}` : key;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out || '(top level)';
}

const SHOWN_ISSUES = 5;

function shapeError(file: string, issues: readonly z.core.$ZodIssue[]): InputError {
  const lines = issues.slice(0, SHOWN_ISSUES).map((issue) => `${jsonPath(issue.path)}: ${issue.message}`);
  if (issues.length > SHOWN_ISSUES) lines.push(`and ${issues.length - SHOWN_ISSUES} more`);
  return new InputError(STATE.code, { file }, lines.join('; '), { hint: FIX_HINT });
}

export async function readSchedulerState(path: string): Promise<SchedulerState> {
  const raw = parseJson(await readInputText(path, STATE), path, STATE.code, FIX_HINT);
  const parsed = StateShape.safeParse(raw);
  if (!parsed.success) throw shapeError(path, parsed.error.issues);
  const state = parsed.data;

  const firstIndex = new Map<string, number>();
  state.jobs.forEach((job, i) => {
    const earlier = firstIndex.get(job.id);
    if (earlier !== undefined) {
      throw new InputError(STATE.code, { file: path }, `jobs[${i}].id: duplicate id ${JSON.stringify(job.id)}, also at jobs[${earlier}]`, {
        hint: `Job ids must be unique. ${FIX_HINT}`,
      });
    }
    firstIndex.set(job.id, i);
  });

  const accounts = new Set<string>();
  const cooldowns = new Map<string, number>();
  (state.accounts ?? []).forEach((account, i) => {
    const bad = accountNameProblem(account.name);
    if (bad) throw new InputError(STATE.code, { file: path }, `accounts[${i}].name: ${bad.problem}`, { hint: FIX_HINT });
    accounts.add(account.name);
    // The scheduler's own cooldown carries over; a value that is not a time is the scheduler's business, not a cooldown.
    const until = typeof account['cooldown_until'] === 'string' ? parseTime(account['cooldown_until']) : undefined;
    if (until !== undefined) cooldowns.set(account.name, until);
  });

  const candidates: SeedCandidate[] = state.jobs
    .filter((job) => SEEDABLE.has(job.status))
    .map((job) => ({
      job_id: job.id,
      video_path: job.video_path,
      caption: job.caption ?? '',
      videoKey: videoKeyOf(job.video_path),
      ...(job.account ? { account: job.account } : {}),
      ...(job.max_attempts == null ? {} : { max_attempts: job.max_attempts }),
    }));

  const s = state.settings ?? {};
  const settings: SchedulerSettings = {
    ...(s.posts_per_account_per_day == null ? {} : { postsPerAccountPerDay: s.posts_per_account_per_day }),
    ...(s.num_workers == null ? {} : { numWorkers: s.num_workers }),
    ...(s.delay_between_posts == null ? {} : { delayBetweenPosts: s.delay_between_posts }),
  };
  return { candidates, accounts: [...accounts], settings, cooldowns };
}
