/**
 * `hakuriver vps submit|list|status|kill|pause|resume|connect`: VPS tasks,
 * long-lived containers with sshd that users log into with `hakuriver ssh
 * ID`, or without sshd (`--ssh none`), reached with `hakuriver vps connect ID`.
 */
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import type { Argv } from "yargs";
import { TaskKind, type Task } from "../../../gen/hakuriver/v1/types_pb.js";
import { isFinal, statusName } from "../../shared/task-status.js";
import { UsageError } from "../cli-error.js";
import { privateKeyOf, rememberIdentity } from "../ssh-identities.js";
import { clientContext, type ClientContext, type GlobalArgs } from "../context.js";
import { formatTime, keyValues, statusText, table } from "../render.js";
import { nameText, ownerText, taskDetails, taskStatusCell, tasksJson } from "../task-view.js";
import { batchJson } from "../json-shapes.js";
import { WaitTimeout, waitForTasks } from "../wait-for-tasks.js";
import { gpuCountOption } from "../option-values.js";
import { parseLabelPairs } from "../../shared/task-labels.js";
import { dependencyFields, dependencyOptions, type DependencyArgs } from "../dependency-options.js";
import { vpsLifecycleCommands } from "./vps-lifecycle.js";
import { processExitCode } from "../exit-codes.js";
import { runExec } from "../exec-client.js";
import { actOnTask, nameLabelFilter, nameLabelFilterOptions, namingOptions, ownerFilter, ownerOptions, resourceOptions, type NameLabelFilter, type OwnerFilter } from "./task.js";

interface SubmitArgs extends GlobalArgs, DependencyArgs {
  target?: string[];
  cores?: number;
  memory?: string;
  gpus?: string;
  container?: string;
  privileged?: boolean;
  mount?: string[];
  "time-limit"?: string;
  "public-key-file"?: string;
  "public-key-string"?: string;
  wait?: boolean;
  "wait-timeout"?: number;
  name?: string;
  label?: string[];
  "from-snapshot"?: string;
  ssh?: string;
}

/** The root shell `vps connect` opens: a login bash when the image has one, else sh. */
export const CONNECT_SHELL = ["/bin/sh", "-c", "if [ -x /bin/bash ]; then exec /bin/bash -l; else exec /bin/sh -l; fi"];

/** The line that says how to get into a running VPS: ssh, or (without sshd) vps connect. */
function reachHint(task: Task): string {
  return task.sshPort > 0 ? `hakuriver ssh ${task.taskId}` : `hakuriver vps connect ${task.taskId}`;
}

/** The public key to install: the string, the file, else ~/.ssh/id_ed25519.pub then id_rsa.pub. */
export function readPublicKey(args: { "public-key-file"?: string; "public-key-string"?: string }, home = homedir()): string {
  return publicKeySource(args, home).key;
}

/** The public key to install and the file it came from (none for --public-key-string). */
export function publicKeySource(args: { "public-key-file"?: string; "public-key-string"?: string }, home = homedir()): { key: string; file?: string } {
  if (args["public-key-string"] !== undefined && args["public-key-file"] !== undefined) {
    throw new UsageError("give --public-key-string or --public-key-file, not both");
  }
  if (args["public-key-string"] !== undefined) return { key: args["public-key-string"].trim() };
  const candidates = args["public-key-file"] !== undefined ? [args["public-key-file"]] : [join(home, ".ssh", "id_ed25519.pub"), join(home, ".ssh", "id_rsa.pub")];
  for (const file of candidates) {
    if (existsSync(file)) return { key: readFileSync(file, "utf8").trim(), file };
  }
  if (args["public-key-file"] !== undefined) throw new UsageError(`public key file ${args["public-key-file"]} does not exist`);
  throw new UsageError("no public key found in ~/.ssh/id_ed25519.pub or ~/.ssh/id_rsa.pub: pass --public-key-file or --public-key-string (ssh-keygen -t ed25519 makes one)");
}

/** Waits (over a watch of its batch) until the VPS runs (sshd answers) or ends; returns the task. */
async function waitRunning(ctx: ClientContext, task: Task, timeoutMs: number): Promise<Task> {
  const done = (t: Task) => statusName(t.status) === "running" || isFinal(statusName(t.status));
  const [running] = await waitForTasks(ctx.client, task.batchId, [task.taskId], { done, timeoutMs }).catch((error: unknown) => {
    if (error instanceof WaitTimeout) throw new Error(`VPS ${task.taskId} is not running after ${Math.round(timeoutMs / 1000)} s`, { cause: error });
    throw error;
  });
  return running!;
}

