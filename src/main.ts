/**
 * The `hakuriver` command line. Client commands load only shared code and
 * the generated contract; `host` and `runner` import their code lazily.
 */
import yargs, { type Argv } from "yargs";
import { describeError, exitCodeOf } from "./cli/cli-error.js";
import { auditCommand } from "./cli/commands/audit.js";
import { authCommands } from "./cli/commands/auth.js";
import { dockerCommands } from "./cli/commands/docker.js";
import { initCommands } from "./cli/commands/init.js";
import { logsCommand } from "./cli/commands/logs.js";
import { nodeCommands } from "./cli/commands/nodes.js";
import { serverCommands } from "./cli/commands/servers.js";
import { sshCommands } from "./cli/commands/ssh.js";
import { taskCommands } from "./cli/commands/task.js";
import { tokenCommands } from "./cli/commands/tokens.js";
import { userCommands } from "./cli/commands/users.js";
import { vpsCommands } from "./cli/commands/vps.js";
import type { GlobalArgs } from "./cli/context.js";
import { joinDashValues } from "./cli/option-values.js";
import { ENVIRONMENT_ONLY } from "./shared/config-schema.js";

/**
 * Runs the CLI on `argv` (without the node and script names); resolves with
 * the exit code. Errors are printed as one line (plus a line per invalid field
 * the Host named), never as a stack trace.
 */
export async function runCli(argv: readonly string[]): Promise<number> {
  let exitCode = 0;
  let hostForErrors: string | undefined = process.env[ENVIRONMENT_ONLY.host.name];
  const run = async (fn: () => Promise<number>): Promise<void> => {
    try {
      exitCode = await fn();
    } catch (error) {
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
    .strict()
    .demandCommand(1, "name a command (see --help)")
    .recommendCommands()
    .help()
    .alias("h", "help")
    .wrap(Math.min(110, process.stdout.columns || 100))
    .exitProcess(false)
    .fail((message, error) => {
      if (error) throw error;
      throw new UsageFailure(message);
    });
  serverCommands(parser, run);
  taskCommands(parser, run);
  vpsCommands(parser, run);
  sshCommands(parser, run);
  logsCommand(parser, run);
  nodeCommands(parser, run);
  dockerCommands(parser, run);
  initCommands(parser, run);
  authCommands(parser, run);
  userCommands(parser, run);
  tokenCommands(parser, run);
  auditCommand(parser, run);
  try {
    await parser.parseAsync();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    console.error(`error: ${message}\n(run "hakuriver --help" for usage)`);
    return 2;
  }
  return exitCode;
}

class UsageFailure extends Error {}
