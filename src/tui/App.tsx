/**
 * The live screen of `daycap run`. It reads the runner's event stream only. Every event goes into
 * the model at once (a few map operations, well under a microsecond), but the screen redraws from
 * a 100 ms tick and only if something changed (plus once a second for the clocks): ten redraws a
 * second at most, whatever the event rate. Each redraw is timed, and the next one waits long
 * enough that drawing takes no more than FRAME_BUDGET of the main thread, which the runner needs
 * for claims: a busy run is redrawn a few times a second, a calm one ten.
 *
 * Failure and event lines that leave the live part are printed once above it (Ink's <Static>)
 * and stay in the terminal's scrollback; the live part never grows past the terminal's height
 * (Ink would clear the screen and reprint everything on each frame).
 */
import { Box, Static, useApp, useInput, useStdin, useStdout } from 'ink';
import { useEffect, useLayoutEffect, useRef, useState, type ReactNode } from 'react';
import type { RunEventStream } from '../runner/events.js';
import { AccountsLine } from './components/AccountsLine.js';
import { AccountsView } from './components/AccountsView.js';
import { Counts } from './components/Counts.js';
import { Events } from './components/Events.js';
import { FailuresView } from './components/FailuresView.js';
import { FinalSummary } from './components/FinalSummary.js';
import { Header } from './components/Header.js';
import { KeyHelp, type Screen } from './components/KeyHelp.js';
import { ProgressBar } from './components/ProgressBar.js';
import { RecentFailures } from './components/RecentFailures.js';
import { Scrollback } from './components/Scrollback.js';
import { Workers } from './components/Workers.js';
import { RunView, type ScrolledLine } from './model.js';

export interface TuiControls {
  /** Graceful stop: no new claims, jobs in flight finish (same as SIGINT). */
  stop(): void;
  /** Stop now: jobs in flight are aborted. */
  stopNow(): void;
  pause(): void;
  resume(): void;
  isPaused(): boolean;
}

export interface AppProps {
  events: RunEventStream;
  controls: TuiControls;
  /** The clock for elapsed times and countdowns (epoch ms). */
  now?: () => number;
  /** Redraw tick; the screen redraws at most once per tick. */
  tickMs?: number;
  /** Called after each redraw of the App (tests count redraws with it). */
  onRender?: () => void;
}

/** Redraw at least this often (in ticks) even without events, for the clocks. */
const CLOCK_TICKS = 10;
/** The share of the main thread drawing may take (the model's own cost is apart, and tiny). */
const FRAME_BUDGET = 0.03;

