import { Box } from 'ink';
import { fit, pad, padStart, plural, width as textWidth } from '../text.js';
import type { ViewProps } from './Header.js';
import { seg, Segs, type Seg } from './Segs.js';

/** The `a` view: one row per account, account errors and accounts in flight first. */
export function AccountsView({ view, width, maxRows }: ViewProps & { maxRows: number }) {
  const count = view.accountCount;
  const room = Math.max(0, maxRows - 3);
  // A day can have 100,000 accounts: only the rows shown are made.
  const shown = view.accountRows(count > room ? Math.max(0, room - 1) : room);
  const postsWidth = 9;
  const wide = width >= 90;
  const flightWidth = wide ? 9 : 4;
  const avail = Math.max(8, width - 1 - 2 - 2 - postsWidth - 2 - flightWidth - 2);
  const longest = Math.max(7, ...shown.map((a) => textWidth(a.name)));
  const nameWidth = Math.min(longest, 24, Math.max(8, Math.floor(avail * 0.4)));
  const errorWidth = Math.max(0, avail - nameWidth);
  const title: Seg[] = [
    seg(' ACCOUNTS', { bold: true }),
    seg(fit(`  ${view.accountsComplete ? count : `${count} seen`} · ${view.atCap} at cap · ${view.inFlight} in flight · ${plural(view.withAccountErrors, 'with account error', 'with account errors')}`, width - 10), { dim: true }),
  ];
  const head = `  ${pad('ACCOUNT', nameWidth)}  ${padStart('POSTS/CAP', postsWidth)}  ${pad(wide ? 'IN FLIGHT' : 'BUSY', flightWidth)}  ${errorWidth > 0 ? 'LAST ERROR' : ''}`;
  return (
    <Box flexDirection="column">
      <Segs row={title} />
      <Segs row={[seg(fit(head, width - 1), { dim: true })]} />
      {shown.map((a) => (
        <Segs key={a.name} row={[
          seg(`  ${pad(a.name, nameWidth)}  `, { color: a.accountError ? 'red' : 'cyan' }),
          seg(padStart(`${a.counted}/${view.cap}`, postsWidth), a.counted >= view.cap ? { color: 'green' } : {}),
          seg(`  ${pad(a.inFlight ? 'yes' : '', flightWidth)}  `),
          seg(fit(a.lastError, errorWidth), { color: a.accountError ? 'red' : 'yellow' }),
        ]} />
      ))}
      {count > shown.length && <Segs row={[seg(fit(`  … ${count - shown.length} more accounts`, width - 1), { dim: true })]} />}
    </Box>
  );
}
