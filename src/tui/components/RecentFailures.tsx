import { Box } from 'ink';
import { clockTime } from '../../runner/log.js';
import type { FailureLine } from '../model.js';
import { fit, pad, width as textWidth } from '../text.js';
import { failureColor, failureKind, failureStatus } from './format.js';
import type { ViewProps } from './Header.js';
import { seg, Segs, type Seg } from './Segs.js';

/**
 * ```
 *  RECENT FAILURES  9 this run · f shows all
 *   22:58  podreelsector  account/suspended           not retried       "Your account has been suspended"
 *   22:51  quickcutspod   infrastructure/adb_timeout  retry in 4:12 (2/3)
 * ```
 * Only the last few; older ones have scrolled into the terminal's scrollback above.
 */
export function RecentFailures({ view, now, width, maxRows }: ViewProps & { maxRows: number }) {
  const lines = view.liveFailures().slice(-Math.max(0, maxRows - 1));
  if (lines.length === 0 || maxRows < 2) return null;
  const title: Seg[] = [seg(' RECENT FAILURES', { bold: true }), seg(`  ${view.failureCount} this run · f shows all`, { dim: true })];
  const rows = failureRows(lines, now, width - 1, { short: true, time: (at) => clockTime(at).slice(0, 5), dropTime: true });
  return (
    <Box flexDirection="column">
      <Segs row={title} />
      {rows.map((row, i) => <Segs key={lines[i]!.seq} row={row} />)}
    </Box>
  );
}

/**
 * Failure rows with aligned columns: time, account, category/type, what happens next, then the
 * message in what is left. The account and kind columns give way first, so the outcome stays visible.
 */
export function failureRows(lines: readonly FailureLine[], now: number | undefined, width: number, options: { short: boolean; time: (at: number) => string; indent?: string; message?: boolean; dropTime?: boolean; maxKind?: number }): Seg[][] {
  const indent = options.indent ?? '  ';
  const statuses = lines.map((l) => failureStatus(l, now, options.short));
  const withMessage = options.message !== false && lines.some((l) => l.message);
  let timeWidth = lines.length ? Math.max(...lines.map((l) => textWidth(options.time(l.at)))) : 5;
  let accountWidth = Math.min(16, Math.max(4, ...lines.map((l) => textWidth(l.account))));
  let kindWidth = Math.min(options.maxKind ?? 26, Math.max(4, ...lines.map((l) => textWidth(failureKind(l)))));
  const statusWidth = Math.max(0, ...statuses.map((s) => textWidth(s)));
  const used = () => textWidth(indent) + (timeWidth ? timeWidth + 2 : 0) + accountWidth + 2 + kindWidth + 2;
  // What the message gets; the time, then the account and kind columns give way to it, down to a point.
  const room = () => width - used() - statusWidth - 2;
  if (withMessage) {
    const want = 16;
    if (room() < want && timeWidth > 0 && options.dropTime) timeWidth = 0;
    while (room() < want && accountWidth > 12) accountWidth -= 1;
    while (room() < want && kindWidth > 14) kindWidth -= 1;
    while (room() < want && accountWidth > 8) accountWidth -= 1;
  }
  return lines.map((line, i) => {
    const row: Seg[] = [seg(indent)];
    if (timeWidth) row.push(seg(`${pad(options.time(line.at), timeWidth)}  `, { dim: true }));
    row.push(
      seg(pad(line.account, accountWidth), { color: 'cyan' }),
      seg(`  ${pad(failureKind(line), kindWidth)}  `, { color: failureColor(line) }),
    );
    const statusRoom = Math.max(0, width - used());
    const statusColumn = Math.min(statusWidth, statusRoom);
    row.push(seg(pad(statuses[i]!, statusColumn)));
    const left = statusRoom - statusColumn - 2;
    if (withMessage && left >= 6 && line.message) row.push(seg(`  "${fit(line.message, left - 2)}"`, { dim: true }));
    return row;
  });
}
