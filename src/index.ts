/**
 * daycap as a library: the same operations as the CLI (each command is a thin layer over these),
 * the runner and its event stream, the pure rules, the ledger readers, and the handler contract.
 */

// ---- operations (one per command) ----
export { seedLedger, checkReseedSafety, readSeedInputs, type SeedOptions, type SeedResult, type SeedSource, type SeedInputs } from './api/seed.js';
export { resetDay, type ResetDayOptions } from './api/reset-day.js';
export { ledgerStatus, liveStatusReport, summarize, formatStatus, type StatusReport } from './api/status.js';
export { askRunner } from './api/control.js';
export type { ControlRequest, ControlResponse, LiveStatus } from './runner/control-protocol.js';
export { retryFailed, releaseStale, type RetryFailedOptions } from './api/maintenance.js';
export { openRun, type RunDayOptions } from './api/run.js';
export { createDemoCampaign, demoRunOptions, type DemoCampaign } from './api/demo.js';

// ---- the runner and what it tells subscribers ----
export { Runner, type RunOptions } from './runner/runner.js';
export { RunEventStream, type RunEvents, type RunEvent, type RunEventName, type RunSummary, type EndReason } from './runner/events.js';
export { attachLog, formatEvent } from './runner/log.js';
export { EXIT, exitCodeFor } from './runner/exit-codes.js';

// ---- the rules (pure) ----
export { Tracker, capSkipLine, type ClaimContext, type CapSkip, type Blockers, type AccountSummary, type FailOptions, type FailureInput } from './core/tracker.js';
export { planSeed, countPostsByAccount, videoKeyOf, type SeedCandidate, type SeedInput, type SeedPlan } from './core/seed.js';
export { DEFAULT_RULES, UNKNOWN_CLASS, classifyMessage, classifyFailure, extendRules, isNonRetryableCategory, type CategoryRule, type ErrorClass, type FailureReport } from './core/classify.js';
export {
  STATUSES, CAPPED_STATUSES, SEED_BLOCKING_STATUSES, LEDGER_COLUMNS, DEFAULT_CAP, DEFAULT_MAX_ATTEMPTS, DEFAULT_RETRY_DELAY_MS,
  newJob, isStatus, type Status, type StatusCounts, type LedgerColumn,
} from './core/job.js';

// ---- reading a ledger (read-only; writing goes through the operations above) ----
export { validateLedger, type LedgerValidation } from './ledger/validate.js';
export { readLedgerFile, readLedgerView, type LedgerFile, type LedgerView } from './ledger/read.js';
export { parseLedger, serializeLedger, type ParsedLedger } from './ledger/codec.js';
export { readLockHolder } from './ledger/lock.js';
export { archiveName, todaysArchives } from './ledger/archive.js';
export { stateDir } from './ledger/paths.js';

// ---- the handler contract ----
export type { Job, PostHandler, VerifyHandler, PostContext, LoadedHandler, HandlerSpec, SimulateOptions } from './handlers/types.js';
export { parseHandlerOption, loadHandler } from './handlers/load.js';

// ---- errors ----
export {
  DaycapError, InputError, LedgerInvalidError, LockHeldError, IllegalTransitionError, SafetyCheckError, UsageError, HandlerError, StorageError,
  forceReseedRefusal, type FilePosition,
} from './errors.js';
