/**
 * Time as the Host's and the runner's loops see it: the current time and
 * timers, injected so tests of timeouts, heartbeats, reconnect backoff and
 * pruning advance a manual clock (`test/helpers/manual-clock.ts`) instead of
 * sleeping.
 */

/** Cancels a timer; calling it again does nothing. */
export type CancelTimer = () => void;

/** Timer options. */
export interface TimerOptions {
  /** The timer does not keep the process alive (Node's `unref`). Default false. */
  readonly unref?: boolean;
}

/** A clock with timers. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Calls `fn` once after `delayMs`. */
  after(delayMs: number, fn: () => void, options?: TimerOptions): CancelTimer;
  /** Calls `fn` every `intervalMs`, first after one interval. */
  every(intervalMs: number, fn: () => void, options?: TimerOptions): CancelTimer;
}

/** The real clock: `Date.now` and Node's timers. */
export const systemClock: Clock = {
  now: () => Date.now(),
  after(delayMs, fn, options = {}) {
    const timer = setTimeout(fn, delayMs);
    if (options.unref === true) timer.unref();
    return () => clearTimeout(timer);
  },
  every(intervalMs, fn, options = {}) {
    const timer = setInterval(fn, intervalMs);
    if (options.unref === true) timer.unref();
    return () => clearInterval(timer);
  },
};