export function App({ events, controls, now = Date.now, tickMs = 100, onRender }: AppProps) {
  const { exit } = useApp();
  const { stdout } = useStdout();
  const { isRawModeSupported } = useStdin();
  const modelRef = useRef<RunView | null>(null);
  modelRef.current ??= new RunView();
  const model = modelRef.current;
  const [, setFrame] = useState(0);
  const [screen, setScreen] = useState<Screen>('live');
  const [size, setSize] = useState(() => terminalSize(stdout));
  const [stopRequested, setStopRequested] = useState(false);
  const stopRef = useRef(false);
  const batch = useRef<{ key: number; items: ScrolledLine[] }>({ key: 0, items: [] });
  // What a frame costs, from this render to its layout effect (after Ink has written it).
  const frameStart = useRef(0);
  const frameCosts = useRef<FrameCosts | null>(null);
  frameCosts.current ??= new FrameCosts();
  frameStart.current = performance.now();

  // A layout effect runs before Ink's render() returns, so no event emitted after startTui is missed.
  useLayoutEffect(() => {
    let dirty = false;
    let ticks = 0;
    const redraw = () => {
      dirty = false;
      ticks = 0;
      const items = model.takeScrolled();
      // A fresh <Static> per batch: it prints its items once, and nothing is kept after that.
      if (items.length > 0) batch.current = { key: batch.current.key + 1, items };
      setFrame((n) => n + 1);
    };
    const off = events.onAny((event) => {
      model.apply(event);
      dirty = true;
      if (event.type === 'run-ended') redraw();
    });
    const timer = setInterval(() => {
      ticks += 1;
      if (model.ended) return;
      const gap = Math.min(CLOCK_TICKS, Math.max(1, Math.ceil(frameCosts.current!.typical() / FRAME_BUDGET / tickMs)));
      if ((dirty && ticks >= gap) || ticks >= CLOCK_TICKS) redraw();
    }, tickMs);
    return () => {
      off();
      clearInterval(timer);
    };
  }, [events, model, tickMs]);

  useEffect(() => {
    const onResize = () => setSize(terminalSize(stdout));
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout]);

  const ended = model.ended !== undefined;
  // Unmount once the final summary is drawn (it stays on screen). A macrotask later, so that
  // <Static> has marked its last lines as printed and the final frame does not print them again.
  useEffect(() => {
    if (!ended) return;
    const timer = setTimeout(() => exit(), 0);
    return () => clearTimeout(timer);
  }, [ended, exit]);

  useLayoutEffect(() => {
    frameCosts.current!.add(performance.now() - frameStart.current);
    onRender?.();
  });

  useInput(
    (input, key) => {
      if (key.ctrl && input === 'c') {
        // The first Ctrl-C (or a q, or a stop from elsewhere) asks for a graceful stop; the next one stops now.
        if (stopRef.current || model.stopping) controls.stopNow();
        else controls.stop();
        stopRef.current = true;
        setStopRequested(true);
        return;
      }
      if (model.ended) return;
      if (key.escape) {
        setScreen('live');
        return;
      }
      switch (input.toLowerCase()) {
        case 'q':
          if (!stopRef.current) controls.stop();
          stopRef.current = true;
          setStopRequested(true);
          return;
        case 'p':
          if (controls.isPaused()) controls.resume();
          else controls.pause();
          setFrame((n) => n + 1);
          return;
        case 'f':
          setScreen((s) => (s === 'failures' ? 'live' : 'failures'));
          return;
        case 'a':
          setScreen((s) => (s === 'accounts' ? 'live' : 'accounts'));
          return;
      }
    },
    { isActive: isRawModeSupported === true },
  );

  const width = Math.max(20, size.columns);
  const t = now();
  const props = { view: model, now: t, width };
  const scrolled = batch.current;
  const stopping = stopRequested || model.stopping !== undefined;
  // Ink clears the whole screen when its output reaches the terminal's height: stay one row short.
  const budget = Math.max(6, size.rows - 1);

  let body: ReactNode;
  if (model.ended) {
    body = <FinalSummary view={model} width={width} />;
  } else if (screen === 'failures') {
    body = (
      <>
        <Header {...props} />
        <FailuresView {...props} maxRows={budget - 2} />
      </>
    );
  } else if (screen === 'accounts') {
    body = (
      <>
        <Header {...props} />
        <AccountsView {...props} maxRows={budget - 2} />
      </>
    );
  } else {
    const rows = allocate(budget - 5, model.workers.length, model.liveFailures().length, model.liveNotes().length);
    body = (
      <>
        <Header {...props} />
        <ProgressBar {...props} />
        <Counts {...props} />
        <Workers {...props} maxRows={rows.workers} />
        <AccountsLine {...props} />
        <RecentFailures {...props} maxRows={rows.failures} />
        <Events {...props} maxRows={rows.events} />
      </>
    );
  }

  return (
    <>
      <Static key={scrolled.key} items={scrolled.items}>
        {(line) => <Scrollback key={lineKey(line)} line={line} width={width} />}
      </Static>
      <Box flexDirection="column" width={width}>
        {body}
        {!model.ended && <KeyHelp width={width} paused={controls.isPaused()} stopRequested={stopping} screen={screen} />}
      </Box>
    </>
  );
}

/** The median of the last few frame costs: a garbage collection in one frame does not slow the screen down. */
class FrameCosts {
  private readonly recent: number[] = [];

  add(ms: number): void {
    this.recent.push(ms);
    if (this.recent.length > 7) this.recent.shift();
  }

  typical(): number {
    if (this.recent.length === 0) return 0;
    const sorted = [...this.recent].sort((a, b) => a - b);
    return sorted[sorted.length >> 1]!;
  }
}

function terminalSize(stdout: NodeJS.WriteStream): { columns: number; rows: number } {
  return { columns: stdout.columns || 80, rows: stdout.rows || 24 };
}

function lineKey(line: ScrolledLine): number {
  return line.kind === 'failure' ? line.failure.seq : line.kind === 'note' ? line.note.seq : line.seq;
}

/**
 * Shares the rows left under the header among the workers, the recent failures and the events
 * (each section's count includes its title). Failures and events give way to workers down to a
 * title and one line each, then disappear (they are in the scrollback and the `f` view anyway).
 */
export function allocate(rows: number, workers: number, failures: number, notes: number): { workers: number; failures: number; events: number } {
  let f = failures > 0 ? failures + 1 : 0;
  let e = notes > 0 ? notes + 1 : 0;
  const wantWorkers = workers + 1;
  const minWorkers = Math.min(wantWorkers, 4);
  while (rows - f - e < minWorkers && (f > 2 || e > 2)) {
    if (f >= e) f -= 1;
    else e -= 1;
  }
  if (rows - f - e < minWorkers) e = 0;
  if (rows - f - e < minWorkers) f = 0;
  return { workers: Math.max(0, Math.min(wantWorkers, rows - f - e)), failures: f, events: e };
}
