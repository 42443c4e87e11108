/**
 * `hakurun`: local parameter sweeps. Expands span arguments into every
 * combination and runs CMD once per combination (argv, no shell), one at a
 * time or up to N at once, prefixing each output line with the combination.
 * It never talks to the cluster; `hakuriver task submit --sweep` is the
 * cluster's counterpart.
 */
import { constants } from "node:os";
import { DomainError } from "../shared/errors.js";
import { hasSpans } from "../shared/spans.js";
import { combinationsOf } from "./combination.js";
import { parseOptions, USAGE } from "./options.js";
import { runSweep } from "./run-sweep.js";
import { quoteCommand } from "./shell-quote.js";
import { summarize } from "./summary.js";

/** Exit code for usage errors and malformed spans. */
const USAGE_EXIT = 2;

/**
 * Runs hakurun on argv (without the node and script paths); resolves with the
 * exit code: 0 when all runs succeeded, a single run's own code, 1 when any of
 * several runs failed, 2 for a usage error (nothing was run), 128 + N when
 * stopped by signal N. Errors are one line on stderr, never a stack trace.
 */
export async function runHakurun(argv: readonly string[]): Promise<number> {
  try {
    const options = parseOptions(argv);
    if (options.help) {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    const combinations = combinationsOf(options.command);
    if (combinations.length === 0) {
      process.stderr.write("hakurun: the sweep expands to no combinations (an empty span:[] list?); nothing to run\n");
      return USAGE_EXIT;
    }
    if (options.dryRun) {
      process.stdout.write(combinations.map((c) => `${quoteCommand(c.argv)}\n`).join(""));
      return 0;
    }
    const sweeping = hasSpans(options.command);
    // Without spans hakurun is a plain launcher: the child keeps the terminal.
    const result = await runSweep(combinations, { concurrency: options.concurrency, output: sweeping ? "prefixed" : "inherit" });
    if (sweeping) process.stderr.write(summarize(result, combinations.length));
    if (result.interruptedBy) return 128 + (constants.signals[result.interruptedBy] ?? 0);
    if (result.outcomes.length === 1) return result.outcomes[0]!.exitCode;
    return result.outcomes.every((o) => o.exitCode === 0) ? 0 : 1;
  } catch (error) {
    if (error instanceof DomainError) {
      process.stderr.write(`hakurun: ${error.message}\n`);
      return USAGE_EXIT;
    }
    process.stderr.write(`hakurun: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}
