import { describe, expect, it } from 'vitest';
import { cloneJob, newJob, STATUSES, type Job, type Status } from '../../src/core/job.js';
import { applyMergePlan, mergeEdit, type MergePlan } from '../../src/core/merge.js';
import { OPERATOR_TRANSITIONS } from '../../src/core/operator-edits.js';
import { DayState } from '../../src/core/day-state.js';
import { parseLedger, serializeLedger } from '../../src/ledger/codec.js';
import { readEdit } from '../../src/ledger/watch.js';
import { operatorUpdate } from '../../src/core/operator-actions.js';
import { checkIndexes, accountSummary } from '../helpers/day.js';

const T0 = Date.parse('2026-11-29T20:00:00Z');
const T1 = T0 + 60_000;
const ctx = (now = T0) => ({ workerId: 0, runId: 'run-a', now, pass: 1 });

/** Rows as daycap would have them in each status (bookkeeping columns filled in as its methods fill them). */
function row(id: string, account: string, status: Status, fields: Partial<Job> = {}): Job {
  const byStatus: Record<Status, Partial<Job>> = {
    pending: {},
    claimed: { worker_id: '0', claimed_at: new Date(T0).toISOString(), run_id: 'run-a', pass_number: 1 },
    success: { worker_id: '0', claimed_at: new Date(T0).toISOString(), completed_at: new Date(T0 + 5000).toISOString(), attempts: 1, run_id: 'run-a', video_id: 'post-1' },
    retrying: { attempts: 1, error: 'adb timeout', error_type: 'adb_timeout', error_category: 'infrastructure', retry_at: new Date(T0 + 300_000).toISOString(), completed_at: new Date(T0).toISOString() },
    failed: { attempts: 1, error: 'Your account has been suspended', error_type: 'suspended', error_category: 'account', completed_at: new Date(T0).toISOString() },
    skipped: { error: 'set aside' },
    unconfirmed: { worker_id: '1', claimed_at: new Date(T0).toISOString(), completed_at: new Date(T0 + 1000).toISOString(), run_id: 'run-old', error: 'in flight when its run or worker died; may have posted' },
  };
  return newJob({ job_id: id, account, video_path: `/v/${id}.mp4`, caption: `caption of ${id}`, status, ...byStatus[status], ...fields });
}

/** base = what daycap wrote; the tracker starts from it; `edit` changes a copy. */
function setup(base: Job[], cap = 1) {
  const tracker = new DayState(base.map(cloneJob), { cap });
  const edited = base.map(cloneJob);
  const merge = (rows: Job[] = edited, lines?: number[]) => mergeEdit({ base, edited: rows, current: tracker, now: T1, ...(lines ? { editedLines: lines } : {}) });
  return { tracker, edited, merge };
}

function only(plan: MergePlan) {
  expect(plan.apply.length + plan.refused.length).toBe(1);
  return plan;
}

describe('operator status changes on rows daycap has not touched since it wrote them', () => {
  const legal = (Object.entries(OPERATOR_TRANSITIONS) as [Status, Status[]][]).flatMap(([from, tos]) => tos.map((to) => [from, to] as const));
  it('covers exactly the moves the issue lists', () => {
    expect(legal.map(([a, b]) => `${a}->${b}`).sort()).toEqual([
      'failed->pending', 'failed->skipped', 'pending->skipped', 'retrying->pending', 'retrying->skipped',
      'skipped->pending', 'unconfirmed->pending', 'unconfirmed->success',
    ]);
  });

  it.each(legal)('applies %s -> %s', (from, to) => {
    const { tracker, edited, merge } = setup([row('j', 'a', from), row('other', 'b', 'pending')]);
    edited[0]!.status = to;
    const plan = only(merge());
    expect(plan.apply[0]).toMatchObject({ kind: 'update', job: { job_id: 'j', status: to } });
    const { changed, refused } = applyMergePlan(tracker, plan);
    expect(refused).toEqual([]);
    expect(changed).toHaveLength(1);
    expect(tracker.get('j')!.status).toBe(to);
    checkIndexes(tracker);
  });

  const illegal = STATUSES.flatMap((from) => STATUSES.filter((to) => to !== from && !OPERATOR_TRANSITIONS[from].includes(to)).map((to) => [from, to] as const));
  it.each(illegal)('refuses %s -> %s with a reason', (from, to) => {
    const { tracker, edited, merge } = setup([row('j', 'a', from)]);
    edited[0]!.status = to;
    const plan = only(merge());
    expect(plan.refused[0]!.jobId).toBe('j');
    expect(plan.refused[0]!.reason).toMatch(new RegExp(`${from} -> ${to}`));
    expect(applyMergePlan(tracker, plan).changed).toEqual([]);
    expect(tracker.get('j')!.status).toBe(from);
  });

  it('does the bookkeeping daycap does for the same move', () => {
    const { tracker, edited, merge } = setup([
      row('f', 'a', 'failed'), row('r', 'b', 'retrying'), row('u', 'c', 'unconfirmed'), row('p', 'd', 'unconfirmed'),
    ]);
    edited[0]!.status = 'pending';
    edited[1]!.status = 'pending';
    edited[2]!.status = 'success';
    edited[3]!.status = 'pending';
    applyMergePlan(tracker, merge());
    // failed -> pending: a fresh start, as retry-failed gives.
    expect(tracker.get('f')).toMatchObject({ status: 'pending', attempts: 0, error: '', error_category: '', error_type: '' });
    // retrying -> pending: now rather than at retry_at, same attempt count.
    expect(tracker.get('r')).toMatchObject({ status: 'pending', attempts: 1, retry_at: '' });
    expect(tracker.claimNext(ctx(T1))?.job).toBeDefined();
    // unconfirmed -> success: the operator's verdict, as verify's "posted".
    expect(tracker.get('u')).toMatchObject({ status: 'success', completed_at: new Date(T1).toISOString(), error: '' });
    // unconfirmed -> pending: released, as release-stale does.
    expect(tracker.get('p')).toMatchObject({ status: 'pending', worker_id: '', claimed_at: '', run_id: '' });
    checkIndexes(tracker);
  });

  it('puts a revived job back into the claim rotation', () => {
    const { tracker, edited, merge } = setup([row('j', 'a', 'failed')]);
    expect(tracker.claimNext(ctx())?.job).toBeUndefined();
    edited[0]!.status = 'pending';
    applyMergePlan(tracker, merge());
    expect(tracker.claimNext(ctx())?.job?.job_id).toBe('j');
  });
});

