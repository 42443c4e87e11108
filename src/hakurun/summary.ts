/**
 * The report printed after a sweep: counts, then every failed combination
 * with its exit code and command line, so it can be rerun by hand.
 */
import type { SweepResult } from "./run-sweep.js";
import { quoteCommand } from "./shell-quote.js";

/**
 * The summary text (ends with a newline), e.g.
 * `hakurun: 6 runs: 5 ok, 1 failed` and one indented line per failure.
 */
export function summarize(result: SweepResult, planned: number): string {
  const failed = result.outcomes.filter((o) => o.exitCode !== 0);
  const ok = result.outcomes.length - failed.length;
  const runs = `${planned} run${planned === 1 ? "" : "s"}`;
  const lines = [`hakurun: ${runs}: ${ok} ok, ${failed.length} failed`];
  if (result.interruptedBy) lines[0] += `, ${planned - result.outcomes.length} not started (stopped by ${result.interruptedBy})`;
  for (const outcome of failed) {
    lines.push(`  ${outcome.combination.label} ${outcome.reason}: ${quoteCommand(outcome.combination.argv)}`);
  }
  return `${lines.join("\n")}\n`;
}
