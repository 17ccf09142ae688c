import { AccountsLine } from '../components/AccountsLine.js';
import { Counts } from '../components/Counts.js';
import { Events } from '../components/Events.js';
import { Header } from '../components/Header.js';
import { ProgressBar } from '../components/ProgressBar.js';
import { RecentFailures } from '../components/RecentFailures.js';
import { runRulesRows } from '../components/RunRules.js';
import { Workers } from '../components/Workers.js';
import { Frozen, RulesRow, type ScreenProps } from './Frozen.js';

export interface LiveScreenProps extends ScreenProps {
  paused: boolean;
  /** A stop was asked for, here or elsewhere. */
  stopping: boolean;
  stopReason: string | undefined;
}

/**
 * The live part: header, progress, counts, workers, accounts, recent failures and events. Sections
 * that depend on the clock redraw once a second or when an event came; the others only when what
 * they show changed.
 */
export function LiveScreen({ paused, stopping, stopReason, ...screen }: LiveScreenProps) {
  const { view: m, width, moved } = screen;
  const props = { view: m, now: screen.now, width };
  const second = Math.floor(screen.now / 1000);
  const liveFailures = m.liveFailures().length;
  const liveNotes = m.liveNotes().length;
  // Under the header, the progress bar, the counts and the accounts line, and above the key line.
  const rows = allocate(screen.rows - 5 - runRulesRows(m), m.workerCount, liveFailures, liveNotes);
  return (
    <>
      <Frozen stamp={moved}><Header {...props} /></Frozen>
      <RulesRow {...screen} />
      <Frozen stamp={`${width}|${m.done}|${m.total}|${m.unassigned}|${m.heldAtCap}|${paused}|${stopReason}|${stopping}`}>
        <ProgressBar {...props} stopReason={stopReason} />
      </Frozen>
      <Frozen stamp={moved}><Counts {...props} /></Frozen>
      <Frozen stamp={`${moved}|${rows.workers}|${paused}|${stopping}`}><Workers {...props} maxRows={rows.workers} /></Frozen>
      <Frozen stamp={`${width}|${m.accountCount}|${m.atCap}|${m.inFlight}|${m.withAccountErrors}|${m.cap}|${m.frozen.size}|${m.coolingCount(screen.now)}`}><AccountsLine {...props} /></Frozen>
      <Frozen stamp={`${width}|${m.failureCount}|${liveFailures}|${second}|${rows.failures}`}><RecentFailures {...props} maxRows={rows.failures} /></Frozen>
      <Frozen stamp={`${width}|${m.noteCount}|${liveNotes}|${rows.events}`}><Events {...props} maxRows={rows.events} /></Frozen>
    </>
  );
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
