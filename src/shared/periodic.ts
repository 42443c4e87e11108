/**
 * Background work on an interval (monitors, follow-up checks): one pass at
 * a time, a failed pass handed to `onError` (never thrown, never silent),
 * and a timer that does not keep the process alive.
 */
import { systemClock, type CancelTimer, type Clock } from "./clock.js";

/** Runs `pass` every `intervalMs` until the returned function is called; a pass still running skips the next tick. */
export function every(intervalMs: number, pass: () => Promise<void>, onError: (error: unknown) => void, clock: Pick<Clock, "every"> = systemClock): CancelTimer {
  let running = false;
  return clock.every(intervalMs, () => {
    if (running) return;
    running = true;
    pass()
      .catch(onError)
      .finally(() => {
        running = false;
      });
  }, { unref: true });
}
