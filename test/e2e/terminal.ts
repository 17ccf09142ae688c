/**
 * Runs the BUILT `daycap` in a real pseudo-terminal (util-linux `script`) and replays what it wrote
 * on a small terminal model, to read the screen as a person would see it.
 *
 * The model knows what Ink writes: text, CR, LF, cursor up (ESC[nA), to column (ESC[nG), erase in
 * line (ESC[nK), erase below (ESC[J), colours and modes (ignored). A character written past the
 * last column is recorded as an overflow (a real terminal would wrap it into the layout), and every
 * synchronized-update end (ESC[?2026l, which Ink writes after each frame) takes a snapshot of the
 * visible rows.
 */
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import stringWidth from 'string-width';
import { afterEach } from 'vitest';
import { BIN } from '../helpers/cli.js';

export interface Overflow {
  row: number;
  text: string;
}

export class Screen {
  /** Every row ever written (scrollback included); each cell holds one character or '' after a wide one. */
  private readonly rows: string[][] = [[]];
  private row = 0;
  private col = 0;
  readonly overflows: Overflow[] = [];
  /** The visible rows after each frame Ink drew. */
  readonly frames: string[] = [];

  constructor(readonly columns = 80, readonly lines = 24) {}

  /** The start of an escape sequence cut off at the end of the last chunk. */
  private pending = '';

  write(chunk: string): void {
    const data = this.pending + chunk;
    this.pending = '';
    const segmenter = new Intl.Segmenter();
    let i = 0;
    while (i < data.length) {
      const ch = data[i]!;
      if (ch === '\x1b') {
        const next = this.escape(data, i);
        if (next === undefined) {
          this.pending = data.slice(i);
          return;
        }
        i = next;
        continue;
      }
      if (ch === '\r') this.col = 0;
      else if (ch === '\n') this.lineFeed();
      else if (ch === '\b') this.col = Math.max(0, this.col - 1);
      else if (ch >= ' ') {
        // One grapheme (emoji with modifiers, flags…) at a time, as a terminal draws it.
        const { segment } = segmenter.segment(data.slice(i, i + 16))[Symbol.iterator]().next().value!;
        this.put(segment);
        i += segment.length;
        continue;
      }
      i += 1;
    }
  }

  /** Everything drawn, scrollback and screen, one string per row, right-trimmed. */
  text(): string {
    return this.rows.map((cells) => cells.join('').trimEnd()).join('\n');
  }

  /** The rows a person sees now. */
  visible(): string {
    return this.rows.slice(-this.lines).map((cells) => cells.join('').trimEnd()).join('\n');
  }

  private put(grapheme: string): void {
    const width = Math.max(1, stringWidth(grapheme));
    if (this.col + width > this.columns) {
      this.overflows.push({ row: this.row, text: this.rows[this.row]!.join('') + grapheme });
      this.col = 0;
      this.lineFeed();
    }
    const cells = this.rows[this.row]!;
    while (cells.length < this.col) cells.push(' ');
    cells[this.col] = grapheme;
    for (let k = 1; k < width; k++) cells[this.col + k] = '';
    this.col += width;
  }

  private lineFeed(): void {
    this.row += 1;
    while (this.rows.length <= this.row) this.rows.push([]);
  }

  /** Applies the escape sequence at `at` and returns where the text goes on; undefined if it is cut off. */
  private escape(data: string, at: number): number | undefined {
    const rest = data.slice(at, at + 64);
    if (/^\x1b(\[[?<>=]?[0-9;]*[ -/]*)?$/.test(rest) || /^\x1b\][^\x07\x1b]*$/.test(rest)) return undefined;
    const csi = /^\x1b\[([?<>=]?)([0-9;]*)([ -/]*)([@-~])/.exec(rest);
    if (!csi) {
      const osc = /^\x1b\][^\x07\x1b]*(\x07|\x1b\\)/.exec(data.slice(at));
      return at + (osc ? osc[0].length : 2);
    }
    const [all, prefix, params, , final] = csi;
    const n = Number(params!.split(';')[0] || '0');
    if (prefix === '?') {
      if (params === '2026' && final === 'l') this.frames.push(this.visible());
    } else if (final === 'A') {
      this.row = Math.max(0, this.row - Math.max(1, n));
    } else if (final === 'B') {
      for (let k = 0; k < Math.max(1, n); k++) this.lineFeed();
    } else if (final === 'G') {
      this.col = Math.max(0, n - 1);
    } else if (final === 'K') {
      const cells = this.rows[this.row]!;
      if (n === 0) cells.length = Math.min(cells.length, this.col);
      else if (n === 1) for (let k = 0; k <= this.col && k < cells.length; k++) cells[k] = ' ';
      else cells.length = 0;
    } else if (final === 'J') {
      if (n === 0 || n === undefined) {
        this.rows[this.row]!.length = Math.min(this.rows[this.row]!.length, this.col);
        this.rows.length = this.row + 1;
      }
    }
    return at + all!.length;
  }
}

