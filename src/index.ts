/**
 * daycap as a library: the same operations as the CLI (each command is a thin layer over these),
 * the runner and its event stream, the pure rules, the ledger readers, and the handler contract.
 */

// ---- operations (one per command) ----
export { seedLedger, checkReseedSafety, readSeedInputs, type SeedOptions, type SeedResult, type SeedSource, type SeedInputs } from './api/seed.js';
export { resetDay, type ResetDayOptions } from './api/reset-day.js';
export { ledgerStatus, liveStatusReport, summarize, formatStatus, type StatusReport } from './api/status.js';
export { resolveDayCap, recordDayCap, type DayCap } from './api/day-cap.js';
export { askRunner } from './store/file-control.js';
export type { ControlRequest, ControlResponse, LiveStatus } from './runner/control-protocol.js';
export { retryFailed, releaseStale, unfreeze, type RetryFailedOptions } from './api/maintenance.js';
export { preflight, checkLedger, DEFAULT_PREFLIGHT, type PreflightReport, type PreflightProblem, type PreflightKind, type PreflightSettings, type PreflightOptions } from './api/preflight.js';
export { ledgerDayReport, buildDayReport, formatDayReport, guardFormula, type DayReport, type DayReportFormat } from './api/day-report.js';
export { readPastPosts } from './api/past-posts.js';
export { findCapExceeded, type ArchiveCountOptions, type ArchivedPosts } from './api/archived-posts.js';
export { loadConfig, parseConfig, defaultConfig, applyOverrides, CONFIG_FILE, type EffectiveConfig, type ConfigOverrides } from './config/index.js';
export { openRun, type RunDayOptions } from './api/run.js';
export { createDemoCampaign, demoRunOptions, DEMO_PACES, type DemoCampaign, type DemoPace } from './api/demo.js';

// ---- the runner and what it tells subscribers ----
export { Runner, type RunOptions, type RunResult } from './runner/runner.js';
export { ledgerAt, type LedgerOptions, type OpenStoreOptions } from './store/open.js';
export type { Ledger, LedgerRead } from './store/ledger.js';
export type { Store, Exchange, Exchanged, Report, Action, Acted, Outlook, Tally, StoreNews, DayRules } from './store/store.js';
export { RunEventStream, type RunEvents, type RunEvent, type RunEventName, type RunSummary, type EndReason } from './runner/events.js';
export { attachLog, formatEvent } from './runner/log.js';
export { Notifier, type NotifierOptions } from './runner/notify.js';
export { NOTIFY_EVENTS, noticesOf, coalesce, type Notice, type NotifyEvent } from './runner/notices.js';
export { EXIT, exitCodeFor } from './runner/exit-codes.js';

// ---- the rules (pure) ----
export { DayState, type DayOptions, type Blockers, type Claim, type AccountNews } from './core/day-state.js';
export { capSkipLine, accountHold, type AccountView, type AccountHold, type CapSkip, type GlobalHold } from './core/claim-policy.js';
export { retryFailed as retryFailedRows, releaseStale as releaseStaleRows, unfreeze as unfreezeRows, adoptOrphans } from './core/operator-actions.js';
export type { ClaimContext, FailOptions, FailureInput } from './core/transitions.js';
export { DEFAULT_HEALTH, DEFAULT_PACING, COOLDOWN_COLUMN, type HealthPolicy, type PacingPolicy, type PostingWindows, type TimeRange, type PastPost } from './core/policy.js';
export { frozenAccounts, coolingAccounts, isFreezingRow, cooldownEndOf, type FrozenAccount, type CoolingAccount } from './core/health.js';
export { parseTime, isoTime, localIsoTime, timeFormatter, detectTimeFormat, ledgerTimeFormat, TIME_FORMATS, type TimeFormat, type FormatTime } from './core/time.js';
export { windowState, isOpen, parseTimeRange, isValidTimeZone, describeWindows, type WindowState } from './core/window.js';
export { mayBePost, archivedPostsToday, archivedPostsWithin24h, capExceeded, capExceededLine, type ArchivedRow, type CapExceeded } from './core/archived-posts.js';
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
export { readLockHolder, DEFAULT_STALE_MS, type LockTiming } from './ledger/lock/index.js';
export { archiveName, todaysArchives, recentArchives } from './ledger/archive.js';
export { readArchive, salvageArchive, ARCHIVE_UNREADABLE, type ArchiveContents } from './ledger/archive-read.js';
export { stateDir } from './ledger/paths.js';

// ---- the handler contract ----
export type { Job, PostHandler, VerifyHandler, VerifyContext, VerifyResult, VerifyVerdict, VerifySpec, PostContext, LoadedHandler, HandlerSpec, SimulateOptions } from './handlers/types.js';
export { parseHandlerOption, loadHandler } from './handlers/load.js';

// ---- errors ----
export {
  DaycapError, InputError, LedgerInvalidError, LockHeldError, IllegalTransitionError, SafetyCheckError, UsageError, HandlerError, NotifierError, StorageError, ConfigError, PreflightError,
  forceReseedRefusal, type FilePosition,
} from './errors.js';
