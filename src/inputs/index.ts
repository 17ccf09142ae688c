/** Readers for what an operator hands daycap: scheduler state, campaign folders, accounts files, the posted ledger. */
export { readAccountsFile } from './accounts.js';
export { readCampaign, type Campaign } from './campaign.js';
export { appendPosted, readPostedLedger, type PostedEntry, type PostedIndex } from './posted.js';
export { readSchedulerState, type SchedulerSettings, type SchedulerState } from './state.js';
