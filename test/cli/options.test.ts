import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { parseDuration, parseHandler, parsePositiveInt } from '../../src/cli/options.js';

describe('parseDuration', () => {
  it.each([
    ['0', 0],
    ['500ms', 500],
    ['30s', 30_000],
    ['10m', 600_000],
    ['1h30m', 5_400_000],
    ['2d', 172_800_000],
    ['1.5s', 1500],
    [' 2M ', 120_000],
    ['1h0m30s', 3_630_000],
  ])('%s → %i ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '5', '10x', 'm', '-5s', '10 m', 'ten minutes', '1h 30m', 's10'])('refuses %j with a clear message', (text) => {
    expect(() => parseDuration(text)).toThrow(InvalidArgumentError);
    expect(() => parseDuration(text)).toThrow(/duration/);
  });

  it('suggests a unit for a bare number', () => {
    expect(() => parseDuration('5')).toThrow('add a unit: 5s, 5m');
  });
});

describe('parsePositiveInt', () => {
  it.each([['1', 1], ['8', 8], [' 12 ', 12]])('%j → %i', (text, n) => expect(parsePositiveInt(text)).toBe(n));
  it.each(['0', '-1', '1.5', 'two', '', '1e3', '99999999999999999999'])('refuses %j', (text) => {
    expect(() => parsePositiveInt(text)).toThrow('not a whole number of at least 1');
  });
});

describe('parseHandler', () => {
  it('reads simulate, command: (one quoted word) and module paths', () => {
    expect(parseHandler('simulate')).toEqual({ kind: 'simulate', seed: 0 });
    expect(parseHandler("command:./post.sh {account} '{video_path}'")).toEqual({ kind: 'command', argv: ['./post.sh', '{account}', '{video_path}'] });
    expect(parseHandler('./poster.mjs')).toMatchObject({ kind: 'module' });
  });
  it('turns a bad value into a usage error', () => {
    expect(() => parseHandler('poster.py')).toThrow(InvalidArgumentError);
  });
});
