/**
 * The model's slices, and which of them hear each event, in order. Every event also moves
 * `version` when it changes what is drawn (the screen redraws only when it moved).
 */
import { accountHealthReducer, newAccountHealth, type AccountHealth } from './account-health.js';
import { accountsReducer, newAccounts, type Accounts } from './accounts.js';
import { failuresReducer, newFailures, type Failures } from './failures.js';
import { historyReducer, newHistory, type History, type HistoryOptions } from './history.js';
import { notesReducer } from './notes.js';
import { newProgress, progressReducer, type Progress } from './progress.js';
import type { Handlers } from './reducer.js';
import { newRun, runReducer, type Run } from './run.js';
import { newWorkers, workersReducer, type Workers } from './workers.js';

export interface Slices {
  readonly run: Run;
  readonly progress: Progress;
  readonly workers: Workers;
  readonly accounts: Accounts;
  readonly health: AccountHealth;
  readonly history: History;
  readonly failures: Failures;
  version: number;
}

export function newSlices(options: HistoryOptions = {}): Slices {
  const history = newHistory(options);
  return {
    run: newRun(), progress: newProgress(), workers: newWorkers(), accounts: newAccounts(), health: newAccountHealth(),
    history, failures: newFailures(history), version: 0,
  };
}

/** Typed so that a new event type fails to compile until the screen decides what it shows. */
export function handlersOf(s: Slices): Handlers {
  return {
    'run-started': (e) => {
      s.version += 1;
      runReducer['run-started'](s.run, e);
      progressReducer['run-started'](s.progress, e);
      workersReducer['run-started'](s.workers, e);
      accountsReducer['run-started'](s.accounts, e);
      accountHealthReducer['run-started'](s.health, e);
    },
    'job-claimed': (e) => {
      s.version += 1;
      progressReducer['job-claimed'](s.progress, e);
      accountsReducer['job-claimed'](s.accounts, e);
      workersReducer['job-claimed'](s.workers, e);
    },
    'job-done': (e) => {
      s.version += 1;
      progressReducer['job-done'](s.progress, e);
      accountsReducer['job-done'](s.accounts, e);
      workersReducer['job-done'](s.workers, e);
    },
    'job-failed': (e) => {
      s.version += 1;
      progressReducer['job-failed'](s.progress, e);
      accountsReducer['job-failed'](s.accounts, e);
      workersReducer['job-failed'](s.workers, e);
      failuresReducer['job-failed'](s.failures, e);
    },
    'job-retrying': (e) => {
      s.version += 1;
      progressReducer['job-retrying'](s.progress, e);
      accountsReducer['job-retrying'](s.accounts, e);
      workersReducer['job-retrying'](s.workers, e);
      failuresReducer['job-retrying'](s.failures, e);
    },
    'job-unconfirmed': (e) => {
      s.version += 1;
      progressReducer['job-unconfirmed'](s.progress, e);
      accountsReducer['job-unconfirmed'](s.accounts, e);
      workersReducer['job-unconfirmed'](s.workers, e);
      failuresReducer['job-unconfirmed'](s.failures, e);
    },
    'cap-skip': (e) => {
      const held = s.progress.heldByCap.size;
      progressReducer['cap-skip'](s.progress, e);
      // A job reported again changes nothing on screen.
      if (s.progress.heldByCap.size !== held) s.version += 1;
    },
    'worker-idle': (e) => {
      s.version += 1;
      progressReducer['worker-idle'](s.progress, e);
      workersReducer['worker-idle'](s.workers, e);
    },
    'worker-died': (e) => {
      s.version += 1;
      workersReducer['worker-died'](s.workers, e);
      notesReducer['worker-died'](s.history, e);
    },
    'ledger-written': () => undefined,
    'paused': (e) => {
      s.version += 1;
      runReducer['paused'](s.run, e);
      notesReducer['paused'](s.history, e);
    },
    'stopping': (e) => {
      s.version += 1;
      runReducer['stopping'](s.run, e);
      notesReducer['stopping'](s.history, e);
    },
    'recovered': (e) => {
      s.version += 1;
      notesReducer['recovered'](s.history, e);
    },
    'pass-ended': (e) => {
      s.version += 1;
      notesReducer['pass-ended'](s.history, e);
    },
    'external-edit': (e) => {
      s.version += 1;
      notesReducer['external-edit'](s.history, e);
      progressReducer['external-edit'](s.progress, e);
    },
    'ledger-counts': (e) => {
      s.version += 1;
      progressReducer['ledger-counts'](s.progress, e);
    },
    'warning': (e) => {
      s.version += 1;
      notesReducer['warning'](s.history, e);
    },
    'account-frozen': (e) => {
      s.version += 1;
      accountHealthReducer['account-frozen'](s.health, e);
      notesReducer['account-frozen'](s.history, e);
    },
    'account-cooling': (e) => {
      s.version += 1;
      accountHealthReducer['account-cooling'](s.health, e);
      notesReducer['account-cooling'](s.history, e);
    },
    'account-unfrozen': (e) => {
      s.version += 1;
      accountHealthReducer['account-unfrozen'](s.health, e);
      notesReducer['account-unfrozen'](s.history, e);
    },
    'window': (e) => {
      s.version += 1;
      runReducer['window'](s.run, e);
      notesReducer['window'](s.history, e);
    },
    'run-ended': (e) => {
      s.version += 1;
      runReducer['run-ended'](s.run, e);
      progressReducer['run-ended'](s.progress, e);
      historyReducer['run-ended'](s.history, e);
    },
  };
}
