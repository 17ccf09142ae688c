/** Injected randomness: a small seeded generator, so that a failure can be replayed from its seed. */
import { mulberry32 } from '../../src/core/seeded-random.js';

export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** A whole number from `lo` to `hi`, both included. */
  int(lo: number, hi: number): number;
  pick<T>(items: readonly T[]): T;
}

/** The same seed gives the same sequence (src/core/seeded-random.ts). */
export function rng(seed: number): Random {
  const next = mulberry32(seed);
  return {
    next,
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: (items) => items[Math.floor(next() * items.length)]!,
  };
}
