/**
 * When the live screen redraws. Every event goes into the model at once (a few counters: see
 * model.ts), but the screen redraws from a tick, only if something changed (plus once every
 * CLOCK_TICKS for the clocks), and no more often than FrameCosts allows: ten redraws a second at
 * most, whatever the event rate. The first frame of a run and its final summary are drawn as soon
 * as the runner's current work is done, so a short run is watched from its first second.
 */
import { useLayoutEffect, useRef, useState } from 'react';
import type { RunEventStream } from '../runner/events.js';
import { FrameCosts, LOAD_TICKS } from './frame-costs.js';
import type { RunView, ScrolledLine } from './model.js';

/** Redraw at least this often (in ticks) even without events, for the clocks. */
const CLOCK_TICKS = 10;

/** Lines that left the live part since the last redraw, printed once above it (Ink's <Static>). */
export interface ScrolledBatch {
  key: number;
  items: ScrolledLine[];
}

export interface Redraws {
  scrolled: ScrolledBatch;
  /**
   * The run ended and the redraw that took its last scrolled lines came: only then does the screen
   * show the final summary and let go (a render in between, for a resize say, still shows the live part).
   */
  ended: boolean;
  /** Redraws now (after a key whose effect is not an event, such as pausing). */
  refresh(): void;
}

export interface RedrawOptions {
  tickMs: number;
  /** The clock frames are timed with, in ms. */
  frameClock: () => number;
  /** Called after each redraw. */
  onRender: (() => void) | undefined;
}

export function useRedraws(events: RunEventStream, model: RunView, { tickMs, frameClock, onRender }: RedrawOptions): Redraws {
  const [, setFrame] = useState(0);
  const batch = useRef<ScrolledBatch>({ key: 0, items: [] });
  const endTaken = useRef(false);
  const costs = useRef<FrameCosts | null>(null);
  costs.current ??= new FrameCosts();
  // What a frame costs, from this render to its layout effect (after Ink has written it).
  const frameStart = useRef(0);
  frameStart.current = frameClock();

  // A layout effect runs before Ink's render() returns, so no event emitted after startTui is missed.
  useLayoutEffect(() => runRedrawLoop(events, model, tickMs, costs.current!, () => {
    if (model.ended) endTaken.current = true;
    const items = model.takeScrolled();
    // A fresh <Static> per batch: it prints its items once, and nothing is kept after that.
    if (items.length > 0) batch.current = { key: batch.current.key + 1, items };
    setFrame((n) => n + 1);
  }), [events, model, tickMs]);

  useLayoutEffect(() => {
    costs.current!.add(frameClock() - frameStart.current);
    onRender?.();
  });

  return { scrolled: batch.current, ended: endTaken.current, refresh: () => setFrame((n) => n + 1) };
}

/** Feeds the model from `events` and calls `redraw` when a frame is due; returns what stops it all. */
function runRedrawLoop(events: RunEventStream, model: RunView, tickMs: number, costs: FrameCosts, redraw: () => void): () => void {
  let drawn = -1;
  let ticks = 0;
  let sinceLoad = 0;
  let soon: ReturnType<typeof setImmediate> | undefined;
  const draw = () => {
    if (soon !== undefined) clearImmediate(soon);
    soon = undefined;
    drawn = model.version;
    ticks = 0;
    redraw();
  };
  const offModel = model.attach(events);
  // Drawing is never done inside the runner's emit (it would hold the runner up): the run's first
  // frame and its final summary are drawn as soon as the runner's current work is done.
  const drawSoon = () => void (soon ??= setImmediate(draw));
  const offStarted = events.on('run-started', drawSoon);
  const offEnded = events.on('run-ended', drawSoon);
  const timer = setInterval(() => {
    ticks += 1;
    if (++sinceLoad >= LOAD_TICKS) {
      sinceLoad = 0;
      costs.measureLoad();
    }
    if (model.ended) return;
    if ((model.version !== drawn && ticks >= costs.gapTicks(tickMs)) || ticks >= CLOCK_TICKS) draw();
  }, tickMs);
  return () => {
    offModel();
    offStarted();
    offEnded();
    clearInterval(timer);
    if (soon !== undefined) clearImmediate(soon);
  };
}
