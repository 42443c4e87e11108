/**
 * Command-line options of `hakurun`. Options come only before CMD, so every
 * argument from CMD on (including ones that look like options) belongs to the
 * swept command; `--` ends the options explicitly.
 */
import { availableParallelism } from "node:os";
import { invalidArgument } from "../shared/errors.js";

/** What `hakurun` was asked to do. */
export interface HakurunOptions {
  /** Most runs at once; 1 = sequential (the default). */
  readonly concurrency: number;
  /** Print the expanded command lines instead of running them. */
  readonly dryRun: boolean;
  /** Print the usage and exit 0. */
  readonly help: boolean;
  /** CMD and its arguments, spans not yet expanded. */
  readonly command: readonly string[];
}

/** The text `hakurun --help` prints. */
export const USAGE = `Usage: hakurun [--parallel [N]] [--dry-run] [--] CMD [ARGS...]

Runs CMD once per combination of its span arguments (last one varying fastest):
  span:{A..B}        integers A to B inclusive (descending when A > B)
  span:{A..B..STEP}  every STEP-th integer from A to B
  span:[x,y,z]       the listed strings, trimmed
Quote spans in the shell ('span:{1..3}'), or it expands the braces itself.

Options (before CMD only):
  --parallel [N], -p [N]  run up to N combinations at once (default N: ${availableParallelism()} cores)
  --dry-run, -n           print the expanded command lines, shell-quoted, one per line
  -h, --help              show this help

Exit status: 0 when every run succeeded; the run's own code for a single run;
1 when any of several runs failed; 2 for a usage error or a malformed span.`;

function parseCount(text: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1) throw invalidArgument(`--parallel needs a whole number of runs, 1 or more; got "${text}"`);
  return Number(text);
}

/**
 * Parses argv (without the node and script paths).
 * @throws DomainError (invalid_argument) for an unknown option, a bad count or no CMD.
 */
export function parseOptions(argv: readonly string[]): HakurunOptions {
  let concurrency = 1;
  let dryRun = false;
  let i = 0;
  for (; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--") {
      i++;
      break;
    }
    if (!arg.startsWith("-") || arg === "-") break;
    if (arg === "-h" || arg === "--help") return { concurrency, dryRun, help: true, command: [] };
    if (arg === "-n" || arg === "--dry-run") dryRun = true;
    else if (arg === "-p" || arg === "--parallel") {
      const next = argv[i + 1];
      // A bare number right after --parallel is its N; CMD is never a bare number.
      if (next !== undefined && /^\d+$/.test(next)) {
        concurrency = parseCount(next);
        i++;
      } else concurrency = availableParallelism();
    } else if (arg.startsWith("--parallel=")) concurrency = parseCount(arg.slice("--parallel=".length));
    else throw invalidArgument(`unknown option "${arg}" (options go before CMD; use -- before a command that starts with -)`);
  }
  const command = argv.slice(i);
  if (command.length === 0) throw invalidArgument("no command given: hakurun [--parallel [N]] [--dry-run] CMD ARGS... (see hakurun --help)");
  return { concurrency, dryRun, help: false, command };
}
