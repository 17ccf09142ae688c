import { formatDuration } from '../../runner/log.js';
import type { RunView } from '../model.js';
import { baseName, fit, plural, width as textWidth } from '../text.js';
import { rowWidth, seg, Segs, type Seg } from './Segs.js';

export interface ViewProps {
  view: RunView;
  now: number;
  width: number;
}

/** ` daycap  progress.csv · run 7f3c · 5 workers · cap 1/account/day        elapsed 1:12:09 · ETA 0:41` */
export function Header({ view, now, width }: ViewProps) {
  const title = seg(' daycap ', { bold: true, inverse: true });
  const h = view.header;
  if (!h) return <Segs row={[title, seg('  starting…', { dim: true })]} />;
  const elapsed = formatDuration(view.elapsedMs(now));
  const eta = view.etaMs(now);
  const etaText = view.ended ? '' : ` · ETA ${eta === undefined ? '–' : formatDuration(eta)}`;
  const ledger = baseName(h.ledger);
  const workers = plural(h.workers, 'worker');
  const long = `elapsed ${elapsed}${etaText}`;
  const short = `${elapsed}${etaText}`;
  // From the fullest to the tersest; the ledger's name takes what is left, but no less than a
  // dozen columns (or its whole name).
  const candidates: Array<[string[], string]> = [
    [[`run ${h.runId}`, workers, `cap ${h.cap}/account/day`], long],
    [[`run ${h.runId}`, workers, `cap ${h.cap}/day`], long],
    [[`run ${h.runId}`, workers, `cap ${h.cap}`], long],
    [[`run ${h.runId}`, workers, `cap ${h.cap}`], short],
    [[`run ${h.runId}`, `${h.workers}w`, `cap ${h.cap}`], short],
    [[h.runId], short],
    [[h.runId], elapsed],
  ];
  const minLedger = Math.min(12, textWidth(ledger));
  for (const [parts, right] of candidates) {
    const rest = parts.map((p) => ` · ${p}`).join('');
    const room = width - textWidth(title.text) - 1 - textWidth(rest) - 2 - textWidth(right) - 1;
    if (room >= minLedger) return <Segs row={layout(title, fit(ledger, room), rest, right, width)} />;
  }
  return <Segs row={[title, seg(` ${fit(ledger, Math.max(1, width - textWidth(title.text) - 1))}`)]} />;
}

function layout(title: Seg, ledger: string, rest: string, right: string, width: number): Seg[] {
  const left: Seg[] = [title, seg(` ${ledger}`, { bold: true }), seg(rest)];
  const gap = Math.max(2, width - rowWidth(left) - textWidth(right) - 1);
  return [...left, seg(' '.repeat(gap)), seg(right)];
}
