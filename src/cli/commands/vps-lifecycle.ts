/**
 * `hakuriver vps stop|start|restart|snapshot|snapshots`: a VPS's container
 * stopped and kept (its cores, memory and GPUs free), started again on its
 * node or, from a snapshot, on another; snapshots saved to shared storage.
 */
import type { Argv } from "yargs";
import type { Task } from "../../../gen/hakuriver/v1/types_pb.js";
import { SnapshotSchema, type Snapshot } from "../../../gen/hakuriver/v1/vps_lifecycle_pb.js";
import { isFinal, statusName } from "../../shared/task-status.js";
import { formatBytes } from "../../shared/units.js";
import { clientContext, type ClientContext, type GlobalArgs } from "../context.js";
import { messageJson, taskJson } from "../json-shapes.js";
import { formatTime, statusText, table } from "../render.js";
import { WaitTimeout, waitForTasks } from "../wait-for-tasks.js";

type Run = (fn: () => Promise<number>) => Promise<void>;

interface StartArgs extends GlobalArgs {
  id: string;
  node?: string;
  wait?: boolean;
  "wait-timeout"?: number;
}

/** The `waiting: ...` reason of a VPS whose start is queued, if that is where it is. */
function queuedReason(task: Task): string | undefined {
  return statusName(task.status) === "pending" ? task.message || "queued" : undefined;
}

/**
 * Follows a VPS whose start was placed until it runs; a start its runner
 * could not carry out leaves it stopped, which is an error (its message says why).
 */
async function untilRunning(ctx: ClientContext, task: Task, timeoutMs: number): Promise<Task> {
  const done = (t: Task) => {
    const status = statusName(t.status);
    return status === "running" || status === "stopped" || isFinal(status) || (status === "pending" && t.message.startsWith("waiting:"));
  };
  const [latest] = await waitForTasks(ctx.client, task.batchId, [task.taskId], { done, timeoutMs }).catch((error: unknown) => {
    if (error instanceof WaitTimeout) throw new Error(`VPS ${task.taskId} is not running after ${Math.round(timeoutMs / 1000)} s (hakuriver vps status ${task.taskId} shows where it is)`, { cause: error });
    throw error;
  });
  return latest!;
}

/** Prints where a started VPS is; returns the exit code (1 unless it runs or is queued). */
function reportStart(ctx: ClientContext, task: Task): number {
  const status = statusName(task.status);
  if (ctx.json) console.log(JSON.stringify(taskJson(task), null, 2));
  else if (status === "running") console.log(`VPS ${task.taskId} is running on ${task.assignedNode}; log in with: hakuriver ssh ${task.taskId}`);
  else if (queuedReason(task)) console.log(`VPS ${task.taskId} is queued to start: ${queuedReason(task)}`);
  else if (status === "assigning") console.log(`VPS ${task.taskId} is starting on ${task.assignedNode}`);
  if (status === "running" || status === "pending" || status === "assigning") return 0;
  console.error(`VPS ${task.taskId} did not start: ${task.message || statusText(task.status)}`);
  return 1;
}

async function start(args: StartArgs): Promise<number> {
  const ctx = clientContext(args);
  const { task } = await ctx.client.startVps({ taskId: String(args.id), node: args.node ?? "" });
  return follow(ctx, task!, args);
}

async function restart(args: StartArgs): Promise<number> {
  const ctx = clientContext(args);
  const { task } = await ctx.client.restartVps({ taskId: String(args.id) });
  return follow(ctx, task!, args);
}

async function follow(ctx: ClientContext, task: Task, args: StartArgs): Promise<number> {
  const placed = statusName(task.status) === "assigning" && args.wait !== false;
  return reportStart(ctx, placed ? await untilRunning(ctx, task, (args["wait-timeout"] ?? 300) * 1000) : task);
}

async function stop(args: GlobalArgs & { id: string }): Promise<number> {
  const ctx = clientContext(args);
  const { task } = await ctx.client.stopVps({ taskId: String(args.id) });
  if (ctx.json) console.log(JSON.stringify(taskJson(task!), null, 2));
  else console.log(`VPS ${task!.taskId} is stopped on ${task!.assignedNode || "-"}: its cores, memory and GPUs are free, its disk is kept (hakuriver vps start ${task!.taskId} brings it back)`);
  return 0;
}

