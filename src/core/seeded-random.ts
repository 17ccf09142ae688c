/**
 * A small seeded generator (mulberry32): the same seed gives the same sequence. For the simulator,
 * whose outcomes must be the same in every worker thread, and for the benchmark's and the tests'
 * made-up days, which must be replayable. Not for anything that must be unpredictable.
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
