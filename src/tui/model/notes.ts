/**
 * The events worth a line of their own (a worker died, a freeze, the window, a warning, ...), in
 * the words of the log (formatEvent), with a tone for their colour.
 */
import type { RunEvent } from '../../runner/events.js';
import { formatEvent } from '../../runner/log.js';
import { oneLine } from '../text.js';
import { addNote, nextSeq, type History, type NoteTone } from './history.js';
import type { Reducer } from './reducer.js';

type NoteEvent =
  | 'recovered' | 'pass-ended' | 'worker-died' | 'paused' | 'stopping' | 'external-edit' | 'warning'
  | 'account-frozen' | 'account-cooling' | 'account-unfrozen' | 'window';

/** Each handler tags its payload with its own type: a listener of one event type gets it untagged. */
export const notesReducer: Reducer<History, NoteEvent> = {
  'recovered': (h, e) => note(h, { ...e, type: 'recovered' }, e.unconfirmed > e.posted + e.notPosted ? 'warn' : 'info'),
  'pass-ended': (h, e) => note(h, { ...e, type: 'pass-ended' }, 'info'),
  'worker-died': (h, e) => note(h, { ...e, type: 'worker-died' }, 'bad'),
  'paused': (h, e) => note(h, { ...e, type: 'paused' }, 'info'),
  'stopping': (h, e) => note(h, { ...e, type: 'stopping' }, 'warn'),
  'external-edit': (h, e) => note(h, { ...e, type: 'external-edit' }, e.refused > 0 ? 'warn' : 'info'),
  'warning': (h, e) => note(h, { ...e, type: 'warning' }, 'warn'),
  'account-frozen': (h, e) => note(h, { ...e, type: 'account-frozen' }, 'bad'),
  'account-cooling': (h, e) => note(h, { ...e, type: 'account-cooling' }, 'warn'),
  'account-unfrozen': (h, e) => note(h, { ...e, type: 'account-unfrozen' }, 'info'),
  'window': (h, e) => note(h, { ...e, type: 'window' }, e.open ? 'info' : 'warn'),
};

function note(h: History, event: RunEvent, tone: NoteTone): void {
  const text = formatEvent(event);
  if (text === undefined) return;
  // formatEvent starts with the event's clock time; the screen prints its own.
  addNote(h, { seq: nextSeq(h), at: event.at, tone, text: oneLine(text.replace(/^\d\d:\d\d:\d\d /, '')) });
}
