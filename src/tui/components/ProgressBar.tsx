import { fit, width as textWidth } from '../text.js';
import type { ViewProps } from './Header.js';
import { seg, Segs, type Seg } from './Segs.js';

/** The bar gives way to the words down to this many columns. */
const MIN_BAR = 10;

/**
 * ` ██████████████████░░░░░░░░  312/469 66% · 16 unassigned · 3 held by cap`, and what the run is
 * doing if not just running. Done means settled (posted, failed for good, skipped, unconfirmed);
 * pending jobs this run cannot take (no account, held back by the cap) are not done, and are
 * counted apart after the percentage.
 */
export function ProgressBar({ view, width, stopReason }: ViewProps & { stopReason?: string | undefined }) {
  const total = view.total;
  const done = Math.min(view.done, total);
  // Before run-started there is no total yet (an empty ledger, once started, is all done).
  const all = view.header ? total : 1;
  const pct = all === 0 ? 100 : Math.floor((done / all) * 100);
  const label = `  ${done}/${total} ${pct}%`;
  const unassigned = view.unassigned;
  const held = view.heldAtCap;
  const long: string[] = [];
  const short: string[] = [];
  if (unassigned > 0) {
    long.push(`${unassigned} unassigned`);
    short.push(`${unassigned} unassigned`);
  }
  if (held > 0) {
    long.push(`${held} held by cap`);
    short.push(`${held} at cap`);
  }
  const apart = [long, short, []].map((parts) => parts.map((p) => ` · ${p}`).join(''));
  const tags = stateTags(view, stopReason);
  const tagVariants: Array<Seg | undefined> = tags.length > 0 ? tags : [undefined];
  const room = (rest: string, tag: Seg | undefined) => width - 1 - 1 - textWidth(label) - textWidth(rest) - (tag ? textWidth(tag.text) + 2 : 0);
  // The fullest wording whose bar still has MIN_BAR columns; the counts apart go last.
  let choice: { rest: string; tag: Seg | undefined; bar: number } | undefined;
  for (const rest of apart) {
    for (const tag of tagVariants) {
      if (room(rest, tag) >= MIN_BAR) {
        choice = { rest, tag, bar: Math.min(60, room(rest, tag)) };
        break;
      }
    }
    if (choice) break;
  }
  choice ??= { rest: '', tag: tagVariants[tagVariants.length - 1], bar: 4 };
  const { rest, tag, bar } = choice;
  const filled = all === 0 ? bar : Math.floor((done / all) * bar);
  const row: Seg[] = [
    seg(' '),
    seg('█'.repeat(filled), { color: 'green' }),
    seg('░'.repeat(bar - filled), { dim: true }),
    seg(label),
  ];
  if (rest) row.push(seg(rest, { color: 'yellow' }));
  if (tag) row.push(seg('  '), tag);
  return <Segs row={row} />;
}

/** What the run is doing if not just running, from the fullest wording to the tersest. */
function stateTags(view: ViewProps['view'], stopReason: string | undefined): Seg[] {
  if (view.ended) return [seg(` ENDED: ${view.ended.reason} `, { bold: true, inverse: true })];
  const stopping = view.stopping !== undefined || stopReason !== undefined;
  if (stopping) {
    const reason = stopReason ?? view.stopping?.reason;
    const why = reason ? ` (${fit(reason, 20)})` : '';
    const style = { color: 'red', bold: true, inverse: true };
    return [seg(` STOPPING${why}: waiting for jobs in flight `, style), seg(` STOPPING${why} `, style), seg(' STOPPING ', style)];
  }
  if (view.paused) {
    const style = { color: 'yellow', bold: true, inverse: true };
    return [seg(' PAUSED: no new claims ', style), seg(' PAUSED ', style)];
  }
  return [];
}
