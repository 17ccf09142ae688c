import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { capChangeLine, capToRecord, chooseCap, validRecordedCap } from '../../src/core/day-cap.js';
import { DEFAULT_CAP } from '../../src/core/job.js';

const cap = fc.option(fc.integer({ min: 1, max: 50 }), { nil: undefined });

describe('which cap applies', () => {
  it('the first explicit cap (flag, file, state), else the recorded one, else the default', () => {
    expect(chooseCap([3, 4, 5], 2)).toEqual({ cap: 3, source: 'explicit', recorded: 2 });
    expect(chooseCap([undefined, 4, 5], 2)).toMatchObject({ cap: 4, source: 'explicit' });
    expect(chooseCap([undefined, undefined, 5], 2)).toMatchObject({ cap: 5, source: 'explicit' });
    expect(chooseCap([undefined, undefined, undefined], 2)).toEqual({ cap: 2, source: 'recorded', recorded: 2 });
    expect(chooseCap([], undefined)).toEqual({ cap: DEFAULT_CAP, source: 'default', recorded: undefined });
  });

  it('only an explicit cap the ledger does not hold is recorded, and only a replaced one is announced', () => {
    fc.assert(fc.property(fc.array(cap, { maxLength: 3 }), cap, (explicit, recorded) => {
      const day = chooseCap(explicit, recorded);
      const written = capToRecord(day);
      const given = explicit.find((c) => c !== undefined);
      expect(written).toBe(given !== undefined && given !== recorded ? given : undefined);
      const line = capChangeLine(day, 'run');
      expect(line !== undefined).toBe(written !== undefined && recorded !== undefined);
      if (line) expect(line).toBe(`warning: the ledger's cap was ${recorded}; this run uses ${given} (and records it)`);
    }));
  });

  it('a recorded cap is a whole number of 1 or more', () => {
    expect(validRecordedCap(2)).toBe(2);
    for (const damaged of [0, -1, 1.5, '2', null, undefined, Number.NaN, {}]) expect(validRecordedCap(damaged)).toBeUndefined();
  });
});
