import { fit } from '../text.js';
import { firstFit, seg, Segs, type Row } from './Segs.js';

export type Screen = 'live' | 'failures' | 'accounts';

/**
 * ` q stop after jobs in flight · p pause/resume claiming · f failures · a accounts`, or once a
 * stop was asked for, what asked for it: ` stopping (Ctrl-C): no new claims, jobs in flight finish · Ctrl-C stops now`
 */
export function KeyHelp({ width, paused, stopRequested, stopReason, screen }: { width: number; paused: boolean; stopRequested: boolean; stopReason?: string | undefined; screen: Screen }) {
  const key = (k: string) => seg(k, { bold: true });
  const text = (t: string) => seg(t, { dim: true });
  if (stopRequested) {
    const why = stopReason ? ` (${fit(stopReason, 24)})` : '';
    return <Segs row={firstFit([
      [seg(' '), text(`stopping${why}: no new claims, jobs in flight finish · `), key('Ctrl-C'), text(' stops now')],
      [seg(' '), text(`stopping${why} · `), key('Ctrl-C'), text(' stops now')],
      [seg(' '), text('stopping · '), key('Ctrl-C'), text(' stops now')],
    ], width - 1)} />;
  }
  const pause = paused ? 'resume claiming' : 'pause claiming';
  const back = screen === 'live' ? [] : [key('Esc'), text(' back · ')];
  const f = screen === 'failures' ? 'back' : 'failures';
  const a = screen === 'accounts' ? 'back' : 'accounts';
  const variants: Row[] = [
    [seg(' '), ...back, key('q'), text(' stop after jobs in flight · '), key('p'), text(` ${pause} · `), key('f'), text(` ${f} · `), key('a'), text(` ${a}`)],
    [seg(' '), ...back, key('q'), text(' stop · '), key('p'), text(` ${paused ? 'resume' : 'pause'} · `), key('f'), text(` ${f} · `), key('a'), text(` ${a}`)],
    [seg(' '), key('q'), text(' stop '), key('p'), text(paused ? ' resume ' : ' pause '), key('f'), text(` ${f} `), key('a'), text(` ${a}`)],
  ];
  return <Segs row={firstFit(variants, width - 1)} />;
}
