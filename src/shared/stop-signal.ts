/**
 * How the long-running processes (`hakuriver host`, `hakuriver runner`)
 * learn to stop: the first SIGINT or SIGTERM.
 */

/**
 * Resolves on the first SIGINT or SIGTERM this process receives. Both
 * listeners are left in place, so a second signal while the process shuts
 * down is absorbed rather than killing it halfway.
 */
export function stopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
}
