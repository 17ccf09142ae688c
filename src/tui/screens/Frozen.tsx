import { memo, type ReactNode } from 'react';
import { RunRules, runRulesRows } from '../components/RunRules.js';
import type { ViewProps } from '../components/Header.js';

/**
 * Renders its children again only when `stamp` changes: a section reads the model (which changes
 * in place), so React cannot tell by itself whether it changed; the stamp says it, cheaply.
 */
export const Frozen = memo(
  ({ children }: { stamp: string; children: ReactNode }) => <>{children}</>,
  (before, after) => before.stamp === after.stamp,
);

/** What every screen but the final summary is given. */
export interface ScreenProps extends ViewProps {
  /** Rows the screen may take, its key line included. */
  rows: number;
  /** Changes with the width, the model's version and the clock's second: what clock-driven sections redraw on. */
  moved: string;
}

/** The pacing rules and a closed posting window have a row under the header, on every screen. */
export function RulesRow({ view, now, width, moved }: ScreenProps) {
  if (runRulesRows(view) === 0) return null;
  return <Frozen stamp={moved}><RunRules view={view} now={now} width={width} /></Frozen>;
}
