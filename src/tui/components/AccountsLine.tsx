import { plural } from '../text.js';
import type { ViewProps } from './Header.js';
import { firstFit, seg, Segs, type Seg } from './Segs.js';

/** ` ACCOUNTS  65 · 41 at cap · 5 in flight · 2 with account errors · 2 frozen · 1 cooling down` */
export function AccountsLine({ view, now, width }: ViewProps) {
  const n = view.accountCount;
  const total = view.accountsComplete ? String(n) : `${n} seen`;
  const errors = view.withAccountErrors;
  const errorSeg = seg(` · ${plural(errors, 'with account error', 'with account errors')}`, errors > 0 ? { color: 'red' } : { dim: true });
  const title = seg(' ACCOUNTS  ', { bold: true });
  const cooling = view.coolingCount(now);
  const long = health(view.frozen.size, cooling, 'cooling down');
  const short = health(view.frozen.size, cooling, 'cooling');
  return (
    <Segs row={firstFit([
      [title, seg(`${total} · ${view.atCap} at cap (${view.cap}/day) · ${view.inFlight} in flight`), errorSeg, ...long],
      [title, seg(`${total} · ${view.atCap} at cap · ${view.inFlight} in flight`), errorSeg, ...long],
      [title, seg(`${total} · ${view.atCap} at cap · ${view.inFlight} busy`), seg(` · ${errors} errors`, errors > 0 ? { color: 'red' } : { dim: true }), ...short],
      // Narrower still, frozen and cooling accounts (what holds jobs back) win over the error count.
      [seg(' ACCOUNTS ', { bold: true }), seg(`${total} · ${view.atCap} at cap · ${view.inFlight} busy`), ...(short.length > 0 ? short : [seg(` · ${errors} errors`, errors > 0 ? { color: 'red' } : { dim: true })])],
    ], width - 1)} />
  );
}

/** Frozen and cooling accounts, only when there are any (most days have none). */
function health(frozen: number, cooling: number, coolingWord: string): Seg[] {
  const out: Seg[] = [];
  if (frozen > 0) out.push(seg(` · ${frozen} frozen`, { color: 'red', bold: true }));
  if (cooling > 0) out.push(seg(` · ${cooling} ${coolingWord}`, { color: 'yellow' }));
  return out;
}
