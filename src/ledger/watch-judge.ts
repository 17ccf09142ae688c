/**
 * Telling an operator's edit from daycap's own writes, by content: what decides is the bytes'
 * hash, never when they appeared. Daycap's own writes (by hash) and the content last seen are
 * ignored; anything else is an edit, reported once.
 */
import { createHash } from 'node:crypto';

/** What the judge made of content read whole. */
export type Verdict =
  | 'writing' // a foreign hash while daycap was writing: kept, and judged after a settle once daycap is done
  | 'own' // bytes daycap wrote
  | 'seen' // the content already seen last time
  | 'edit'; // reported to onEdit

export interface ContentJudgeOptions {
  /** True if these bytes (sha256, hex) are ones daycap wrote, or is writing, to the ledger. */
  isOwnWrite(hash: string): boolean;
  /** An outside edit: called once per distinct content. */
  onEdit(bytes: Buffer, hash: string): void;
  /** True while daycap is in the middle of writing the ledger (its new hash may not be known yet). */
  writing?(): boolean;
  /** Hash of the content daycap loaded the ledger from, if known: not an edit. */
  knownHash?: string;
}

/** What the judge needs of its watcher. */
export interface JudgeContext {
  /** True once the watcher is closed: nothing is reported after that. */
  isClosed(): boolean;
  /** What onEdit throws goes here. */
  report(err: unknown): void;
}

/**
 * The hash daycap's writes are known by (sha256, hex), of bytes or of the chunks they are written
 * in: the watcher and the store must agree on it.
 */
export function sha256(bytes: Uint8Array | ReadonlyArray<Uint8Array | string>): string {
  const hash = createHash('sha256');
  if (Array.isArray(bytes)) for (const chunk of bytes) hash.update(chunk);
  else hash.update(bytes as Uint8Array);
  return hash.digest('hex');
}

export class ContentJudge {
  private lastSeen: string | undefined;
  /**
   * Foreign-looking contents read while daycap was writing: most likely daycap's new bytes whose
   * hash isOwnWrite did not know yet, but possibly an operator's save that daycap's write is about
   * to replace. Kept, and judged once daycap is done writing, so the latter is reported even if it
   * is no longer on disk.
   */
  private readonly suspects = new Map<string, Buffer>();

  constructor(private readonly opts: ContentJudgeOptions, private readonly context: JudgeContext) {
    this.lastSeen = opts.knownHash;
  }

  /** Some content waits to be judged: look again after a settle. */
  get hasSuspects(): boolean {
    return this.suspects.size > 0;
  }

  judge(bytes: Buffer): { outcome: Verdict; hash: string } {
    const hash = sha256(bytes);
    if (hash === this.lastSeen) return { outcome: 'seen', hash };
    if (this.opts.isOwnWrite(hash)) {
      this.lastSeen = hash;
      return { outcome: 'own', hash };
    }
    if (this.opts.writing?.()) {
      this.suspects.set(hash, bytes);
      return { outcome: 'writing', hash };
    }
    if (this.context.isClosed()) return { outcome: 'seen', hash };
    this.deliver(bytes, hash);
    return { outcome: 'edit', hash };
  }

  /** Once daycap is done writing: each kept content it did not write is an edit. */
  judgeSuspects(): void {
    if (this.suspects.size === 0 || this.opts.writing?.()) return;
    for (const [hash, bytes] of this.suspects) {
      this.suspects.delete(hash);
      if (hash !== this.lastSeen && !this.opts.isOwnWrite(hash) && !this.context.isClosed()) this.deliver(bytes, hash);
    }
  }

  /** Deliver once per content, never after close. */
  private deliver(bytes: Buffer, hash: string): void {
    this.lastSeen = hash;
    try {
      this.opts.onEdit(bytes, hash);
    } catch (err) {
      this.context.report(err);
    }
  }
}
