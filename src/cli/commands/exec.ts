/**
 * `hakuriver exec ID [-i] [-t] [--user U] [--workdir D] -- CMD ARGS...`: a
 * command inside a running task or VPS, as `docker exec` runs one. Exits
 * with the command's own exit code.
 */
import type { Argv } from "yargs";
import { UsageError } from "../cli-error.js";
import { processExitCode } from "../exit-codes.js";
import { clientContext, type GlobalArgs } from "../context.js";
import { runExec } from "../exec-client.js";

interface ExecArgs extends GlobalArgs {
  id: string;
  command?: string[];
  "--"?: string[];
  interactive?: boolean;
  tty?: boolean;
  user?: string;
  workdir?: string;
}

async function exec(args: ExecArgs): Promise<number> {
  const command = [...(args.command ?? []), ...(args["--"] ?? [])].map(String);
  if (command.length === 0) throw new UsageError("name the command after --, as in: hakuriver exec ID -- ls -l");
  const ctx = clientContext(args);
  const code = await runExec(ctx, { taskId: String(args.id), command, tty: args.tty === true, user: args.user, workdir: args.workdir });
  return processExitCode(code);
}

/** Registers `exec` on the root command. */
export function execCommand(y: Argv<GlobalArgs>, run: (fn: () => Promise<number>) => Promise<void>): Argv<GlobalArgs> {
  return y.command(
    "exec <id> [command..]",
    "run a command inside a running task or VPS (-it: an interactive terminal)",
    (s) =>
      s
        .positional("id", { type: "string", demandOption: true, describe: "task or VPS id" })
        .positional("command", { type: "string", array: true, describe: "the command (after --)" })
        .option("interactive", { alias: "i", type: "boolean", describe: "keep stdin open (it is always passed through; for docker exec habits)" })
        .option("tty", { alias: "t", type: "boolean", describe: "a pseudo-terminal: raw keys, resize, Ctrl-C reach the command" })
        .option("user", { alias: "u", type: "string", describe: "run as this user (name or uid[:gid]); default the task's" })
        .option("workdir", { alias: "w", type: "string", describe: "absolute working directory; default the task's" }),
    (a) => run(() => exec(a as ExecArgs)),
  );
}
