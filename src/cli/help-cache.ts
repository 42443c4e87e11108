/**
 * yargs renders the whole help of a command before running its handler
 * (`cacheHelpMessage`, for a `showHelp()` the handler might call later): a
 * few milliseconds of measuring text widths on every command line. No
 * handler here shows help (`help` and `--help` run their own parse), so the
 * CLI turns that rendering off.
 */
import type { Argv } from "yargs";

/** The part of yargs's internals this touches (yargs 18: `getInternalMethods().getUsageInstance()`). */
interface WithUsage {
  getInternalMethods?: () => { getUsageInstance?: () => { cacheHelpMessage?: () => void } };
}

/** Stops `parser` rendering a command's help before its handler runs; `--help` output is unchanged. */
export function skipHelpCacheBeforeHandlers<T>(parser: Argv<T>): Argv<T> {
  const usage = (parser as unknown as WithUsage).getInternalMethods?.().getUsageInstance?.();
  if (usage && typeof usage.cacheHelpMessage === "function") usage.cacheHelpMessage = () => {};
  return parser;
}
