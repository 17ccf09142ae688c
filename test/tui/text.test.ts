import { describe, expect, it } from 'vitest';
import { baseName, fit, formatRate, formatThroughput, oneLine, pad, padStart, sparkline, width } from '../../src/tui/text.js';

describe('fit and pad', () => {
  it('leaves short text alone and cuts long text with an ellipsis, to the column', () => {
    expect(fit('quickcutspod', 20)).toBe('quickcutspod');
    expect(fit('quickcutspod', 12)).toBe('quickcutspod');
    expect(fit('quickcutspod', 8)).toBe('quickcu…');
    expect(width(fit('x'.repeat(200), 80))).toBe(80);
    expect(fit('abc', 1)).toBe('…');
    expect(fit('abc', 0)).toBe('');
  });

  it('counts wide characters and emoji as two columns and never splits a grapheme', () => {
    const caption = '今日のクリップ 🎬👨‍👩‍👧 #podcast';
    for (let w = 1; w <= 30; w++) expect(width(fit(caption, w))).toBeLessThanOrEqual(w);
    expect(fit('古古古', 4)).toBe('古…');
    expect(fit('👨‍👩‍👧abc', 3)).toBe('👨‍👩‍👧…');
  });

  it('turns line breaks into spaces so a caption stays on its row', () => {
    expect(fit('line one\nline two', 40)).toBe('line one line two');
    expect(oneLine('  a\n\n b\tc  ')).toBe('a b c');
  });

  it('pads to an exact width, left or right', () => {
    expect(pad('ab', 5)).toBe('ab   ');
    expect(padStart('ab', 5)).toBe('   ab');
    expect(width(pad('古', 5))).toBe(5);
    expect(pad('abcdef', 4)).toBe('abc…');
  });
});

describe('small formats', () => {
  it('draws a sparkline from the lowest to the highest bar', () => {
    expect(sparkline([0, 1, 2, 4, 8])).toMatch(/^▁.*█$/);
    expect(sparkline([0, 0])).toBe('▁▁');
    expect(sparkline([])).toBe('');
  });

  it('formats rates and names', () => {
    expect(formatRate(4.12)).toBe('4.1');
    expect(formatRate(37.4)).toBe('37');
    expect(formatRate(300_000)).toBe('300k');
    expect(formatRate(0)).toBe('0');
    expect(baseName('chunk_01c/2bears/DMNmeE-oIXY-1.mp4')).toBe('DMNmeE-oIXY-1.mp4');
    expect(baseName('C:\\day\\progress.csv')).toBe('progress.csv');
  });
});

describe('width', () => {
  it('agrees with string-width on everything this screen draws, and on wide text', async () => {
    const { default: stringWidth } = await import('string-width');
    const samples = ['✔ 298 success', '✖ 9 failed', '↻ 5 retrying', '▶ 3', '? 0', '· 154 pending', '⊘ 3', '██░░ 12/40', '▁▂▃▄▅▆▇█', '…', 'café', '→ –', '✔️', '✅ done', '古い', '👨‍👩‍👧', 'e\u0301'];
    for (const s of samples) expect(width(s), s).toBe(stringWidth(s));
  });
});

describe('formatThroughput', () => {
  it('says jobs per minute while slow and jobs per second from ten a second up', () => {
    expect(formatThroughput(0)).toMatchObject({ value: '0', unit: 'jobs/min' });
    expect(formatThroughput(4.1)).toMatchObject({ value: '4.1', unit: 'jobs/min', per: '/min' });
    expect(formatThroughput(420)).toMatchObject({ value: '420', unit: 'jobs/min' });
    expect(formatThroughput(720_000)).toMatchObject({ value: '12.0k', unit: 'jobs/s', per: '/s' });
    expect(formatThroughput(900)).toMatchObject({ value: '15', unit: 'jobs/s' });
  });
});
