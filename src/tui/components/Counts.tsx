import { formatThroughput, sparkline } from '../text.js';
import { countSegs } from './format.js';
import type { ViewProps } from './Header.js';
import { firstFit, seg, Segs, type Row } from './Segs.js';

/**
 * ` ✔ 298 success  ✖ 9 failed  ↻ 5 retrying  ▶ 3 claimed  ? 0 unconfirmed  · 154 pending   4.1 jobs/min ▁▂▃▅▆▇▆`
 *
 * The rate is over the last minute (from the first seconds of a run); the sparkline is jobs per minute, the last 20 minutes.
 */
export function Counts({ view, now, width }: ViewProps) {
  const counts = view.counts;
  const held = view.heldAtCap;
  const note = held > 0 ? { pending: `(${held} at cap)` } : undefined;
  const full = countSegs(counts, { labels: true, compact: false, gap: '  ', ...(note ? { note } : {}) });
  const single = countSegs(counts, { labels: true, compact: false, gap: ' ', ...(note ? { note } : {}) });
  const compact = countSegs(counts, { labels: true, compact: true, gap: ' ' });
  const bare = countSegs(counts, { labels: false, compact: true, gap: ' ' });
  const rate = formatThroughput(view.rate(now));
  const spark = sparkline(view.perMinute(now));
  const withSpark = [seg(`   ${rate.value} ${rate.unit} `), seg(spark, { color: 'cyan' })];
  const withRate = [seg(`  ${rate.value}${rate.per}`)];
  const lead = seg(' ');
  const variants: Row[] = [];
  for (const counts of [full, single, compact, bare]) {
    variants.push([lead, ...counts, ...withSpark], [lead, ...counts, ...withRate]);
  }
  variants.push([lead, ...bare]);
  return <Segs row={firstFit(variants, width - 1)} />;
}