describe('operator field edits', () => {
  it('applies a caption fix on a pending job', () => {
    const { tracker, edited, merge } = setup([row('j', 'a', 'pending'), row('k', 'a', 'pending')]);
    edited[0]!.caption = 'fixed caption, with "quotes"\nand a second line';
    const plan = only(merge());
    expect(plan.apply[0]!.reason).toMatch(/caption/);
    const { changed } = applyMergePlan(tracker, plan);
    expect(changed[0]!.caption).toBe('fixed caption, with "quotes"\nand a second line');
    expect(tracker.get('j')!.caption).toBe('fixed caption, with "quotes"\nand a second line');
    expect(tracker.get('k')!.caption).toBe('caption of k');
  });

  it.each(['pending', 'skipped', 'failed', 'retrying'] as const)('applies account, video_path and max_attempts edits on a %s job, re-indexed', (status) => {
    const { tracker, edited, merge } = setup([row('j', 'a', status), row('x', 'b', 'success')], 2);
    Object.assign(edited[0]!, { account: 'b', video_path: '/v/other.mp4', max_attempts: 5 });
    const { changed, refused } = applyMergePlan(tracker, merge());
    expect(refused).toEqual([]);
    expect(changed[0]).toMatchObject({ account: 'b', video_path: '/v/other.mp4', max_attempts: 5, status });
    expect(accountSummary(tracker, 'a')!.byStatus[status]).toBe(0);
    expect(accountSummary(tracker, 'b')!.byStatus[status]).toBe(1);
    checkIndexes(tracker);
  });

  it.each(['claimed', 'success', 'unconfirmed'] as const)('refuses field edits on a %s job', (status) => {
    const { edited, merge } = setup([row('j', 'a', status)]);
    edited[0]!.caption = 'too late';
    const plan = only(merge());
    expect(plan.refused[0]!.reason).toMatch(new RegExp(`is ${status}: its caption can no longer be changed`));
  });

  it('refuses a status change and a field edit together when the job was not editable', () => {
    const { edited, merge } = setup([row('j', 'a', 'unconfirmed')]);
    Object.assign(edited[0]!, { status: 'pending', account: 'b' });
    expect(only(merge()).refused[0]!.reason).toMatch(/account can no longer be changed/);
  });

  it('applies a status change together with a field edit on an editable job', () => {
    const { tracker, edited, merge } = setup([row('j', 'a', 'failed')]);
    Object.assign(edited[0]!, { status: 'pending', caption: 'better' });
    applyMergePlan(tracker, merge());
    expect(tracker.get('j')).toMatchObject({ status: 'pending', caption: 'better' });
  });

  it("refuses edits of daycap's own columns, naming them", () => {
    const { edited, merge } = setup([row('j', 'a', 'failed')]);
    Object.assign(edited[0]!, { status: 'pending', attempts: 0, error: '' });
    expect(only(merge()).refused[0]!.reason).toMatch(/columns error, attempts changed, but daycap keeps those itself/);
  });

  it('refuses max_attempts below 1', () => {
    const { edited, merge } = setup([row('j', 'a', 'pending')]);
    edited[0]!.max_attempts = 0;
    expect(only(merge()).refused[0]!.reason).toMatch(/max_attempts/);
  });

  it('applies an edit of an extra (operator) column, on any row', () => {
    const base = [row('j', 'a', 'success', { extra: { notes: '' } })];
    const { tracker, edited, merge } = setup(base);
    edited[0]!.extra = { notes: 'checked by hand' };
    applyMergePlan(tracker, merge());
    expect(tracker.get('j')!.extra).toEqual({ notes: 'checked by hand' });
  });

  it('treats a time written differently but meaning the same instant as unchanged', () => {
    const { edited, merge } = setup([row('j', 'a', 'success')]);
    edited[0]!.claimed_at = edited[0]!.claimed_at.replace('Z', '+00:00');
    expect(merge()).toEqual({ apply: [], refused: [] });
  });
});

