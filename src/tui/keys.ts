/**
 * The keys of the live screen: q (or a first Ctrl-C) asks for a graceful stop, a second Ctrl-C
 * stops now, p pauses or resumes claiming, f and a open the failures and accounts views (the same
 * key or Esc comes back). Ink's own Ctrl-C exit is off: the runner decides when the screen ends.
 */
import { useInput, useStdin, type Key } from 'ink';
import { useRef, useState } from 'react';
import type { Screen } from './components/KeyHelp.js';
import type { RunView } from './model.js';

/** What the live screen may ask of the run. */
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

export interface KeysState {
  screen: Screen;
  /** What the operator did to stop the run (q, Ctrl-C), once they did. */
  stopAsked: string | undefined;
}

export function useKeys(model: RunView, controls: TuiControls, refresh: () => void): KeysState {
  const { isRawModeSupported } = useStdin();
  const [screen, setScreen] = useState<Screen>('live');
  const [stopAsked, setStopAsked] = useState<string | undefined>(undefined);
  const stopRef = useRef(false);

  const askStop = (reason: string) => {
    stopRef.current = true;
    controls.stop(reason);
    setStopAsked(reason);
  };
  /** Opens a detail view, or comes back from it with the same key. */
  const toggle = (view: Screen) => setScreen((s) => (s === view ? 'live' : view));

  const onKey = (input: string, key: Key) => {
    if (key.ctrl && input === 'c') {
      // The first Ctrl-C (or a q, or a stop from elsewhere) asks for a graceful stop; the next one stops now.
      if (stopRef.current || model.stopping) controls.stopNow();
      else askStop('Ctrl-C');
      return;
    }
    if (model.ended) return;
    if (key.escape) return setScreen('live');
    switch (input.toLowerCase()) {
      case 'q':
        if (!stopRef.current) askStop('q');
        return;
      case 'p':
        if (controls.isPaused()) controls.resume();
        else controls.pause();
        return refresh();
      case 'f':
        return toggle('failures');
      case 'a':
        return toggle('accounts');
    }
  };
  useInput(onKey, { isActive: isRawModeSupported === true });
  return { screen, stopAsked };
}
