/**
 * The live screen of `daycap run`. It reads the runner's event stream only. Every event goes into
 * the model at once (a few counters, no allocation on a job's common path: see model.ts), and the
 * screen redraws from a 100 ms tick, only if something changed (plus once a second for the
 * clocks): ten redraws a second at most, whatever the event rate.
 *
 * The runner's main thread is what a busy run waits on, and drawing shares it. Each redraw is
 * timed, and the next one waits long enough that drawing takes no more than FRAME_BUDGET of the
 * main thread while the runner keeps it busy: with Ink, a frame of this screen costs a few
 * milliseconds (more while the code is not yet hot), so a busy run is redrawn two to five times a
 * second. A calm run (the main thread mostly idle) is redrawn ten times a second. The first frame
 * of a run is drawn as soon as it starts, so a short run is watched from its first second.
 * Sections whose content did not change are not rendered again (see <Frozen>).
 *
 * Failure and event lines that leave the live part are printed once above it (Ink's <Static>)
 * and stay in the terminal's scrollback; the live part never grows past the terminal's height
 * (Ink would clear the screen and reprint everything on each frame).
 */
import { performance as perfHooks, type EventLoopUtilization } from 'node:perf_hooks';
import { Box, Static, useApp, useInput, useStdin, useStdout } from 'ink';
import { memo, useEffect, useLayoutEffect, useRef, useState, type ReactNode } from 'react';
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
import { RunRules, runRulesRows } from './components/RunRules.js';
import { Scrollback } from './components/Scrollback.js';
import { Workers } from './components/Workers.js';
import { RunView, type ScrolledLine } from './model.js';
import { lineSeq } from './model/history.js';

export interface TuiControls {
  /**
   * Graceful stop: no new claims, jobs in flight finish (same as SIGINT). `reason` says what the
   * operator did ('q', 'Ctrl-C'), for the runner's stopping event and log; older callers may ignore it.
   */
  stop(reason?: string): void;
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
  /** The clock frames are timed with, in ms (tests make frames look costly with it). */
  frameClock?: () => number;
}

const performanceNow = () => performance.now();

/** Redraw at least this often (in ticks) even without events, for the clocks. */
const CLOCK_TICKS = 10;
/**
 * The share of the main thread drawing may take while the runner keeps it busy (the model's own
 * cost is apart, and tiny).
 */
const FRAME_BUDGET = 0.02;
/**
 * The share it may take while the main thread is mostly idle (a calm run: real posts take
 * seconds, and the runner waits for its workers): ten frames a second of any usual cost.
 */
const IDLE_BUDGET = 0.25;
/** The runner keeps the main thread busy when it (not drawing) takes more than this share of it. */
const BUSY_SHARE = 0.25;
/** The main thread's load is measured over this many ticks. */
const LOAD_TICKS = 5;
/** However costly a frame, a run is redrawn at least every this many ticks while events come. */
const MAX_GAP_TICKS = 5;