function snapshotRow(s: Snapshot): string[] {
  return [s.name, s.taskId, s.node, formatBytes(Number(s.sizeBytes)), formatTime(s.createdAt), s.tarball];
}

/** `vps snapshot ID [--name N]`, or `vps snapshot delete NAME`. */
async function snapshot(args: GlobalArgs & { id: string; name?: string; target?: string }): Promise<number> {
  const ctx = clientContext(args);
  if (String(args.id) === "delete") {
    const name = args.target ?? args.name ?? "";
    if (name === "") throw new Error("name the snapshot to delete: hakuriver vps snapshot delete NAME");
    const { snapshot: deleted } = await ctx.client.deleteSnapshot({ name });
    if (ctx.json) console.log(JSON.stringify(messageJson(SnapshotSchema, deleted!), null, 2));
    else console.log(`Deleted snapshot ${deleted!.name} (${deleted!.tarball})`);
    return 0;
  }
  if (!ctx.json) console.error(`Saving a snapshot of VPS ${args.id} (docker commit, then a tarball in shared storage)...`);
  const { snapshot: saved } = await ctx.client.snapshotVps({ taskId: String(args.id), name: args.name ?? args.target ?? "" });
  if (ctx.json) console.log(JSON.stringify(messageJson(SnapshotSchema, saved!), null, 2));
  else console.log(`Saved snapshot ${saved!.name} of VPS ${saved!.taskId} (${saved!.tarball}, ${formatBytes(Number(saved!.sizeBytes))}); start it elsewhere with: hakuriver vps start ${saved!.taskId} --node NODE, or a new VPS with: hakuriver vps submit --from-snapshot ${saved!.name}`);
  return 0;
}

async function snapshots(args: GlobalArgs & { vps?: string }): Promise<number> {
  const ctx = clientContext(args);
  const { snapshots: found } = await ctx.client.listSnapshots({ taskId: args.vps ?? "" });
  if (ctx.json) console.log(JSON.stringify(found.map((s) => messageJson(SnapshotSchema, s)), null, 2));
  else if (found.length === 0) console.log("No snapshots (hakuriver vps snapshot ID takes one).");
  else console.log(table(["NAME", "VPS", "NODE", "SIZE", "TAKEN", "TARBALL"], found.map(snapshotRow)));
  return 0;
}

/** Registers the lifecycle commands under `vps`. */
export function vpsLifecycleCommands<T extends GlobalArgs>(v: Argv<T>, run: Run): Argv<T> {
  const id = <U>(s: Argv<U>) => s.positional("id", { type: "string", demandOption: true, describe: "VPS task id" });
  const waitOptions = <U>(s: Argv<U>) =>
    s
      .option("wait", { type: "boolean", default: true, describe: "wait until it runs (sshd answers); --no-wait returns once it is placed" })
      .option("wait-timeout", { type: "number", describe: "seconds to wait (default 300)" });
  return v
    .command("stop <id>", "stop a VPS and keep its disk; its cores, memory and GPUs are freed", id, (a) => run(() => stop(a as GlobalArgs & { id: string })))
    .command(
      "start <id>",
      "start a stopped VPS again (queued while its node has no room); --node OTHER starts it there from its latest snapshot",
      (s) => waitOptions(id(s)).option("node", { type: "string", describe: "another node: start there from the VPS's latest snapshot" }),
      (a) => run(() => start(a as unknown as StartArgs)),
    )
    .command("restart <id>", "stop a VPS and start it again on its node", (s) => waitOptions(id(s)), (a) => run(() => restart(a as unknown as StartArgs)))
    .command(
      "snapshot <id> [target]",
      "save a VPS's disk as a snapshot in shared storage (vps snapshot ID [--name N]); vps snapshot delete NAME removes one",
      (s) =>
        s
          .positional("id", { type: "string", demandOption: true, describe: "VPS task id, or the word delete" })
          .positional("target", { type: "string", describe: "with delete: the snapshot's name" })
          .option("name", { type: "string", describe: "the snapshot's name (default vps-ID); lowercase letters, digits, . _ -" }),
      (a) => run(() => snapshot(a as unknown as GlobalArgs & { id: string; name?: string; target?: string })),
    )
    .command(
      "snapshots",
      "list VPS snapshots, newest first",
      (s) => s.option("vps", { type: "string", describe: "only snapshots of this VPS (task id)" }),
      (a) => run(() => snapshots(a as unknown as GlobalArgs & { vps?: string })),
    );
}
