/**
 * Timer functions as a dependency: code that waits takes a {@link Timers}
 * (and a `now`), so tests of timeouts run on a fake clock instead of sleeping.
 */

/** A pending timer, as returned by {@link Timers.setTimeout}. */
export type TimerHandle = unknown;

/** setTimeout/clearTimeout, injectable. */
export interface Timers {
  /** Calls `callback` once, after `ms` milliseconds. */
  setTimeout(callback: () => void, ms: number): TimerHandle;
  /** Cancels a timer; a handle already fired or cleared is ignored. */
  clearTimeout(handle: TimerHandle): void;
}

/** The real timers of the event loop. */
export const systemTimers: Timers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};