/**
 * Notes the private key beside the public key file sent, for `ssh-config`'s
 * IdentityFile. A failure to note it only loses that line: it is reported,
 * and the submission stands.
 */
function rememberPrivateKey(hostAddress: string, taskId: string, publicKeyFile: string | undefined): void {
  const privateKey = publicKeyFile === undefined ? undefined : privateKeyOf(publicKeyFile);
  if (privateKey === undefined) return;
  try {
    rememberIdentity(hostAddress, taskId, privateKey);
  } catch (error) {
    console.error(`warning: could not note the VPS's private key for ssh-config (${error instanceof Error ? error.message : String(error)}); pass ssh-config --identity-file ${privateKey}`);
  }
}

async function submit(args: SubmitArgs): Promise<number> {
  const targets = args.target ?? [];
  if (targets.length > 1) throw new UsageError("a VPS runs on one target; give at most one --target");
  const sshMode = args.ssh ?? "key";
  if (sshMode !== "key" && sshMode !== "none") throw new UsageError(`--ssh must be key (sshd with your public key) or none (no sshd; hakuriver vps connect), got ${sshMode}`);
  if (sshMode === "none" && (args["public-key-file"] !== undefined || args["public-key-string"] !== undefined)) throw new UsageError("--ssh none starts no sshd and takes no public key: drop --public-key-file/--public-key-string");
  const { key: publicKey, file: publicKeyFile } = sshMode === "none" ? { key: "", file: undefined } : publicKeySource(args);
  if (sshMode === "key" && !publicKey.startsWith("ssh-") && !publicKey.startsWith("ecdsa-") && !publicKey.startsWith("sk-")) {
    console.error("warning: the public key does not look like an OpenSSH public key");
  }
  const ctx = clientContext(args);
  const response = await ctx.client.submitTask({
    kind: TaskKind.VPS,
    publicKey,
    sshMode,
    cores: args.cores ?? 0,
    memory: args.memory ?? "",
    targets,
    container: args.container ?? "",
    privileged: args.privileged,
    mounts: args.mount ?? [],
    timeLimit: args["time-limit"] ?? "",
    gpuCount: gpuCountOption(args.gpus),
    name: args.name ?? "",
    labels: parseLabelPairs(args.label ?? []),
    fromSnapshot: args["from-snapshot"] ?? "",
    ...dependencyFields(args),
  });
  let task = response.tasks[0]!;
  rememberPrivateKey(ctx.hostAddress, task.taskId, publicKeyFile);
  if (args.wait) task = await waitRunning(ctx, task, (args["wait-timeout"] ?? 300) * 1000);
  if (ctx.json) console.log(JSON.stringify(batchJson(response.batchId, [task]), null, 2));
  else {
    console.log(`Submitted VPS task ${task.taskId} (${statusText(task.status)}${task.assignedNode ? ` on ${task.assignedNode}` : ""})`);
    const reach = sshMode === "none" ? `hakuriver vps connect ${task.taskId}` : `hakuriver ssh ${task.taskId}`;
    if (statusName(task.status) === "running") console.log(sshMode === "none" ? `Open a shell with: ${reach}` : `Log in with: ${reach}`);
    else if (!isFinal(statusName(task.status))) console.log(sshMode === "none" ? `It runs once its container started; then: ${reach}` : `It runs once sshd answers; then: ${reach}`);
  }
  if (isFinal(statusName(task.status))) {
    if (!ctx.json) console.error(`VPS ${task.taskId} ended: ${task.message || statusText(task.status)}`);
    return 1;
  }
  return 0;
}

async function list(args: GlobalArgs & OwnerFilter & NameLabelFilter & { all?: boolean }): Promise<number> {
  const owner = ownerFilter(args);
  const naming = nameLabelFilter(args);
  const ctx = clientContext(args);
  const { tasks } = await ctx.client.listTasks({ kind: TaskKind.VPS, ...owner, ...naming });
  const shown = args.all ? tasks : tasks.filter((t) => !isFinal(statusName(t.status)));
  if (ctx.json) console.log(JSON.stringify(tasksJson(shown), null, 2));
  else if (shown.length === 0) console.log(args.all ? "No VPS tasks." : "No active VPS tasks (--all shows ended ones).");
  else {
    console.log(
      table(
        ["ID", "STATUS", "NODE", "OWNER", "NAME", "SSH PORT", "SUBMITTED", "SSH"],
        shown.map((t) => [t.taskId, taskStatusCell(t), t.assignedNode || "-", ownerText(t), nameText(t), t.sshPort > 0 ? String(t.sshPort) : "-", formatTime(t.submittedAt), statusName(t.status) === "stopped" ? `hakuriver vps start ${t.taskId}` : reachHint(t)]),
      ),
    );
  }
  return 0;
}