export function App({ events, controls, now = Date.now, tickMs = 100, onRender, frameClock = performanceNow }: AppProps) {
  const { exit } = useApp();
  const { stdout } = useStdout();
  const { isRawModeSupported } = useStdin();
  const modelRef = useRef<RunView | null>(null);
  modelRef.current ??= new RunView();
  const model = modelRef.current;
  const [, setFrame] = useState(0);
  const [screen, setScreen] = useState<Screen>('live');
  const [size, setSize] = useState(() => terminalSize(stdout));
  /** What the operator did to stop the run (q, Ctrl-C), once they did. */
  const [stopAsked, setStopAsked] = useState<string | undefined>(undefined);
  const stopRef = useRef(false);
  const batch = useRef<{ key: number; items: ScrolledLine[] }>({ key: 0, items: [] });
  /**
   * The run ended and the redraw that took its last scrolled lines came: only then does the screen
   * show the final summary and let go (a render in between, for a resize say, still shows the live part).
   */
  const endTaken = useRef(false);
  // What a frame costs, from this render to its layout effect (after Ink has written it).
  const frameStart = useRef(0);
  const frameCosts = useRef<FrameCosts | null>(null);
  frameCosts.current ??= new FrameCosts();
  frameStart.current = frameClock();

  // A layout effect runs before Ink's render() returns, so no event emitted after startTui is missed.
  useLayoutEffect(() => {
    let drawn = -1;
    let ticks = 0;
    let soon: ReturnType<typeof setImmediate> | undefined;
    const redraw = () => {
      if (soon !== undefined) clearImmediate(soon);
      soon = undefined;
      drawn = model.version;
      ticks = 0;
      if (model.ended) endTaken.current = true;
      const items = model.takeScrolled();
      // A fresh <Static> per batch: it prints its items once, and nothing is kept after that.
      if (items.length > 0) batch.current = { key: batch.current.key + 1, items };
      setFrame((n) => n + 1);
    };
    const offModel = model.attach(events);
    // Drawing is never done inside the runner's emit (it would hold the runner up): the run's first
    // frame and its final summary are drawn as soon as the runner's current work is done.
    const drawSoon = () => void (soon ??= setImmediate(redraw));
    const offStarted = events.on('run-started', drawSoon);
    const offEnded = events.on('run-ended', drawSoon);
    let sinceLoad = 0;
    const timer = setInterval(() => {
      ticks += 1;
      if (++sinceLoad >= LOAD_TICKS) {
        sinceLoad = 0;
        frameCosts.current!.measureLoad();
      }
      if (model.ended) return;
      if ((model.version !== drawn && ticks >= frameCosts.current!.gapTicks(tickMs)) || ticks >= CLOCK_TICKS) redraw();
    }, tickMs);
    return () => {
      offModel();
      offStarted();
      offEnded();
      clearInterval(timer);
      if (soon !== undefined) clearImmediate(soon);
    };
  }, [events, model, tickMs]);

  useEffect(() => {
    const onResize = () => setSize(terminalSize(stdout));
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout]);

  const ended = endTaken.current;
  // Unmount once the final summary is drawn (it stays on screen). A macrotask later, so that
  // <Static> has marked its last lines as printed and the final frame does not print them again.
  useEffect(() => {
    if (!ended) return;
    const timer = setTimeout(() => exit(), 0);
    return () => clearTimeout(timer);
  }, [ended, exit]);

  useLayoutEffect(() => {
    frameCosts.current!.add(frameClock() - frameStart.current);
    onRender?.();
  });

  const askStop = (reason: string) => {
    stopRef.current = true;
    controls.stop(reason);
    setStopAsked(reason);
  };

  useInput(
    (input, key) => {
      if (key.ctrl && input === 'c') {
        // The first Ctrl-C (or a q, or a stop from elsewhere) asks for a graceful stop; the next one stops now.
        if (stopRef.current || model.stopping) controls.stopNow();
        else askStop('Ctrl-C');
        return;
      }
      if (model.ended) return;
      if (key.escape) {
        setScreen('live');
        return;
      }
      switch (input.toLowerCase()) {
        case 'q':
          if (!stopRef.current) askStop('q');
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
  const second = Math.floor(t / 1000);
  const props = { view: model, now: t, width };
  const scrolled = batch.current;
  // What the operator did wins over the runner's wording (a caller that ignores the reason says 'q').
  const stopReason = stopAsked ?? model.stopping?.reason;
  const stopping = stopAsked !== undefined || model.stopping !== undefined;
  const paused = controls.isPaused();
  // Ink clears the whole screen when its output reaches the terminal's height: stay one row short.
  const budget = Math.max(6, size.rows - 1);
  // Sections that depend on the clock redraw once a second or when an event came; the others only when what they show changed.
  const moved = `${width}|${model.version}|${second}`;
  // The pacing rules and a closed posting window have a row under the header, on every screen.
  const rulesRows = runRulesRows(model);
  const rules = rulesRows > 0 && <Frozen stamp={moved}><RunRules {...props} /></Frozen>;

  let body: ReactNode;
  if (ended) {
    body = <FinalSummary view={model} width={width} />;
  } else if (screen === 'failures') {
    body = (
      <>
        <Header {...props} />
        {rules}
        <FailuresView {...props} maxRows={budget - 2 - rulesRows} />
      </>
    );
  } else if (screen === 'accounts') {
    body = (
      <>
        <Header {...props} />
        {rules}
        <AccountsView {...props} maxRows={budget - 2 - rulesRows} />
      </>
    );
  } else {
    const liveFailures = model.liveFailures().length;
    const liveNotes = model.liveNotes().length;
    const rows = allocate(budget - 5 - rulesRows, model.workerCount, liveFailures, liveNotes);
    body = (
      <>
        <Frozen stamp={moved}><Header {...props} /></Frozen>
        {rules}
        <Frozen stamp={`${width}|${model.done}|${model.total}|${model.unassigned}|${model.heldAtCap}|${paused}|${stopReason}|${stopping}`}>
          <ProgressBar {...props} stopReason={stopReason} />
        </Frozen>
        <Frozen stamp={moved}><Counts {...props} /></Frozen>
        <Frozen stamp={`${moved}|${rows.workers}|${paused}|${stopping}`}><Workers {...props} maxRows={rows.workers} /></Frozen>
        <Frozen stamp={`${width}|${model.accountCount}|${model.atCap}|${model.inFlight}|${model.withAccountErrors}|${model.cap}|${model.frozen.size}|${model.coolingCount(t)}`}><AccountsLine {...props} /></Frozen>
        <Frozen stamp={`${width}|${model.failureCount}|${liveFailures}|${second}|${rows.failures}`}><RecentFailures {...props} maxRows={rows.failures} /></Frozen>
        <Frozen stamp={`${width}|${model.noteCount}|${liveNotes}|${rows.events}`}><Events {...props} maxRows={rows.events} /></Frozen>
      </>
    );
  }

  return (
    <>
      <Static key={scrolled.key} items={scrolled.items}>
        {(line) => <Scrollback key={lineSeq(line)} line={line} width={width} />}
      </Static>
      <Box flexDirection="column" width={width}>
        {body}
        {!ended && <MemoKeyHelp width={width} paused={paused} stopRequested={stopping} stopReason={stopReason} screen={screen} />}
      </Box>
    </>
  );
}

/**
 * Renders its children again only when `stamp` changes: a section reads the model (which changes
 * in place), so React cannot tell by itself whether it changed; the stamp says it, cheaply.
 */
const Frozen = memo(
  ({ children }: { stamp: string; children: ReactNode }) => <>{children}</>,
  (before, after) => before.stamp === after.stamp,
);

const MemoKeyHelp = memo(KeyHelp);

/**
 * What frames cost lately, and so how many ticks apart they should be: the median of the last
 * few, so that one garbage collection does not slow the screen down. The first frame (drawn
 * before the run starts, and paying for compiling the code) is left out; the run's first frames
 * are slow for the same reason and count, so a busy run starts at a couple of frames a second and
 * speeds up as drawing gets cheaper.
 *
 * How much of the main thread drawing may take depends on how busy the runner keeps it: the
 * event loop's utilization (Node's measure of a thread's load) less what drawing itself took,
 * over the last LOAD_TICKS. Until it is measured, the run counts as busy.
 */
export class FrameCosts {
  private readonly recent: number[] = [];
  private seen = 0;
  private busy = true;
  private drawnMs = 0;
  private loadMark: EventLoopUtilization | undefined;

  /** `load` reads the main thread's event loop utilization so far (tests pass their own). */
  constructor(private readonly load: () => EventLoopUtilization | undefined = loadNow) {
    this.loadMark = load();
  }

  add(ms: number): void {
    this.seen += 1;
    this.drawnMs += ms;
    if (this.seen === 1) return;
    this.recent.push(ms);
    if (this.recent.length > 5) this.recent.shift();
  }

  typical(): number {
    if (this.recent.length === 0) return 0;
    const sorted = [...this.recent].sort((a, b) => a - b);
    return sorted[sorted.length >> 1]!;
  }

  measureLoad(): void {
    const mark = this.load();
    const before = this.loadMark;
    this.loadMark = mark;
    if (mark && before) {
      const active = mark.active - before.active;
      const span = active + mark.idle - before.idle;
      if (span > 0) this.busy = (active - this.drawnMs) / span > BUSY_SHARE;
    }
    this.drawnMs = 0;
  }

  /** Ticks between frames: as many as keep drawing within its share, from one to MAX_GAP_TICKS. */
  gapTicks(tickMs: number): number {
    const budget = this.busy ? FRAME_BUDGET : IDLE_BUDGET;
    return Math.min(MAX_GAP_TICKS, Math.max(1, Math.ceil(this.typical() / budget / tickMs)));
  }
}

/** The main thread's load so far, if this Node can tell (a test's fake clock may hide it). */
function loadNow(): EventLoopUtilization | undefined {
  const mark = perfHooks.eventLoopUtilization?.();
  return mark && typeof mark.active === 'number' ? mark : undefined;
}

function terminalSize(stdout: NodeJS.WriteStream): { columns: number; rows: number } {
  return { columns: stdout.columns || 80, rows: stdout.rows || 24 };
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
