import { seg, Segs, type Seg } from './Segs.js';
import type { ViewProps } from './Header.js';
import { width as textWidth } from '../text.js';

/** ` ██████████████████░░░░░░░░  312/469 66%` and what the run is doing if not just running. */
export function ProgressBar({ view, width }: ViewProps) {
  const total = view.total;
  const done = Math.min(view.done, total);
  const pct = total === 0 ? 100 : Math.floor((done / total) * 100);
  const label = `  ${done}/${total} ${pct}%`;
  const state = stateTag(view);
  const room = width - 1 - textWidth(label) - (state ? textWidth(state.text) + 2 : 0) - 1;
  const barWidth = Math.max(4, Math.min(60, room));
  const filled = total === 0 ? barWidth : Math.floor((done / total) * barWidth);
  const row: Seg[] = [
    seg(' '),
    seg('█'.repeat(filled), { color: 'green' }),
    seg('░'.repeat(barWidth - filled), { dim: true }),
    seg(label),
  ];
  if (state) row.push(seg('  '), state);
  return <Segs row={row} />;
}

function stateTag(view: ViewProps['view']): Seg | undefined {
  if (view.ended) return seg(` ENDED: ${view.ended.reason} `, { bold: true, inverse: true });
  if (view.stopping) return seg(' STOPPING: waiting for jobs in flight ', { color: 'red', bold: true, inverse: true });
  if (view.paused) return seg(' PAUSED: no new claims ', { color: 'yellow', bold: true, inverse: true });
  return undefined;
}