describe('conflicts with what daycap did since it wrote the file', () => {
  it('refuses a change to a row claimed meanwhile', () => {
    const { tracker, edited, merge } = setup([row('j', 'a', 'pending')]);
    tracker.claimNext(ctx());
    edited[0]!.caption = 'fix';
    const plan = only(merge());
    expect(plan.refused[0]!.reason).toMatch(/conflict: daycap changed job j since it last wrote the file \(pending -> claimed\)/);
    expect(applyMergePlan(tracker, plan).changed).toEqual([]);
    expect(tracker.get('j')).toMatchObject({ status: 'claimed', caption: 'caption of j' });
  });

  it('refuses pending -> skipped on a job that has posted meanwhile', () => {
    const { tracker, edited, merge } = setup([row('j', 'a', 'pending')]);
    tracker.claimNext(ctx());
    tracker.succeed('j', T0 + 10);
    edited[0]!.status = 'skipped';
    expect(only(merge()).refused[0]!.reason).toMatch(/conflict/);
  });

  it("accepts a row equal to daycap's current row (both made the same change)", () => {
    const { tracker, edited, merge } = setup([row('j', 'a', 'pending')]);
    tracker.skip('j', 'set aside');
    edited[0]!.status = 'skipped';
    edited[0]!.error = 'set aside';
    expect(merge()).toEqual({ apply: [], refused: [] });
  });

  it('leaves rows daycap changed but the operator did not alone', () => {
    const { tracker, merge } = setup([row('j', 'a', 'pending')]);
    tracker.claimNext(ctx());
    expect(merge()).toEqual({ apply: [], refused: [] });
  });

  it('refuses the stale copy of an editor that loaded the file before a job failed (no silent revival)', () => {
    // The operator's editor loaded V1 (pending); daycap then wrote V2 (failed). Saving the old buffer
    // looks like failed -> pending against V2, but its bookkeeping columns are V1's.
    const v1 = [row('j', 'a', 'pending')];
    const tracker = new DayState(v1.map(cloneJob));
    tracker.claimNext(ctx());
    tracker.fail('j', { now: T0 + 10, failure: { message: 'Your account has been suspended' }, retryDelayMs: 1000 });
    const v2 = tracker.all().map(cloneJob);
    const plan = mergeEdit({ base: v2, edited: v1, current: tracker, now: T1 });
    expect(plan.apply).toEqual([]);
    expect(plan.refused[0]!.reason).toMatch(/daycap keeps those itself.*reload it/);
  });

  it('refuses at apply time a row that changed after the plan was made', () => {
    const { tracker, edited, merge } = setup([row('j', 'a', 'pending')]);
    edited[0]!.caption = 'fix';
    const plan = merge();
    tracker.claimNext(ctx());
    const { changed, refused } = applyMergePlan(tracker, plan);
    expect(changed).toEqual([]);
    expect(refused[0]!.reason).toMatch(/while the edit was being merged/);
  });
});

