/**
 * `hakuriver ssh-config ID [--install]`: the Host block of a VPS, with its
 * host key checked. The VPS's sshd host keys come with the task (its runner
 * read them when sshd started); they are written to
 * `~/.hakuriver/known_hosts` under the block's `HostKeyAlias`, and the
 * block says `StrictHostKeyChecking yes`. A VPS whose keys are not known (a
 * runner too old to report them) gets `accept-new`, said in a comment in
 * the block and on stderr: the check is never turned off silently.
 * Without `--install` the block is printed; with it, it is added to (or
 * replaced in) `~/.ssh/config`.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { TaskKind, type Task } from "../../gen/hakuriver/v1/types_pb.js";
import { isFinal, statusName } from "../shared/task-status.js";
import { UsageError } from "./cli-error.js";
import type { SshConfigArgs } from "./commands/ssh.js";
import { clientContext } from "./context.js";
import { renderHostBlock, replaceKnownHosts, sshAlias, upsertHostBlock } from "../shared/ssh-config-block.js";
import { ensurePrivateDir, readTextOrEmpty, sshPaths, writePrivateFile, type SshPaths } from "./ssh-files.js";
import { rememberedIdentity } from "./ssh-identities.js";

/** The VPS task `taskId`, refused when it is not a VPS or has ended. */
async function fetchVps(args: SshConfigArgs, taskId: string): Promise<Task> {
  const ctx = clientContext(args);
  try {
    const { task } = await ctx.client.getTask({ taskId });
    if (!task) throw new Error(`the Host returned no task for ${taskId}`);
    if (task.kind !== TaskKind.VPS) throw new UsageError(`task ${taskId} is a command task, not a VPS: there is no sshd to log in to`);
    if (isFinal(statusName(task.status))) throw new UsageError(`VPS ${taskId} has ended (${statusName(task.status)}): submit a new one with hakuriver vps submit`);
    return task;
  } finally {
    ctx.close();
  }
}

/** Why the task's host keys are unknown, or undefined when they are known. */
function unknownKeyReason(task: Task): string | undefined {
  if (task.sshHostKeys.length > 0) return undefined;
  if (statusName(task.status) === "running" || statusName(task.status) === "paused") return "its runner did not report it: an older runner, or see hakuriver logs --stderr";
  return `the VPS is ${statusName(task.status)}, not running yet: run ssh-config again once it runs to have the key checked`;
}

/** The private key for IdentityFile: --identity-file, else the one `vps submit` noted, when it still exists. */
export function identityFile(args: SshConfigArgs, hostAddress: string, taskId: string, paths: SshPaths): string | undefined {
  if (args["identity-file"] !== undefined) {
    const file = resolve(args["identity-file"]);
    if (!existsSync(file)) throw new UsageError(`identity file ${file} does not exist`);
    return file;
  }
  let remembered: string | undefined;
  try {
    remembered = rememberedIdentity(hostAddress, taskId, paths.identities);
  } catch (error) {
    console.error(`warning: ${error instanceof Error ? error.message : String(error)}; writing no IdentityFile (pass --identity-file)`);
    return undefined;
  }
  if (remembered !== undefined && !existsSync(remembered)) {
    console.error(`warning: the private key VPS ${taskId} was submitted for, ${remembered}, is gone; writing no IdentityFile (pass --identity-file)`);
    return undefined;
  }
  return remembered;
}

/** What {@link recordHostKeys} found. */
export interface RecordedHostKeys {
  /** The known_hosts file the keys are in (`~/.hakuriver/known_hosts`). */
  readonly knownHostsFile: string;
  /** Why the VPS's keys are not known (so ssh must trust the first one it sees); undefined when they are recorded. */
  readonly unknownReason?: string;
}

/**
 * Fetches VPS `taskId` (refusing a command task or an ended VPS) and writes
 * its host keys to ~/.hakuriver/known_hosts under its alias, for
 * `ssh-config` and `ssh` alike. Unknown keys still clear the alias's old
 * lines: a key recorded for an earlier VPS of this id would block the login.
 * A warning on stderr says when the key cannot be checked.
 */
export async function recordHostKeys(args: SshConfigArgs, taskId: string, paths: SshPaths = sshPaths()): Promise<RecordedHostKeys> {
  const task = await fetchVps(args, taskId);
  const reason = unknownKeyReason(task);
  writePrivateFile(paths.knownHosts, replaceKnownHosts(readTextOrEmpty(paths.knownHosts), sshAlias(taskId), task.sshHostKeys));
  if (reason !== undefined) console.error(`warning: the host key of VPS ${taskId} is not known (${reason}); ssh trusts it on first use (StrictHostKeyChecking accept-new)`);
  return { knownHostsFile: paths.knownHosts, ...(reason !== undefined ? { unknownReason: reason } : {}) };
}

/**
 * Writes the VPS's host keys to ~/.hakuriver/known_hosts, then prints the
 * block, or with --install puts it in ~/.ssh/config. Returns the exit code.
 */
export async function writeSshConfig(args: SshConfigArgs, taskId: string, proxyCommand: string, hostAddress: string): Promise<number> {
  const paths = sshPaths();
  const { unknownReason: reason } = await recordHostKeys(args, taskId, paths);
  const identity = identityFile(args, hostAddress, taskId, paths);
  const block = renderHostBlock({
    taskId,
    user: args.user ?? "root",
    proxyCommand,
    knownHostsFile: paths.knownHosts,
    ...(reason !== undefined ? { unknownHostKeyReason: reason } : {}),
    ...(identity !== undefined ? { identityFile: identity } : {}),
  });
  return emitHostBlock(args, taskId, block, paths);
}

/** Prints the block, or with --install adds it to (or replaces it in) ~/.ssh/config, saying so. Returns the exit code. */
export function emitHostBlock(args: SshConfigArgs, taskId: string, block: string, paths: SshPaths): number {
  const alias = sshAlias(taskId);
  if (!args.install) {
    process.stdout.write(block);
    return 0;
  }
  if (ensurePrivateDir(paths.sshDir)) console.error(`created ${paths.sshDir} (mode 0700)`);
  const result = upsertHostBlock(readTextOrEmpty(paths.sshConfig), taskId, block);
  if (result.action !== "unchanged") writePrivateFile(paths.sshConfig, result.text);
  for (const line of result.strayHostLines) {
    console.error(`warning: ${paths.sshConfig}:${line} has another "Host ${alias}" outside hakuriver's markers (appended by hand?); ssh takes the first value of each option, so remove that block`);
  }
  console.log(`${result.action === "added" ? "Added" : result.action === "replaced" ? "Replaced" : "Kept (already up to date)"} Host ${alias} in ${paths.sshConfig}; log in with: ssh ${alias}`);
  return 0;
}
