/**
 * The live screen of `daycap run`. It reads the runner's event stream only: every event goes into
 * the model at once (a few counters, no allocation on a job's common path: see model.ts), and the
 * screen redraws from a tick, at a pace that keeps drawing a small share of the runner's main
 * thread (redraw.ts, frame-costs.ts). Sections whose content did not change are not rendered again
 * (see <Frozen>).
 *
 * Failure and event lines that leave the live part are printed once above it (Ink's <Static>)
 * and stay in the terminal's scrollback; the live part never grows past the terminal's height
 * (Ink would clear the screen and reprint everything on each frame).
 *
 * The parts: redraw.ts (when to draw), keys.ts (what the keys do), terminal.ts (its size, and
 * letting go at the end), screens/ (the live part, the `f` and `a` views), components/ (the
 * sections, the key line and the final summary).
 */
import { Box, Static } from 'ink';
import { memo, useRef } from 'react';
import type { RunEventStream } from '../runner/events.js';
import { FinalSummary } from './components/FinalSummary.js';
import { KeyHelp } from './components/KeyHelp.js';
import { Scrollback } from './components/Scrollback.js';
import { useKeys, type TuiControls } from './keys.js';
import { RunView } from './model.js';
import { lineSeq } from './model/history.js';
import { useRedraws } from './redraw.js';
import { DetailScreen } from './screens/DetailScreen.js';
import { LiveScreen } from './screens/LiveScreen.js';
import { useExitOnceEnded, useTerminalSize } from './terminal.js';

export type { TuiControls } from './keys.js';

export interface AppProps {
  events: RunEventStream;
  controls: TuiControls;
  /** The clock for elapsed times and countdowns (epoch ms). */
  now?: () => number;
  /** Redraw tick; the screen redraws at most once per tick. */
  tickMs?: number;
  /** Called after each redraw of the App (tests count redraws with it). */
  onRender?: () => void;
  /** The clock frames are timed with, in ms (tests make frames look costly with it). */
  frameClock?: () => number;
}

const performanceNow = () => performance.now();

export function App({ events, controls, now = Date.now, tickMs = 100, onRender, frameClock = performanceNow }: AppProps) {
  const model = useRunView();
  const { scrolled, ended, refresh } = useRedraws(events, model, { tickMs, frameClock, onRender });
  const size = useTerminalSize();
  useExitOnceEnded(ended);
  const { screen, stopAsked } = useKeys(model, controls, refresh);

  const width = Math.max(20, size.columns);
  const t = now();
  // What the operator did wins over the runner's wording (a caller that ignores the reason says 'q').
  const stopReason = stopAsked ?? model.stopping?.reason;
  const stopping = stopAsked !== undefined || model.stopping !== undefined;
  const paused = controls.isPaused();
  const props = {
    view: model, now: t, width,
    // Ink clears the whole screen when its output reaches the terminal's height: stay one row short.
    rows: Math.max(6, size.rows - 1),
    moved: `${width}|${model.version}|${Math.floor(t / 1000)}`,
  };

  return (
    <>
      <Static key={scrolled.key} items={scrolled.items}>
        {(line) => <Scrollback key={lineSeq(line)} line={line} width={width} />}
      </Static>
      <Box flexDirection="column" width={width}>
        {ended ? <FinalSummary view={model} width={width} />
          : screen === 'live' ? <LiveScreen {...props} paused={paused} stopping={stopping} stopReason={stopReason} />
          : <DetailScreen {...props} screen={screen} />}
        {!ended && <MemoKeyHelp width={width} paused={paused} stopRequested={stopping} stopReason={stopReason} screen={screen} />}
      </Box>
    </>
  );
}

/** The model lives as long as the screen: made on the first render, kept across the others. */
function useRunView(): RunView {
  const model = useRef<RunView | null>(null);
  model.current ??= new RunView();
  return model.current;
}

const MemoKeyHelp = memo(KeyHelp);
