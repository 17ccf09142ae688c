import { Box } from 'ink';
import { clockTime } from '../../runner/log.js';
import { fit } from '../text.js';
import type { ViewProps } from './Header.js';
import { failureRows } from './RecentFailures.js';
import { seg, Segs } from './Segs.js';

/** The `f` view: the last failures, newest first, two rows each (the outcome, then job and message). */
export function FailuresView({ view, now, width, maxRows }: ViewProps & { maxRows: number }) {
  const all = [...view.failures].reverse();
  const room = Math.max(0, maxRows - 2);
  const shown = all.slice(0, Math.floor(room / 2));
  const rows = failureRows(shown, now, width - 1, { short: false, time: clockTime, message: false });
  const title = [
    seg(' FAILURES', { bold: true }),
    seg(fit(`  ${view.failureCount} this run · newest first · showing ${shown.length} of the last ${all.length}`, width - 10), { dim: true }),
  ];
  return (
    <Box flexDirection="column">
      <Segs row={title} />
      {shown.length === 0 && <Segs row={[seg('  no failures so far', { dim: true })]} />}
      {shown.map((line, i) => (
        <Box key={line.seq} flexDirection="column">
          <Segs row={rows[i]!} />
          <Segs row={[seg(fit(`            job ${line.jobId} · ${line.video} · worker #${line.workerId} · ${line.message}`, width - 1), { dim: true })]} />
        </Box>
      ))}
      {all.length > shown.length && <Segs row={[seg(fit(`  … ${all.length - shown.length} older (the log has every one)`, width - 1), { dim: true })]} />}
    </Box>
  );
}