describe('rows added and deleted', () => {
  it('adds a row with a new job_id as a new pending job, clearing bookkeeping columns', () => {
    const { tracker, edited, merge } = setup([row('j', 'a', 'pending')]);
    edited.push(newJob({ job_id: 'new1', account: 'b', caption: 'hi', attempts: 2, error: 'old text' }));
    const plan = only(merge());
    expect(plan.apply[0]).toMatchObject({ kind: 'add', job: { job_id: 'new1', account: 'b', attempts: 0, error: '' } });
    expect(plan.apply[0]!.reason).toMatch(/error, attempts start empty/);
    applyMergePlan(tracker, plan);
    expect(tracker.size).toBe(2);
    expect(tracker.claimNext(ctx())?.job).toBeDefined();
    checkIndexes(tracker);
  });

  it('adds a new skipped row', () => {
    const { tracker, edited, merge } = setup([row('j', 'a', 'pending')]);
    edited.push(newJob({ job_id: 'new1', account: 'b', status: 'skipped' }));
    applyMergePlan(tracker, merge());
    expect(tracker.get('new1')!.status).toBe('skipped');
  });

  it.each(['claimed', 'success', 'retrying', 'failed', 'unconfirmed'] as const)('refuses a new row with status %s', (status) => {
    const { edited, merge } = setup([row('j', 'a', 'pending')]);
    edited.push(row('new1', 'a', status));
    expect(only(merge()).refused[0]!.reason).toMatch(/must be pending or skipped/);
  });

  it('refuses a "new" row whose job_id daycap added after it last wrote the file', () => {
    const { tracker, edited, merge } = setup([row('j', 'a', 'pending')]);
    tracker.add(row('late', 'b', 'pending'));
    edited.push(row('late', 'b', 'pending', { caption: 'different' }));
    expect(only(merge()).refused[0]!.reason).toMatch(/added by daycap/);
  });

  it('refuses a deleted row and keeps it', () => {
    const { tracker, edited, merge } = setup([row('j', 'a', 'pending'), row('k', 'b', 'failed')]);
    edited.splice(1, 1);
    const plan = only(merge());
    expect(plan.refused[0]).toMatchObject({ jobId: 'k' });
    expect(plan.refused[0]!.reason).toMatch(/never deleted/);
    applyMergePlan(tracker, plan);
    expect(tracker.has('k')).toBe(true);
  });

  it('refuses a job_id repeated in the edit', () => {
    const { edited, merge } = setup([row('j', 'a', 'pending')]);
    edited.push(row('new', 'a', 'pending'), row('new', 'b', 'pending'));
    const plan = merge();
    expect(plan.apply).toHaveLength(1);
    expect(plan.refused[0]!.reason).toMatch(/more than once/);
  });

  it('treats a reordered (sorted) file with no other change as no change', () => {
    const { edited, merge } = setup([row('j', 'a', 'pending'), row('k', 'b', 'failed'), row('l', 'c', 'success')]);
    expect(merge([...edited].reverse())).toEqual({ apply: [], refused: [] });
  });

  it('reports the line of a refused row', () => {
    const base = [row('j', 'a', 'pending'), row('k', 'b', 'success')];
    const { edited, merge } = setup(base);
    edited[0]!.caption = 'two\nlines';
    edited[1]!.caption = 'no';
    const parsed = readEdit(Buffer.from(serializeLedger(edited)), 'progress.csv');
    const plan = merge(parsed.jobs, parsed.lines);
    expect(plan.apply[0]!.line).toBe(2);
    expect(plan.refused[0]).toMatchObject({ jobId: 'k', line: 4 });
  });
});

describe('the caps (G1, G2)', () => {
  it('never lets an operator change add to an account at its cap', () => {
    // The table already forbids every move into a counted status except unconfirmed -> success
    // (already counted); even a hand-built plan is refused by the tracker.
    const { tracker, merge, edited } = setup([row('s', 'a', 'success'), row('p', 'a', 'pending'), row('u', 'a', 'unconfirmed')], 2);
    edited[2]!.status = 'success';
    expect(applyMergePlan(tracker, merge()).refused).toEqual([]);
    expect(accountSummary(tracker, 'a')!.counted).toBe(2);
    expect(() => operatorUpdate(tracker, 'p', { ...cloneJob(tracker.get('p')!), status: 'success' })).toThrow(/cannot go from pending to success/);
    expect(() => operatorUpdate(tracker, 'p', { ...cloneJob(tracker.get('p')!), status: 'claimed' })).toThrow(/cannot go from pending to claimed/);
    expect(() => operatorUpdate(tracker, 's', { ...cloneJob(tracker.get('s')!), account: 'b' })).toThrow(/cannot go/);
  });
});

describe('edits as a spreadsheet saves them', () => {
  it('sees no change in a BOM + CRLF rewrite, and exactly the cell that changed', () => {
    const base = [row('j', 'a', 'pending', { caption: 'line one\nline two, "quoted"' }), row('k', 'b', 'success')];
    const { merge } = setup(base);
    const text = serializeLedger(base);
    // A spreadsheet may also turn the line breaks inside quoted fields into CRLF: still no change.
    const crlf = (t: string) => Buffer.from('\uFEFF' + t.replace(/\n/g, '\r\n'));
    expect(merge(readEdit(crlf(text), 'progress.csv').jobs)).toEqual({ apply: [], refused: [] });
    const edited = parseLedger(text, 'x').jobs;
    edited[0]!.status = 'skipped';
    const plan = merge(readEdit(crlf(serializeLedger(edited)), 'progress.csv').jobs);
    expect(plan.refused).toEqual([]);
    expect(plan.apply[0]!.job.caption).toBe('line one\nline two, "quoted"');
    expect(plan.apply.map((a) => [a.job.job_id, a.job.status])).toEqual([['j', 'skipped']]);
  });
});
