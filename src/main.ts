/**
 * The `hakuriver` command line. Client commands load only shared code and
 * the generated contract; `host` and `runner` import their code lazily, and
 * a line loads only the file of its own command (cli/command-modules.ts).
 */
import yargs, { type Argv } from "yargs";
import { registerCommands } from "./cli/command-modules.js";
import type { GlobalArgs } from "./cli/context.js";
import { skipHelpCacheBeforeHandlers } from "./cli/help-cache.js";
import { attachExamples, knownCommandPath } from "./cli/help-examples.js";
import { joinDashValues } from "./cli/option-values.js";
import { ENVIRONMENT_ONLY } from "./shared/config-schema.js";

/**
 * Runs the CLI on `argv` (without the node and script names); resolves with
 * the exit code. Errors are printed as one line (plus a line per invalid field
 * the Host named), never as a stack trace.
 */
export async function runCli(argv: readonly string[]): Promise<number> {
  let exitCode = 0;
  // The shell asking for completions (see cli/completion.ts): yargs parses the line through the
  // commands it names, so nothing may run, and their strict checks would fail on its own flag.
  const completing = argv.includes("--get-yargs-completions");
  let hostForErrors: string | undefined = process.env[ENVIRONMENT_ONLY.host.name];
  const run = async (fn: () => Promise<number>): Promise<void> => {
    if (completing) return;
    try {
      exitCode = await fn();
    } catch (error) {
      const { describeError, exitCodeOf } = await import("./cli/cli-error.js");
      console.error(describeError(error, hostForErrors));
      exitCode = exitCodeOf(error);
    }
  };
  const parser: Argv<GlobalArgs> = yargs(joinDashValues(argv))
    .scriptName("hakuriver")
    .parserConfiguration({ "populate--": true })
    .option("config", { type: "string", global: true, describe: "config file (TOML); default ~/.hakuriver/config.toml" })
    .option("host", { type: "string", global: true, describe: "Host address ADDR:PORT (or HAKURIVER_HOST)" })
    .option("json", { type: "boolean", global: true, describe: "print JSON for machines" })
    .option("ca", { type: "string", global: true, describe: "TLS: PEM CA or the Host's certificate to verify the Host against (tls.ca_file)" })
    .option("tls-fingerprint", { type: "string", global: true, describe: "TLS: pin the Host certificate's SHA-256 fingerprint, as the Host prints it (tls.fingerprint)" })
    .middleware((a) => {
      if (typeof a.host === "string") hostForErrors = a.host;
    })
    .strict(!completing)
    .demandCommand(completing ? 0 : 1, "name a command (see --help)")
    .recommendCommands()
    .help()
    .alias("h", "help")
    .wrap(Math.min(110, process.stdout.columns || 100))
    .exitProcess(false)
    .fail((message, error) => {
      if (error) throw error;
      throw new UsageFailure(message);
    });
  attachExamples(parser)
    .example("hakuriver task submit --wait -- echo hello", "run a command on the cluster and wait for it")
    .example("hakuriver help task submit", "the help of one command, with examples")
    .epilogue("Every command has --help with examples, also as: hakuriver help COMMAND.");
  skipHelpCacheBeforeHandlers(parser);
  await registerCommands(parser, run, argv);
  const completionHelp = "print a bash/zsh completion script (hakuriver completion >> ~/.bashrc)";
  if (completing) {
    const { completeLine } = await import("./cli/completion.js");
    parser.completion("completion", completionHelp, completeLine);
  } else parser.command("completion", completionHelp, (y) => y, () => run(async () => (parser.showCompletionScript(), 0)));
  parser.command(
    "help [command..]",
    "show the help of a command, with examples: hakuriver help task submit",
    (s) => s.positional("command", { type: "string", array: true, describe: "the command words" }),
    (a) => run(() => helpOf((a.command as string[] | undefined) ?? [])),
  );
  try {
    await parser.parseAsync();
  } catch (error) {
    // A half-typed line is no usage error: text on stderr would land in the user's command line.
    if (completing) return 0;
    const message = error instanceof Error ? error.message : String(error);
    console.error(usageLine(message, argv));
    return 2;
  }
  return exitCode;
}

class UsageFailure extends Error {}

/** `hakuriver help WORDS...`: the help of that command, or a usage error naming the unknown word. */
async function helpOf(words: readonly string[]): Promise<number> {
  const known = knownCommandPath(words);
  if (words.length > 0 && known.length === 0) {
    console.error(`error: unknown command "${words[0]}" (see hakuriver --help)`);
    return 2;
  }
  return runCli([...known, "--help"]);
}

/** Commands whose last positional words are the command to run, so their own options need `--` before them. */
const TAKES_A_COMMAND = ["task submit", "docker shell"];

/** Options of the commands above that take no value (any other option's next word is its value). */
const FLAGS_WITHOUT_VALUE = new Set(["--wait", "--no-wait", "--queue", "--no-queue", "--sweep", "--privileged", "--json", "--help", "-h"]);

/** Index in `argv` of the first word of the task's command (after the two command words), or -1. */
function commandStart(argv: readonly string[]): number {
  for (let i = 2; i < argv.length; i++) {
    const word = argv[i]!;
    if (word === "--") return -1;
    if (word.startsWith("-")) {
      if (!word.includes("=") && !FLAGS_WITHOUT_VALUE.has(word)) i++; // Skip the option's value.
      continue;
    }
    return i;
  }
  return -1;
}

/**
 * The one line a usage error prints: yargs's message made a sentence, with
 * a hint. Options meant for a task's command (`task submit --wait ls -la`)
 * are the common slip: the hint shows the line again with `--` in place.
 */
export function usageLine(message: string, argv: readonly string[]): string {
  const words = argv.filter((w) => !w.startsWith("-"));
  const path = words.slice(0, 2).join(" ");
  const unknown = /^Unknown arguments?: (.+)$/.exec(message);
  if (unknown && TAKES_A_COMMAND.includes(path)) {
    const start = commandStart(argv);
    const example = start > 0 ? [...argv.slice(0, start), "--", ...argv.slice(start)] : [...argv.slice(0, 2), "--", "CMD", "ARGS..."];
    return `error: unknown options ${unknown[1]}: put -- before the command, as in: hakuriver ${example.join(" ")}`;
  }
  const suggestion = /^Did you mean (.+)\?$/.exec(message);
  if (suggestion) return `error: unknown command "${words.at(-1) ?? ""}": did you mean ${suggestion[1]}? (see hakuriver --help)`;
  const help = words.length > 0 ? `hakuriver ${words.slice(0, 2).join(" ")} --help` : "hakuriver --help";
  return `error: ${message.replace(/\s*\n\s*/g, " ")} (see ${help})`;
}
