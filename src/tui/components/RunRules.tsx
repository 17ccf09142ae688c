import { formatDuration } from '../../runner/log.js';
import type { RunView } from '../model.js';
import { fit, width as textWidth } from '../text.js';
import type { ViewProps } from './Header.js';
import { seg, Segs, type Seg } from './Segs.js';

/**
 * The row under the header: the pacing rules in force, and while the posting window is closed,
 * when it opens (the first thing an operator wonders when nothing is being claimed).
 * ```
 *  outside the posting window — opens in 7:32:10 · gap 10:00 + up to 3:00 · window 08:00–23:00 Europe/Berlin
 *  PACING  gap 10:00 + up to 3:00 · at most 30/min · window 08:00–23:00 Europe/Berlin
 * ```
 * Nothing (no row) when the run has no pacing rules and the window is not closed.
 */
export function RunRules({ view, now, width }: ViewProps) {
  if (runRulesRows(view) === 0) return null;
  const rules = view.header!.pacing.join(' · ');
  const closed = view.windowClosed;
  const row: Seg[] = [];
  if (closed) {
    const when = closed.until === undefined ? 'the run ends once the jobs in flight are done' : `opens in ${formatDuration(closed.until - now)}`;
    row.push(seg(' '), seg(fit(`outside the posting window — ${when}`, width - 2), { color: 'yellow', bold: true }));
    // The rules follow if a useful part of them fits.
    const room = width - 2 - textWidth(row[1]!.text);
    if (rules && room >= 12) row.push(seg(fit(` · ${rules}`, room), { dim: true }));
  } else {
    row.push(seg(' PACING  ', { bold: true }), seg(fit(rules, width - 1 - 9), { dim: true }));
  }
  return <Segs row={row} />;
}

/** Rows RunRules takes: the screen's layout sets them aside. */
export function runRulesRows(view: RunView): number {
  if (!view.header || view.ended) return 0;
  return view.header.pacing.length > 0 || view.windowClosed ? 1 : 0;
}
