import { plural } from '../text.js';
import type { ViewProps } from './Header.js';
import { firstFit, seg, Segs } from './Segs.js';

/** ` ACCOUNTS  65 · 41 at cap · 5 in flight · 2 with account errors` */
export function AccountsLine({ view, width }: ViewProps) {
  const n = view.accountCount;
  const total = view.accountsComplete ? String(n) : `${n} seen`;
  const errors = view.withAccountErrors;
  const errorSeg = seg(` · ${plural(errors, 'with account error', 'with account errors')}`, errors > 0 ? { color: 'red' } : { dim: true });
  const title = seg(' ACCOUNTS  ', { bold: true });
  return (
    <Segs row={firstFit([
      [title, seg(`${total} · ${view.atCap} at cap (${view.cap}/day) · ${view.inFlight} in flight`), errorSeg],
      [title, seg(`${total} · ${view.atCap} at cap · ${view.inFlight} in flight`), errorSeg],
      [title, seg(`${total} · ${view.atCap} at cap · ${view.inFlight} busy`), seg(` · ${errors} errors`, errors > 0 ? { color: 'red' } : { dim: true })],
    ], width - 1)} />
  );
}
