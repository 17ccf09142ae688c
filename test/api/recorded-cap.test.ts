// The file ledger's record of the daily cap, through the store seam.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { recordDayCap, resolveDayCap } from '../../src/api/day-cap.js';
import { capPath, stateDir } from '../../src/ledger/paths.js';
import { ledgerAt } from '../../src/store/open.js';
import { tempDir } from '../helpers/files.js';

function freshLedger(): string {
  return join(tempDir(), 'progress.csv');
}

describe('the recorded cap of a file ledger', () => {
  it('none before one is recorded, and reading creates nothing', async () => {
    const path = freshLedger();
    expect(await ledgerAt(path).recordedCap()).toBeUndefined();
    expect(await resolveDayCap(ledgerAt(path), [undefined])).toEqual({ cap: 1, source: 'default', recorded: undefined });
    expect(existsSync(stateDir(path))).toBe(false);
  });

  it('recorded atomically in the state folder (no temp file left) and read back', async () => {
    const path = freshLedger();
    await ledgerAt(path).recordCap(3);
    expect(JSON.parse(readFileSync(capPath(path), 'utf8'))).toEqual({ cap: 3 });
    expect(readdirSync(stateDir(path))).toEqual(['cap.json']);
    expect(await resolveDayCap(ledgerAt(path), [undefined, undefined])).toEqual({ cap: 3, source: 'recorded', recorded: 3 });
  });

  it('a damaged record is ignored with one warning; an unreadable one too', async () => {
    const path = freshLedger();
    mkdirSync(stateDir(path));
    writeFileSync(capPath(path), '{"cap": 2');
    const lines: string[] = [];
    expect(await ledgerAt(path).recordedCap((line) => lines.push(line))).toBeUndefined();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^warning: the ledger's recorded cap \(.*cap\.json\) was ignored/);
    const folder = freshLedger();
    mkdirSync(capPath(folder), { recursive: true });
    const more: string[] = [];
    expect(await ledgerAt(folder).recordedCap((line) => more.push(line))).toBeUndefined();
    expect(more).toHaveLength(1);
  });

  it('recordDayCap writes an explicit cap and says when it replaces another; never a recorded or default one', async () => {
    const path = freshLedger();
    const ledger = ledgerAt(path);
    const lines: string[] = [];
    await recordDayCap(ledger, await resolveDayCap(ledger, [undefined]), 'run', (line) => lines.push(line));
    expect(existsSync(capPath(path))).toBe(false);
    await recordDayCap(ledger, await resolveDayCap(ledger, [2]), 'seed', (line) => lines.push(line));
    expect(lines).toEqual([]);
    await recordDayCap(ledger, await resolveDayCap(ledger, [undefined, 5]), 'run', (line) => lines.push(line));
    expect(lines).toEqual(["warning: the ledger's cap was 2; this run uses 5 (and records it)"]);
    expect(await ledger.recordedCap()).toBe(5);
  });
});
