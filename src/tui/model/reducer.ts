/**
 * The live view's model is a handful of slices, one per concern (see ../model.ts). Each slice has a
 * state and a reducer: for each event the slice hears, a function that brings its state up to date
 * with exactly that event's payload, typed by the event's name. States are updated in place, not
 * replaced: events come thousands a second, and a job's claim and post must not allocate.
 */
import type { RunEventName, RunEvents } from '../../runner/events.js';

export type Reducer<S, K extends RunEventName> = { readonly [E in K]: (state: S, event: RunEvents[E]) => void };

/** One function per event type, each given its own payload. */
export type Handlers = { [K in RunEventName]: (event: RunEvents[K]) => void };

/** Hands a tagged event (from `onAny`) to the handler of its type. */
export function dispatch<K extends RunEventName>(handlers: Handlers, event: RunEvents[K] & { type: K }): void {
  handlers[event.type](event);
}
