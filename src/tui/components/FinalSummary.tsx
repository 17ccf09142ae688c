import { Box, Text } from 'ink';
import type { ReactNode } from 'react';
import { formatDuration } from '../../runner/log.js';
import type { RunView } from '../model.js';
import { pad, plural } from '../text.js';
import { countSegs, exitMeaning } from './format.js';
import { Segs } from './Segs.js';

const MAX_KINDS = 12;
const LABEL = 9;
const MAX_NAMES = 5;

/**
 * What stays on screen when the run is over, meant to be pasted into a report:
 * ```
 *  daycap   run 7f3c0a ended (done) after 1:12:09
 *  ledger   /home/op/day/progress.csv
 *  time     2025-12-14 22:00:00 → 23:12:09 UTC
 *  jobs     469 in the ledger · 312 finished this run · 2 passes
 *  setup    5 workers · cap 1/account/day · handler simulate
 *  pacing   gap 10:00 + up to 3:00 · window 08:00–23:00 Europe/Berlin
 *  result   ✔ 298 success  ✖ 9 failed  ↻ 5 retrying  · 154 pending  ⊘ 3 skipped
 *  failures this run, by category/type (21 failed attempts):
 *             account/suspended            2 failed
 *             infrastructure/adb_timeout   1 failed · 4 retried
 *  health   1 frozen: acct_susp (lift with `daycap unfreeze --account <name>`) · 1 cooling down until 23:40:00 UTC
 *  exit     code 4: the run finished with jobs left (9 failed, 5 retrying, 154 pending)
 * ```
 * Values wrap inside their column rather than being cut: every word matters and nothing redraws it.
 */
export function FinalSummary({ view, width }: { view: RunView; width: number }) {
  const end = view.ended;
  if (!end) return null;
  const { summary, reason, exitCode } = end;
  const h = view.header;
  const tallies = view.failureTallies();
  const kinds = tallies.slice(0, MAX_KINDS);
  const kindName = (t: { category: string; type: string }) => (t.type ? `${t.category}/${t.type}` : t.category);
  const kindWidth = Math.min(34, Math.max(0, ...kinds.map((t) => kindName(t).length)));
  const day = (at: number) => new Date(at).toISOString().replace('T', ' ').slice(0, 19);
  const exitColor = exitCode === 0 ? 'green' : exitCode === 4 ? 'yellow' : 'red';
  return (
    <Box flexDirection="column" width={width} paddingLeft={1}>
      <Text wrap="truncate-end">
        <Text bold inverse> daycap </Text>
        <Text bold>{`  run ${summary.runId} ended (${reason}) after ${formatDuration(summary.endedAt - summary.startedAt)}`}</Text>
      </Text>
      <Field label="ledger">{summary.ledger}</Field>
      <Field label="time">{`${day(summary.startedAt)} → ${day(summary.endedAt).slice(11)} UTC`}</Field>
      <Field label="jobs">{`${summary.jobs} in the ledger · ${summary.processed} finished this run · ${plural(summary.passes, 'pass', 'passes')}`}</Field>
      {h && <Field label="setup">{`${plural(h.workers, 'worker')} · cap ${h.cap}/account/day · handler ${h.handler}`}</Field>}
      {h && h.pacing.length > 0 && <Field label="pacing">{h.pacing.join(' · ')}</Field>}
      <Box>
        <Box width={LABEL} flexShrink={0}><Text bold>result</Text></Box>
        <Segs row={countSegs(summary.counts, { labels: true, compact: true, gap: '  ', skipped: true })} />
      </Box>
      {summary.unassigned > 0 && <Field label="">{`${summary.unassigned} pending without an account (never claimed)`}</Field>}
      {tallies.length === 0 ? (
        <Field label="failures">none this run</Field>
      ) : (
        <Box flexDirection="column">
          <Text wrap="truncate-end"><Text bold>failures</Text>{` this run, by category/type (${plural(view.failedAttempts, 'failed attempt')}):`}</Text>
          {kinds.map((t) => {
            const parts: string[] = [];
            if (t.final) parts.push(`${t.final} failed`);
            if (t.retried) parts.push(`${t.retried} retried`);
            if (t.unconfirmed) parts.push(`${t.unconfirmed} unconfirmed`);
            return <Text key={kindName(t)} wrap="truncate-end">{`${' '.repeat(LABEL + 2)}${pad(kindName(t), kindWidth)}  ${parts.join(' · ')}`}</Text>;
          })}
          {tallies.length > kinds.length && <Text dimColor>{`${' '.repeat(LABEL + 2)}… ${tallies.length - kinds.length} more kinds`}</Text>}
        </Box>
      )}
      <HealthField view={view} at={summary.endedAt} />
      <Field label="exit">
        <Text color={exitColor} bold>{`code ${exitCode}`}</Text>
        {`: ${exitMeaning(end)}`}
      </Field>
    </Box>
  );
}

/** Accounts left frozen or cooling down when the run ended: the next run will not post for them either. */
function HealthField({ view, at }: { view: RunView; at: number }) {
  const frozen = view.frozenRows().map((f) => f.account);
  const cooling = view.coolingAt(at);
  if (frozen.length === 0 && cooling.length === 0) return null;
  const parts: string[] = [];
  if (frozen.length > 0) {
    const names = frozen.length <= MAX_NAMES ? frozen.join(', ') : `${frozen.slice(0, MAX_NAMES).join(', ')}, … ${frozen.length - MAX_NAMES} more`;
    parts.push(`${frozen.length} frozen: ${names} (lift with \`daycap unfreeze --account <name>\`)`);
  }
  if (cooling.length > 0) {
    const last = cooling[cooling.length - 1]!.until;
    parts.push(`${cooling.length} cooling down${cooling.length === 1 ? '' : ', the last'} until ${utcTime(last, at)}`);
  }
  return <Field label="health">{parts.join(' · ')}</Field>;
}

/** `23:40:00 UTC`, with the date when it is not `day`'s. */
function utcTime(at: number, day: number): string {
  const text = new Date(at).toISOString().replace('T', ' ').slice(0, 19);
  return `${text.slice(0, 10) === new Date(day).toISOString().slice(0, 10) ? text.slice(11) : text} UTC`;
}

function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Box>
      <Box width={LABEL} flexShrink={0}><Text bold>{label}</Text></Box>
      <Box flexShrink={1}><Text>{children}</Text></Box>
    </Box>
  );
}
