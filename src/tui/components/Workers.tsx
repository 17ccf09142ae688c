import { Box } from 'ink';
import { describeBlockers, formatDuration } from '../../runner/log.js';
import type { RunView, WorkerState } from '../model.js';
import { fit, pad, padStart, width as textWidth } from '../text.js';
import type { ViewProps } from './Header.js';
import { seg, Segs, type Seg } from './Segs.js';

/**
 * ```
 *  WORKERS  2 busy · 1 idle
 *   #0  quickcutspod    DMNmeE-oIXY-1.mp4   0:42
 *   #2  idle: 3 accounts in flight, 12 at cap, 5 retrying later (next in 3:10)
 * ```
 * At most `maxRows` rows including the title; beyond that the busy workers are shown first and
 * the rest summed up in one row.
 */
export function Workers({ view, now, width, maxRows }: ViewProps & { maxRows: number }) {
  const workers = view.workers.map((state, id) => ({ id, state }));
  const busy = workers.filter((w) => w.state.kind === 'busy').length;
  const idle = workers.filter((w) => w.state.kind === 'idle').length;
  const title: Seg[] = [seg(' WORKERS', { bold: true }), seg(`  ${busy} busy · ${idle} idle`, { dim: true })];
  const room = Math.max(0, maxRows - 1);
  let shown = workers;
  let more: string | undefined;
  if (workers.length > room) {
    const keep = Math.max(0, room - 1);
    shown = [...workers.filter((w) => w.state.kind === 'busy'), ...workers.filter((w) => w.state.kind !== 'busy')].slice(0, keep);
    shown.sort((a, b) => a.id - b.id);
    const hidden = workers.filter((w) => !shown.includes(w));
    const hiddenBusy = hidden.filter((w) => w.state.kind === 'busy').length;
    more = `  … ${hidden.length} more: ${hiddenBusy} busy, ${hidden.length - hiddenBusy} not`;
  }
  const idWidth = textWidth(`#${Math.max(0, workers.length - 1)}`) + 2;
  const durWidth = 7;
  const avail = Math.max(10, width - 1 - 2 - idWidth - 2 - 2 - durWidth);
  let longest = 8;
  let longestVideo = 12;
  for (const { state } of shown) {
    if (state.kind !== 'busy') continue;
    longest = Math.max(longest, textWidth(state.account));
    longestVideo = Math.max(longestVideo, textWidth(state.video));
  }
  const accountWidth = Math.min(longest, 24, Math.max(8, Math.floor(avail * 0.45)));
  // The duration sits right after the video, not at the far edge of a wide terminal.
  const videoWidth = Math.max(1, Math.min(longestVideo, avail - accountWidth));
  return (
    <Box flexDirection="column">
      {maxRows > 0 && <Segs row={title} />}
      {shown.map(({ id, state }) => (
        <Segs key={id} row={workerRow(view, id, state, now, { width, idWidth, accountWidth, videoWidth, durWidth })} />
      ))}
      {more && <Segs row={[seg(fit(more, width - 1), { dim: true })]} />}
    </Box>
  );
}

interface Columns {
  width: number;
  idWidth: number;
  accountWidth: number;
  videoWidth: number;
  durWidth: number;
}

function workerRow(view: RunView, id: number, state: WorkerState, now: number, c: Columns): Seg[] {
  const lead = seg(`  ${pad(`#${id}`, c.idWidth)}`, { dim: true });
  const rest = c.width - 1 - textWidth(lead.text);
  switch (state.kind) {
    case 'busy':
      return [
        lead,
        seg(pad(state.account, c.accountWidth), { color: 'cyan' }),
        seg(`  ${pad(state.video, c.videoWidth)}  `),
        seg(padStart(formatDuration(now - state.since), c.durWidth), { dim: true }),
      ];
    case 'idle':
      return [lead, seg(fit(`idle: ${idleReason(view, state.blockers, now)}`, rest), { color: 'yellow' })];
    case 'between':
      return [lead, seg(fit('saving its result…', rest), { dim: true })];
    case 'died':
      return [lead, seg(fit(`died: ${state.message}; starting a new thread`, rest), { color: 'red' })];
    case 'starting':
      return [lead, seg(fit(view.ended || view.stopping ? 'stopped' : 'starting…', rest), { dim: true })];
  }
}

function idleReason(view: RunView, blockers: Parameters<typeof describeBlockers>[0], now: number): string {
  if (view.stopping) return 'stopped (no new claims)';
  if (view.paused) return 'claiming is paused (p resumes)';
  return describeBlockers(blockers, now);
}
