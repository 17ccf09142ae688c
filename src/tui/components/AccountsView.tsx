import { Box } from 'ink';
import { formatDuration } from '../../runner/log.js';
import type { RunView } from '../model.js';
import { fit, pad, padStart, plural, width as textWidth } from '../text.js';
import type { ViewProps } from './Header.js';
import { seg, Segs, type Seg } from './Segs.js';

/**
 * The `a` view: frozen and cooling accounts first (what the operator may have to act on), then
 * one row per account, account errors and accounts in flight first.
 */
export function AccountsView({ view, now, width, maxRows }: ViewProps & { maxRows: number }) {
  const count = view.accountCount;
  const health = healthRows(view, now, width, Math.floor(Math.max(0, maxRows - 3) / 2));
  const room = Math.max(0, maxRows - 3 - health.length);
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
      {health.map((row, i) => <Segs key={`health-${i}`} row={row} />)}
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

/**
 * ```
 *  FROZEN  1 · jobs stay pending until `daycap unfreeze --account <name>`
 *   acct_susp     account/suspended: Your account has been suspended (job susp-1)
 *  COOLING DOWN  1 · no claims until the time is up
 *   acct_slow     59:50 left  action_blocked: Action blocked (job a-1)
 * ```
 * At most `budget` rows; a list that does not fit ends with `… N more`. None when no account is
 * frozen or cooling down.
 */
function healthRows(view: RunView, now: number, width: number, budget: number): Seg[][] {
  const frozen = view.frozenRows();
  const cooling = view.coolingAt(now);
  let f = frozen.length > 0 ? frozen.length + 1 : 0;
  let c = cooling.length > 0 ? cooling.length + 1 : 0;
  // Each list gives way down to its title and one row, the longer first; then the cooling list goes, then the frozen one.
  while (f + c > budget && (f > 2 || c > 2)) {
    if (f >= c) f -= 1;
    else c -= 1;
  }
  if (f + c > budget) c = 0;
  if (f + c > budget) f = 0;
  const longest = Math.max(7, ...frozen.slice(0, f).map((a) => textWidth(a.account)), ...cooling.slice(0, c).map((a) => textWidth(a.account)));
  const nameWidth = Math.min(longest, 24, Math.max(8, Math.floor((width - 4) * 0.35)));
  const rest = (used: number) => Math.max(0, width - 1 - used);
  const rows: Seg[][] = [];
  const list = <T,>(items: T[], shown: number, title: Seg[], row: (item: T) => Seg[]) => {
    if (shown === 0) return;
    rows.push(title);
    const fits = items.length <= shown - 1 ? items.length : shown - 2;
    for (const item of items.slice(0, fits)) rows.push(row(item));
    if (fits < items.length) rows.push([seg(fit(`  … ${items.length - fits} more`, rest(0)), { dim: true })]);
  };
  list(frozen, f, [seg(' FROZEN', { bold: true, color: 'red' }), seg(fit(`  ${frozen.length} · jobs stay pending until \`daycap unfreeze --account <name>\``, rest(7)), { dim: true })], (a) => {
    const name = `  ${pad(a.account, nameWidth)}  `;
    return [seg(name, { color: 'red' }), seg(fit(a.reason, rest(textWidth(name))))];
  });
  list(cooling, c, [seg(' COOLING DOWN', { bold: true, color: 'yellow' }), seg(fit(`  ${cooling.length} · no claims until their time is up`, rest(13)), { dim: true })], (a) => {
    const name = `  ${pad(a.account, nameWidth)}  `;
    const left = `${padStart(formatDuration(a.until - now), 7)} left  `;
    return [seg(name, { color: 'yellow' }), seg(left), seg(fit(a.reason, rest(textWidth(name) + textWidth(left))), { dim: true })];
  });
  return rows;
}
