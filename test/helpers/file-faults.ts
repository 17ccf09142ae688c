/**
 * A fault-injecting file layer: the real one (src/ledger/fileOps.ts), with one planned failure of one
 * kind of call, and a log of every call, so a test can ask what happened after the fault.
 */
import type { FileHandle } from 'node:fs/promises';
import { realFileOps, type FileOps } from '../../src/ledger/fileOps.js';

export interface FaultPlan {
  op: keyof FileOps;
  /** 1-based call of `op` that fails first (default 1). */
  nth?: number;
  /** `once`: that call alone; `persistent`: that call and every later one (default once). */
  mode?: 'once' | 'persistent';
  /** The error code, as node:fs gives it: EIO, ENOSPC, EXDEV… (default EIO). */
  code?: string;
}

const DESCRIPTIONS: Record<string, { text: string; errno: number }> = {
  EIO: { text: 'i/o error', errno: -5 },
  ENOSPC: { text: 'no space left on device', errno: -28 },
  EXDEV: { text: 'cross-device link not permitted', errno: -18 },
};

/** Shaped like the errors node:fs raises, so the code under test sees nothing unusual. */
function fsError(code: string, syscall: string, path: string | undefined): NodeJS.ErrnoException {
  const known = DESCRIPTIONS[code];
  const error = new Error(`${code}: ${known?.text ?? 'injected'}, ${syscall}${path ? ` '${path}'` : ''}`) as NodeJS.ErrnoException;
  error.code = code;
  if (known) error.errno = known.errno;
  error.syscall = syscall;
  if (path) error.path = path;
  return error;
}

export interface CallRecord {
  op: keyof FileOps;
  /** The file a handle was opened on, or the path(s) the call names. */
  target: string;
  failed: boolean;
}

/**
 * The real file layer with one planned fault (or none: it then only counts and logs). Handles are
 * mapped back to the path they were opened on. An ENOSPC write is a short write: half of the bytes
 * land, as when a disk fills mid-write; a failed close still releases the descriptor, as close(2) does.
 */
export class FaultyOps implements FileOps {
  readonly log: CallRecord[] = [];
  private readonly counts = new Map<keyof FileOps, number>();
  private readonly handles = new WeakMap<FileHandle, string>();
  /** Index in `log` of the first injected failure. */
  firstFault: number | undefined;
  /** Calls logged before the first failure was returned to its caller (`log.slice(faultReturnedAt)` came after). */
  faultReturnedAt: number | undefined;
  faults = 0;
  /** Bytes written to each file through this layer, and how many of them a sync has made durable. */
  private readonly written = new Map<string, number>();
  readonly synced = new Map<string, number>();

  constructor(private readonly plan?: FaultPlan) {
    // Own, bound properties: layers above may wrap this object by spreading it ({ ...ops }).
    for (const key of Object.keys(realFileOps) as (keyof FileOps)[]) {
      const method = this[key] as (...args: unknown[]) => unknown;
      Object.defineProperty(this, key, { value: method.bind(this), enumerable: true });
    }
  }

  /** Calls of one operation so far (for picking fault positions from a clean run). */
  count(op: keyof FileOps): number {
    return this.counts.get(op) ?? 0;
  }

  /** Makes the call, or fails it as planned after `onFault` (what the system still does when the call fails). */
  private async call<T>(op: keyof FileOps, target: string, real: () => Promise<T>, onFault?: (code: string) => Promise<unknown>): Promise<T> {
    const n = this.count(op) + 1;
    this.counts.set(op, n);
    const plan = this.plan;
    const nth = plan?.nth ?? 1;
    const fail = plan !== undefined && plan.op === op && (n === nth || (plan.mode === 'persistent' && n > nth));
    this.log.push({ op, target, failed: fail });
    if (!fail) return real();
    const at = this.log.length - 1;
    this.faults += 1;
    const code = plan.code ?? 'EIO';
    await onFault?.(code);
    // The failure happens when the call returns (after a short write's bytes land), not when it is
    // made: a snapshot begun while the failing write was still under way is not "after" it.
    this.firstFault ??= at;
    this.faultReturnedAt ??= this.log.length;
    throw fsError(code, op === 'fsyncDir' ? 'fsync' : op, target);
  }

  private targetOf(handle: FileHandle): string {
    return this.handles.get(handle) ?? '?';
  }

  async open(path: string, flags: string, mode?: number): Promise<FileHandle> {
    const handle = await this.call('open', path, () => realFileOps.open(path, flags, mode));
    this.handles.set(handle, path);
    return handle;
  }

  write(handle: FileHandle, data: Uint8Array): Promise<void> {
    const target = this.targetOf(handle);
    const wrote = (n: number) => this.written.set(target, (this.written.get(target) ?? 0) + n);
    return this.call('write', target, async () => {
      await realFileOps.write(handle, data);
      wrote(data.length);
    }, async (code) => {
      if (code !== 'ENOSPC') return;
      await realFileOps.write(handle, data.subarray(0, Math.floor(data.length / 2)));
      wrote(Math.floor(data.length / 2));
    });
  }

  fsync(handle: FileHandle): Promise<void> {
    const target = this.targetOf(handle);
    return this.call('fsync', target, async () => {
      await realFileOps.fsync(handle);
      this.synced.set(target, this.written.get(target) ?? 0);
    });
  }

  fdatasync(handle: FileHandle): Promise<void> {
    const target = this.targetOf(handle);
    return this.call('fdatasync', target, async () => {
      await realFileOps.fdatasync(handle);
      this.synced.set(target, this.written.get(target) ?? 0);
    });
  }

  close(handle: FileHandle): Promise<void> {
    // A failed close(2) still releases the descriptor.
    const close = () => realFileOps.close(handle);
    return this.call('close', this.targetOf(handle), close, close);
  }

  rename(from: string, to: string): Promise<void> {
    return this.call('rename', to, () => realFileOps.rename(from, to));
  }

  link(from: string, to: string): Promise<void> {
    return this.call('link', to, () => realFileOps.link(from, to));
  }

  unlink(path: string): Promise<void> {
    return this.call('unlink', path, () => realFileOps.unlink(path));
  }

  fsyncDir(dir: string): Promise<void> {
    return this.call('fsyncDir', dir, () => realFileOps.fsyncDir(dir));
  }

  copyFileExclusive(from: string, to: string): Promise<void> {
    return this.call('copyFileExclusive', to, () => realFileOps.copyFileExclusive(from, to));
  }

  readFile(path: string): Promise<Buffer> {
    return this.call('readFile', path, () => realFileOps.readFile(path));
  }

  readdir(dir: string): Promise<string[]> {
    return this.call('readdir', dir, () => realFileOps.readdir(dir));
  }

  stat(path: string): ReturnType<FileOps['stat']> {
    return this.call('stat', path, () => realFileOps.stat(path));
  }
}