/** util-linux `script`; the pty tests need it and fail (never skip) without it. */
export function scriptPath(): string {
  try {
    return execFileSync('sh', ['-c', 'command -v script'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error('the pseudo-terminal tests need util-linux `script` on the PATH (e.g. `apt-get install util-linux`); it was not found');
  }
}

export interface PtyRun {
  child: ChildProcessWithoutNullStreams;
  screen: Screen;
  /** Raw bytes written to the terminal so far. */
  raw(): string;
  /** Sends keys to the terminal, as typed. */
  type(keys: string): void;
  /** Resolves once the screen model's text matches `pattern` (rejects if the program ends first). */
  waitFor(pattern: RegExp): Promise<void>;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const running = new Set<ChildProcessWithoutNullStreams>();
afterEach(() => {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
});

/**
 * Runs `daycap <args>` in a pseudo-terminal of `columns` × `lines`, in `cwd`. Anything that makes
 * Ink think it is in CI (CI, CONTINUOUS_INTEGRATION) is taken out of the environment.
 */
export function runInPty(args: readonly string[], options: { cwd: string; env?: Record<string, string>; columns?: number; lines?: number }): PtyRun {
  const columns = options.columns ?? 80;
  const lines = options.lines ?? 24;
  const quote = (word: string) => `'${word.replace(/'/g, `'\\''`)}'`;
  // `stty` sets the pty's size (script copies its own stdin's size, and here that is a pipe).
  const command = `stty cols ${columns} rows ${lines} && exec ${[process.execPath, BIN, ...args].map(quote).join(' ')}`;
  const env: Record<string, string | undefined> = { ...process.env, COLUMNS: String(columns), LINES: String(lines), TERM: 'xterm-256color', ...options.env };
  delete env['CI'];
  delete env['CONTINUOUS_INTEGRATION'];
  delete env['NO_COLOR'];
  const child = spawn(scriptPath(), ['-qfec', command, '/dev/null'], { cwd: options.cwd, env, stdio: 'pipe' });
  running.add(child);
  const screen = new Screen(columns, lines);
  let raw = '';
  let ended = false;
  const watchers: Array<{ pattern: RegExp; resolve: () => void; reject: (error: Error) => void }> = [];
  const check = () => {
    const text = screen.text();
    for (const watcher of [...watchers]) {
      if (watcher.pattern.test(text)) {
        watchers.splice(watchers.indexOf(watcher), 1);
        watcher.resolve();
      }
    }
  };
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    raw += chunk;
    screen.write(chunk);
    check();
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      ended = true;
      running.delete(child);
      for (const watcher of watchers.splice(0)) {
        watcher.reject(new Error(`daycap ${args.join(' ')} ended (code ${code}) before drawing ${watcher.pattern}\nscreen:\n${screen.text()}\nstderr of script:\n${stderr}`));
      }
      resolve({ code, signal });
    });
  });
  return {
    child,
    screen,
    raw: () => raw,
    type: (keys) => void child.stdin.write(keys),
    waitFor: (pattern) =>
      new Promise<void>((resolve, reject) => {
        if (ended) {
          if (pattern.test(screen.text())) resolve();
          else reject(new Error(`daycap ${args.join(' ')} has ended without drawing ${pattern}\nscreen:\n${screen.text()}`));
          return;
        }
        watchers.push({ pattern, resolve, reject });
        check();
      }),
    done,
  };
}
