/**
 * The night shift's notifier: a `command:` program (never through a shell) called when something
 * needs a person (notices.ts says what). It subscribes to the run's events like the log writer and
 * the live view, and never stops the run: a program that fails, cannot start or hangs past its
 * timeout is stopped and told as a warning.
 *
 * One call at a time. Notices that arrive meanwhile wait, at most one call's worth per kind:
 * a burst of 100 unconfirmed jobs is one call listing the first ten and counting the rest, so the
 * queue is bounded by the number of kinds, whatever happens. At the end of the run the notices
 * still waiting are sent, the run's end last, before the run lets go.
 */
import type { StatusCounts } from '../core/job.js';
import { expandArgs } from '../handlers/command-spec.js';
import { lastLine, runProgram } from '../handlers/spawner-client.js';
import type { SpawnExited, SpawnFailed } from '../handlers/spawner-protocol.js';
import { formatDuration } from '../core/duration.js';
import type { RunEvent, RunEventStream } from './events.js';
import { coalesce, MAX_LISTED, noticesOf, type Notice, type NoticeContext, type NotifyEvent } from './notices.js';

export interface NotifierOptions {
  /** The program and its arguments, `{event}`, `{message}`, `{account}` and `{job_id}` among them. */
  argv: readonly string[];
  /** How long one call may take before it is stopped. */
  timeoutMs: number;
  /** The day's counts now, for DAYCAP_COUNTS; undefined once they cannot be had. */
  counts: () => Promise<StatusCounts | undefined>;
  /** A call that failed or timed out, for the log. */
  warn: (message: string) => void;
  /** The ledger, named in every message. */
  ledger?: string;
}

/** Notices of one kind waiting for the notifier: the first ones in full, the others counted. */
interface Waiting {
  notices: Notice[];
  more: number;
}

export class Notifier {
  private readonly waiting = new Map<NotifyEvent, Waiting>();
  private readonly context: NoticeContext;
  private pumping: Promise<void> | undefined;
  /** The counts the run ended with: the store is closed by then. */
  private finalCounts: StatusCounts | undefined;

  constructor(private readonly options: NotifierOptions) {
    this.context = options.ledger === undefined ? {} : { ledger: options.ledger };
  }

  /** Listens to a run's events; returns the unsubscribe function. */
  attach(events: RunEventStream): () => void {
    return events.onAny((event) => this.hear(event));
  }

  hear(event: RunEvent): void {
    if (event.type === 'run-ended') this.finalCounts = event.summary.counts;
    for (const notice of noticesOf(event, this.context)) this.enqueue(notice);
  }

  /** Resolves once every notice heard so far has been sent (or failed, or timed out). */
  async drain(): Promise<void> {
    while (this.pumping) await this.pumping;
  }

  private enqueue(notice: Notice): void {
    const waiting = this.waiting.get(notice.event) ?? { notices: [], more: 0 };
    if (waiting.notices.length < MAX_LISTED) waiting.notices.push(notice);
    else waiting.more += 1;
    // A kind heard again goes behind the others, so the run's end, heard last, is sent last.
    this.waiting.delete(notice.event);
    this.waiting.set(notice.event, waiting);
    this.kick();
  }

  /** Starts sending unless it is under way; sending looks again when it ends, for what came meanwhile. */
  private kick(): void {
    if (this.pumping || this.waiting.size === 0) return;
    this.pumping = this.pump().finally(() => {
      this.pumping = undefined;
      this.kick();
    });
  }

  private async pump(): Promise<void> {
    for (let next = this.take(); next; next = this.take()) await this.call(next);
  }

  private take(): Notice | undefined {
    const first = this.waiting.entries().next();
    if (first.done) return undefined;
    const [event, { notices, more }] = first.value;
    this.waiting.delete(event);
    return coalesce(notices, more);
  }

  private async call(notice: Notice): Promise<void> {
    const [program, ...args] = this.options.argv;
    if (program === undefined) return;
    const message = this.context.ledger === undefined ? `daycap: ${notice.message}` : `daycap ${this.context.ledger}: ${notice.message}`;
    const env = await this.environment(notice, message);
    const values = { event: notice.event, message, account: notice.account ?? '', job_id: notice.jobId ?? '' };
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.options.timeoutMs);
    try {
      const result = await runProgram(program, expandArgs(args, values), env, controller.signal);
      const problem = problemOf(result, controller.signal.aborted, this.options.timeoutMs);
      if (problem) this.options.warn(`notify ${program} (${notice.event}) ${problem}; the run goes on`);
    } catch (error) {
      this.options.warn(`notify ${program} (${notice.event}) failed: ${error instanceof Error ? error.message : String(error)}; the run goes on`);
    } finally {
      clearTimeout(timer);
    }
  }

  private async environment(notice: Notice, message: string): Promise<Record<string, string>> {
    const counts = this.finalCounts ?? (await this.options.counts().catch(() => undefined));
    return {
      DAYCAP_EVENT: notice.event,
      DAYCAP_MESSAGE: message,
      DAYCAP_ACCOUNT: notice.account ?? '',
      DAYCAP_JOB_ID: notice.jobId ?? '',
      DAYCAP_COUNTS: JSON.stringify(counts ?? {}),
      ...(notice.exitCode === undefined ? {} : { DAYCAP_EXIT_CODE: String(notice.exitCode) }),
    };
  }
}

/** Why a call did not go through, or undefined when it did (exit 0). */
function problemOf(result: SpawnExited | SpawnFailed, timedOut: boolean, timeoutMs: number): string | undefined {
  if ('spawnError' in result) return `could not be started (${result.spawnError.code ?? 'error'}: ${result.spawnError.message})`;
  if (timedOut) return `timed out after ${formatDuration(timeoutMs)} and was stopped`;
  if (result.code === 0) return undefined;
  const said = lastLine(result.stderrTail);
  return `failed (${result.signal ? `killed by signal ${result.signal}` : `exit code ${result.code}`})${said ? `: ${said}` : ''}`;
}