async function status(args: GlobalArgs & { id: string }): Promise<number> {
  const ctx = clientContext(args);
  const { task } = await ctx.client.getTask({ taskId: String(args.id) });
  if (!task) throw new UsageError("no task returned");
  if (ctx.json) {
    console.log(JSON.stringify(tasksJson([task])[0], null, 2));
    return 0;
  }
  const active = ["running", "paused"].includes(statusName(task.status) ?? "");
  console.log(taskDetails(task));
  console.log(
    keyValues([
      ["SSH port", task.sshPort > 0 ? `${task.sshPort} (on the runner's 127.0.0.1; reached through the Host)` : "-"],
      ["SSH", active ? (task.sshPort > 0 ? `hakuriver ssh ${task.taskId}   (or: hakuriver ssh-config ${task.taskId} --install; ssh hakuriver-${task.taskId})` : `none (no sshd); a root shell: hakuriver vps connect ${task.taskId}`) : statusName(task.status) === "stopped" ? `- (stopped; hakuriver vps start ${task.taskId} brings it back)` : "- (not active)"],
    ]),
  );
  return 0;
}

/** `vps connect ID`: a root login shell in the VPS through exec, on a terminal; exits with the shell's code. */
async function connect(args: GlobalArgs & { id: string }): Promise<number> {
  const ctx = clientContext(args);
  return processExitCode(await runExec(ctx, { taskId: String(args.id), command: CONNECT_SHELL, tty: true, user: "0" }));
}

/** Registers `vps ...` on the root command. */
export function vpsCommands(y: Argv<GlobalArgs>, run: (fn: () => Promise<number>) => Promise<void>): Argv<GlobalArgs> {
  const id = <T>(s: Argv<T>) => s.positional("id", { type: "string", demandOption: true, describe: "VPS task id" });
  return y.command("vps", "submit and manage VPS tasks (containers you log into with ssh)", (v) =>
    // stop, start, restart, snapshot and snapshots live in vps-lifecycle.ts.
    vpsLifecycleCommands(v
      .command(
        "submit",
        "start a VPS: hakuriver vps submit [--target NODE[::GPUS]] [--public-key-file F]",
        (s) =>
          dependencyOptions(namingOptions(resourceOptions(s)))
            .option("public-key-file", { type: "string", describe: "OpenSSH public key file (default ~/.ssh/id_ed25519.pub, then id_rsa.pub)" })
            .option("public-key-string", { type: "string", describe: "the public key itself" })
            .option("from-snapshot", { type: "string", describe: "start from this snapshot's disk (hakuriver vps snapshots lists them)" })
            .option("ssh", { type: "string", choices: ["key", "none"], describe: "key (default): sshd with your public key; none: no sshd, no key, any image (open a shell with hakuriver vps connect)" })
            .option("wait", { type: "boolean", describe: "wait until sshd answers (status running)" })
            .option("wait-timeout", { type: "number", describe: "seconds --wait waits (default 300)" }),
        (a) => run(() => submit(a)),
      )
      .command("list", "list active VPS tasks", (s) => nameLabelFilterOptions(ownerOptions(s)).option("all", { type: "boolean", describe: "include ended ones" }), (a) => run(() => list(a)))
      .command("status <id>", "show a VPS and the ssh command to use", id, (a) => run(() => status(a)))
      .command("connect <id>", "open a root shell in a VPS (through exec: no sshd or key needed)", id, (a) => run(() => connect(a)))
      .command("kill <id>", "stop and remove a VPS", id, (a) => run(() => actOnTask("kill", a, "VPS")))
      .command("pause <id>", "pause a VPS (its sessions freeze)", id, (a) => run(() => actOnTask("pause", a, "VPS")))
      .command("resume <id>", "resume a paused VPS", id, (a) => run(() => actOnTask("resume", a, "VPS"))),
      run,
    ).demandCommand(1, "name a vps command: submit, list, status, connect, kill, pause, resume, stop, start, restart, snapshot or snapshots"),
  );
}
