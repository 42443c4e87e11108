/**
 * The last line of defence of the long-lived processes (Host and runner):
 * an error that escaped every handler (an `error` event nobody listens to,
 * a rejected promise nobody awaits) is logged with its stack and the
 * process keeps serving. Each such log is a bug to fix where the error
 * arises; ending the Host would instead drop every runner stream and every
 * client for one bad call.
 */
import type { Logger } from "pino";

/** Installs the handlers once per process; returns a function that removes them. */
export function keepRunningOnStrayErrors(log: Logger): () => void {
  const onException = (error: Error, origin: string) => {
    log.error({ err: error, origin }, "an error escaped its handler; kept running (please report this)");
  };
  const onRejection = (reason: unknown) => {
    log.error({ err: reason }, "a promise was rejected with nobody waiting for it; kept running (please report this)");
  };
  process.on("uncaughtException", onException);
  process.on("unhandledRejection", onRejection);
  return () => {
    process.off("uncaughtException", onException);
    process.off("unhandledRejection", onRejection);
  };
}
