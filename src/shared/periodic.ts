/**
 * Background work on an interval (monitors, follow-up checks): one pass at
 * a time, a failed pass handed to `onError` (never thrown, never silent),
 * and a timer that does not keep the process alive.
 */

/** Runs `pass` every `intervalMs` until the returned function is called; a pass still running skips the next tick. */
export function every(intervalMs: number, pass: () => Promise<void>, onError: (error: unknown) => void): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    pass()
      .catch(onError)
      .finally(() => {
        running = false;
      });
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
