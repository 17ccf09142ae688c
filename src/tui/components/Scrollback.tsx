import { clockTime } from '../../runner/log.js';
import type { ScrolledLine } from '../model.js';
import { Box } from 'ink';
import { fit, width as textWidth } from '../text.js';
import { noteRow } from './Events.js';
import { failureRows } from './RecentFailures.js';
import { rowWidth, seg, Segs } from './Segs.js';

/** A line printed once above the live part (Ink's <Static>), with its full time and a fixed retry time. */
export function Scrollback({ line, width }: { line: ScrolledLine; width: number }) {
  switch (line.kind) {
    case 'failure': {
      // Full columns; the message follows on the row if it has room, else on a row of its own.
      const f = line.failure;
      const row = failureRows([f], undefined, width - 1, { short: true, time: clockTime, indent: ' ', message: false, maxKind: 40 })[0]!;
      if (!f.message) return <Segs row={row} />;
      const room = width - 1 - rowWidth(row) - 4;
      if (room >= Math.min(24, textWidth(f.message))) return <Segs row={[...row, seg(`  "${fit(f.message, room)}"`, { dim: true })]} />;
      return (
        <Box flexDirection="column">
          <Segs row={row} />
          <Segs row={[seg(`${' '.repeat(11)}"${fit(f.message, width - 1 - 13)}"`, { dim: true })]} />
        </Box>
      );
    }
    case 'note':
      return <Segs row={noteRow(line.note, width - 1, clockTime(line.note.at), ' ')} />;
    case 'dropped':
      return <Segs row={[seg(fit(` … ${line.count} more failures and events in a burst, not printed here (f lists the last 50)`, width - 1), { dim: true })]} />;
  }
}
