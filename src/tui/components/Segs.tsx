/**
 * One screen row made of coloured pieces. Rows are laid out to the width first (variants that
 * fit, fields cut by `fit`); Ink's truncate-end is the backstop that keeps a row on one line.
 */
import { Text } from 'ink';
import { width as textWidth } from '../text.js';

export interface Seg {
  text: string;
  color?: string | undefined;
  bold?: boolean | undefined;
  dim?: boolean | undefined;
  inverse?: boolean | undefined;
}

export type Row = Seg[];

export function seg(text: string, style: Omit<Seg, 'text'> = {}): Seg {
  return { text, ...style };
}

export function rowWidth(row: readonly Seg[]): number {
  let n = 0;
  for (const s of row) n += textWidth(s.text);
  return n;
}

/** The first variant that fits in `width` columns, else the last one (Ink cuts it). */
export function firstFit(variants: readonly Row[], width: number): Row {
  for (const row of variants) if (rowWidth(row) <= width) return row;
  return variants[variants.length - 1] ?? [];
}

export function Segs({ row }: { row: readonly Seg[] }) {
  return (
    <Text wrap="truncate-end">
      {row.map((s, i) => (
        <Text key={i} color={s.color} bold={s.bold} dimColor={s.dim} inverse={s.inverse}>{s.text}</Text>
      ))}
    </Text>
  );
}

/** A plain one-line row. */
export function Line({ children, color, bold, dim }: { children: string; color?: string; bold?: boolean; dim?: boolean }) {
  return <Text wrap="truncate-end" color={color} bold={bold} dimColor={dim}>{children}</Text>;
}
