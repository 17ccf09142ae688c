import { Box } from 'ink';
import { clockTime } from '../../runner/log.js';
import type { NoteLine } from '../model.js';
import { fit } from '../text.js';
import type { ViewProps } from './Header.js';
import { seg, Segs, type Seg } from './Segs.js';

/**
 * ```
 *  EVENTS
 *   22:59  ledger edited outside daycap: 2 rows merged, 0 refused. …
 * ```
 */
export function Events({ view, width, maxRows }: ViewProps & { maxRows: number }) {
  const lines = view.liveNotes().slice(-Math.max(0, maxRows - 1));
  if (lines.length === 0 || maxRows < 2) return null;
  return (
    <Box flexDirection="column">
      <Segs row={[seg(' EVENTS', { bold: true })]} />
      {lines.map((line) => <Segs key={line.seq} row={noteRow(line, width - 1, clockTime(line.at).slice(0, 5))} />)}
    </Box>
  );
}

export function noteColor(line: NoteLine): string | undefined {
  return line.tone === 'bad' ? 'red' : line.tone === 'warn' ? 'yellow' : undefined;
}

export function noteRow(line: NoteLine, width: number, time: string, indent = '  '): Seg[] {
  const lead = `${indent}${time}  `;
  return [seg(lead, { dim: true }), seg(fit(line.text, width - lead.length), { color: noteColor(line) })];
}
