/**
 * `hakuriver task submit|list|status|kill|pause|resume|resubmit`.
 */
import type { Argv } from "yargs";
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { ListTasksRequestSchema } from "../../../gen/hakuriver/v1/client_pb.js";
import { TaskKind, type Task } from "../../../gen/hakuriver/v1/types_pb.js";
import { parseStatusName, STATUS_NAMES, statusEnum } from "../../shared/task-status.js";
import { UsageError } from "../cli-error.js";
import { clientContext, type ClientContext, type GlobalArgs } from "../context.js";
import { statusText } from "../render.js";
import { taskDetails, taskTable, tasksJson } from "../task-view.js";
import { parseLabelPairs } from "../../shared/task-labels.js";
import { batchJson } from "../json-shapes.js";
import { gpuCountOption, gpuCountValueProblem, memoryValueProblem, timeLimitValueProblem } from "../option-values.js";
import { exitCodeOfTasks, waitForTasks } from "../wait-for-tasks.js";
import { dependencyFields, dependencyOptions, type DependencyArgs } from "../dependency-options.js";

/** Arguments of `task submit`. */
interface SubmitArgs extends GlobalArgs, DependencyArgs {
  target?: string[];
  cores?: number;
  memory?: string;
  gpus?: string;
  env?: string[];
  container?: string;
  privileged?: boolean;
  mount?: string[];
  "time-limit"?: string;
  wait?: boolean;
  queue?: boolean;
  sweep?: boolean;
  name?: string;
  label?: string[];
  command?: string[];
  "--"?: string[];
}

/** Parses repeated `--env K=V` flags. */
export function parseEnvFlags(pairs: readonly string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf("=");
    if (eq <= 0) throw new UsageError(`--env "${pair}" must look like NAME=VALUE`);
    env[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return env;
}

/** The task's argv: after `--`, else the positional words. */
export function commandArgv(args: { command?: string[]; "--"?: string[] }): string[] {
  const argv = [...(args.command ?? []), ...(args["--"] ?? [])].map(String);
  return argv;
}

async function submit(args: SubmitArgs): Promise<number> {
  const ctx = clientContext(args);
  const argv = commandArgv(args);
  const [command = "", ...rest] = argv;
  const response = await ctx.client.submitTask({
    kind: TaskKind.COMMAND,
    command,
    args: rest,
    env: parseEnvFlags(args.env ?? []),
    cores: args.cores ?? 1,
    memory: args.memory ?? "",
    targets: args.target ?? [],
    container: args.container ?? "",
    privileged: args.privileged,
    mounts: args.mount ?? [],
    noQueue: args.queue === false,
    sweep: args.sweep === true,
    timeLimit: args["time-limit"] ?? "",
    gpuCount: gpuCountOption(args.gpus),
    name: args.name ?? "",
    labels: parseLabelPairs(args.label ?? []),
    ...dependencyFields(args),
  });
  const ids = response.tasks.map((t) => t.taskId);
  if (!args.wait) {
    if (ctx.json) console.log(JSON.stringify(batchJson(response.batchId, response.tasks), null, 2));
    else if (response.tasks.length === 1) {
      const task = response.tasks[0]!;
      console.log(`Submitted task ${task.taskId} (${statusText(task.status)}${task.assignedNode ? ` on ${task.assignedNode}` : ""})`);
    } else {
      console.log(`Submitted batch ${response.batchId}: ${ids.length} tasks`);
      console.log(taskTable(response.tasks));
    }
    return 0;
  }
  if (!ctx.json) console.error(response.tasks.length === 1 ? `Submitted task ${ids[0]}; waiting...` : `Submitted batch ${response.batchId} (${ids.length} tasks); waiting...`);
  const finished = await waitForTasks(ctx.client, response.batchId, ids);
  if (ctx.json) console.log(JSON.stringify(batchJson(response.batchId, finished), null, 2));
  else if (finished.length === 1) {
    const task = finished[0]!;
    console.log(`Task ${task.taskId} ${statusText(task.status)} (exit code ${task.exitCode ?? "-"})${task.message ? `: ${task.message}` : ""}`);
  } else console.log(taskTable(finished));
  return exitCodeOfTasks(finished);
}

/** `--mine` and `--user NAME` of the task and VPS lists, as ListTasksRequest fields. */
export interface OwnerFilter {
  mine?: boolean;
  user?: string;
}

/** The owner fields of a ListTasksRequest; refuses both flags at once. */
export function ownerFilter(args: OwnerFilter): { mine: boolean; owner: string } {
  if (args.mine && args.user !== undefined) throw new UsageError("give --mine or --user NAME, not both");
  return { mine: args.mine === true, owner: args.user ?? "" };
}

/** The `--mine` and `--user` options of a list command. */
export function ownerOptions<T>(y: Argv<T>) {
  return y
    .option("mine", { type: "boolean", describe: "only your own tasks" })
    .option("user", { type: "string", describe: "only tasks of this user" });
}

/** `--name GLOB` and `--label KEY=VALUE` of the task and VPS lists. */
export interface NameLabelFilter {
  name?: string;
  label?: string[];
}

/** The name and label fields of a ListTasksRequest (labels checked as the Host checks them). */
export function nameLabelFilter(args: NameLabelFilter): { nameGlob: string; labels: Record<string, string> } {
  return { nameGlob: args.name ?? "", labels: parseLabelPairs(args.label ?? []) };
}

/** The `--name` and `--label` filters of a list command. */
export function nameLabelFilterOptions<T>(y: Argv<T>) {
  return y
    .option("name", { type: "string", describe: "only tasks whose name matches this glob (* any run, ? one character; quote it)" })
    .option("label", { type: "string", array: true, describe: "only tasks with this label KEY=VALUE (repeatable: all must match)" });
}

/** `--name` and `--label` of `task submit` and `vps submit`. */
export function namingOptions<T>(y: Argv<T>) {
  return y
    .option("name", { type: "string", describe: "a name for the task (a sweep's tasks share it); task list --name finds it" })
    .option("label", { type: "string", array: true, describe: "a label KEY=VALUE (repeatable); task list --label finds it" });
}

/** Arguments of `task list`. */
interface ListArgs extends GlobalArgs, OwnerFilter, NameLabelFilter {
  batch?: string;
  status?: string[];
  node?: string;
  limit?: number;
  vps?: boolean;
  watch?: boolean;
}

async function list(args: ListArgs): Promise<number> {
  const owner = ownerFilter(args);
  const naming = nameLabelFilter(args);
  const ctx = clientContext(args);
  const statuses = (args.status ?? []).map((text) => {
    const name = parseStatusName(text);
    if (!name) throw new UsageError(`unknown status "${text}" (${STATUS_NAMES.join(", ")})`);
    return statusEnum(name);
  });
  const filter = { kind: args.vps ? TaskKind.VPS : TaskKind.COMMAND, batchId: args.batch ?? "", statuses, node: args.node ?? "", ...owner, ...naming };
  const limit = args.limit !== undefined && args.limit > 0 ? Math.floor(args.limit) : DEFAULT_LIST_LIMIT;
  if (args.watch) return watchList(ctx, filter, limit);
  const tasks = await listPages(ctx, filter, limit);
  if (ctx.json) console.log(JSON.stringify(tasksJson(tasks), null, 2));
  else console.log(tasks.length === 0 ? "No tasks." : taskTable(tasks));
  return 0;
}

/** Tasks shown when `--limit` is not given. */
const DEFAULT_LIST_LIMIT = 200;

/** Up to `limit` tasks, newest first, page after page (the Host sends at most 1,000 a page). */
async function listPages(ctx: ClientContext, filter: MessageInitShape<typeof ListTasksRequestSchema>, limit: number): Promise<Task[]> {
  const tasks: Task[] = [];
  let pageToken = "";
  do {
    const page = await ctx.client.listTasks({ ...filter, limit: Math.min(1000, limit - tasks.length), pageToken });
    tasks.push(...page.tasks);
    pageToken = page.nextPageToken;
  } while (pageToken !== "" && tasks.length < limit);
  return tasks;
}

/** `task list --watch`, until Ctrl-C (exit 0). */
async function watchList(ctx: ClientContext, filter: MessageInitShape<typeof ListTasksRequestSchema>, limit: number): Promise<number> {
  const { watchTaskList } = await import("../task-list-watch.js");
  const stop = new AbortController();
  const onInterrupt = () => stop.abort();
  process.once("SIGINT", onInterrupt);
  try {
    const output = { json: ctx.json, redraw: process.stdout.isTTY === true && !ctx.json, limit, write: (text: string) => void process.stdout.write(text) };
    await watchTaskList(ctx.client, filter, output, stop.signal);
    return 0;
  } finally {
    process.off("SIGINT", onInterrupt);
    ctx.close();
  }
}

async function status(args: GlobalArgs & { id: string }): Promise<number> {
  const ctx = clientContext(args);
  const { task } = await ctx.client.getTask({ taskId: String(args.id) });
  if (!task) throw new UsageError("no task returned");
  console.log(ctx.json ? JSON.stringify(tasksJson([task])[0], null, 2) : taskDetails(task));
  return 0;
}

/** `task resubmit ID [--new-batch]`: the same spec again as a new task. */
async function resubmit(args: GlobalArgs & { id: string; "new-batch"?: boolean }): Promise<number> {
  const ctx = clientContext(args);
  const { task } = await ctx.client.resubmitTask({ taskId: String(args.id), newBatch: args["new-batch"] === true });
  if (!task) throw new UsageError("no task returned");
  if (ctx.json) console.log(JSON.stringify(batchJson(task.batchId, [task]), null, 2));
  else console.log(`Resubmitted task ${args.id} as task ${task.taskId} in batch ${task.batchId} (${statusText(task.status)}${task.assignedNode ? ` on ${task.assignedNode}` : ""})`);
  return 0;
}

/** What `kill`, `pause` and `resume` do to a task. */
export type TaskAction = "kill" | "pause" | "resume";

/** Kills, pauses or resumes a task (or a VPS: `noun` names it in the output). */
export async function actOnTask(action: TaskAction, args: GlobalArgs & { id: string }, noun = "Task"): Promise<number> {
  const ctx = clientContext(args);
  const taskId = String(args.id);
  const response =
    action === "kill" ? await ctx.client.killTask({ taskId }) : action === "pause" ? await ctx.client.pauseTask({ taskId }) : await ctx.client.resumeTask({ taskId });
  const task = response.task!;
  if (ctx.json) console.log(JSON.stringify(tasksJson([task])[0], null, 2));
  else console.log(`${noun} ${task.taskId} is ${statusText(task.status)}${task.message ? ` (${task.message})` : ""}`);
  return 0;
}

/** Options shared by `task submit` and `vps submit`. */
export function resourceOptions<T>(y: Argv<T>) {
  return y
    .option("target", { type: "string", array: true, describe: "node, node:NUMA, node::GPU[,GPU] or node:NUMA::GPU (repeatable: one task per target)" })
    .option("cores", { type: "number", describe: "CPU cores to reserve (fractions allowed)" })
    .option("memory", { type: "string", describe: "memory limit: 512M, 4G, 1.5G, 256Mi" })
    .option("container", { type: "string", describe: "environment name; NULL runs natively" })
    .option("privileged", { type: "boolean", describe: "run the container privileged" })
    .option("mount", { type: "string", array: true, describe: "extra mount HOST:CONTAINER[:ro] (repeatable)" })
    .option("time-limit", { type: "string", describe: "stop it after this much running time (2h30m, 90s, 1d; paused time does not count): it ends timeout" })
    .option("gpus", { type: "string", describe: "GPUs by count: the Host picks N free GPUs on one node (or on --target NODE); queues until N are free" })
    // Checked here, before the Host is asked, so the message names the flag.
    .check((a) => memoryValueProblem(a.memory) ?? timeLimitValueProblem(a["time-limit"]) ?? gpuCountValueProblem(a.gpus) ?? true);
}

/** Registers `task ...` on the root command. */
export function taskCommands(y: Argv<GlobalArgs>, run: (fn: () => Promise<number>) => Promise<void>): Argv<GlobalArgs> {
  return y.command("task", "submit and manage command tasks", (t) =>
    t
      .command(
        "submit [command..]",
        "submit a command task: hakuriver task submit [options] -- CMD ARGS...",
        (s) =>
          dependencyOptions(namingOptions(resourceOptions(s)))
            .option("env", { type: "string", array: true, describe: "environment variable NAME=VALUE (repeatable)" })
            .option("wait", { type: "boolean", describe: "wait for the task(s) to end and exit with its exit code" })
            .option("queue", { type: "boolean", default: true, describe: "queue when no node has room (--no-queue rejects instead)" })
            .option("sweep", { type: "boolean", describe: "expand span:{a..b} / span:[x,y] arguments into one task per combination" })
            .positional("command", { type: "string", array: true }),
        (a) => run(() => submit(a)),
      )
      .command(
        "list",
        "list tasks, newest first",
        (s) =>
          nameLabelFilterOptions(ownerOptions(s))
            .option("batch", { type: "string", describe: "only tasks of this batch" })
            .option("status", { type: "string", array: true, describe: "only tasks in these statuses" })
            .option("node", { type: "string", describe: "only tasks on this node" })
            .option("limit", { type: "number", describe: "at most this many (default 200)" })
            .option("watch", { type: "boolean", describe: "keep the list live: print it again at every change (one line per change when piped or with --json) until Ctrl-C" }),
        (a) => run(() => list(a)),
      )
      .command("status <id>", "show one task", (s) => s.positional("id", { type: "string", demandOption: true }), (a) => run(() => status(a)))
      .command("kill <id>", "kill a task", (s) => s.positional("id", { type: "string", demandOption: true }), (a) => run(() => actOnTask("kill", a)))
      .command("pause <id>", "pause a running task", (s) => s.positional("id", { type: "string", demandOption: true }), (a) => run(() => actOnTask("pause", a)))
      .command("resume <id>", "resume a paused task", (s) => s.positional("id", { type: "string", demandOption: true }), (a) => run(() => actOnTask("resume", a)))
      .command(
        "resubmit <id>",
        "submit a task's spec again as a new task, in the same batch",
        (s) =>
          s
            .positional("id", { type: "string", demandOption: true })
            .option("new-batch", { type: "boolean", describe: "put the new task in a batch of its own" }),
        (a) => run(() => resubmit(a)),
      )
      .demandCommand(1, "name a task command: submit, list, status, kill, pause, resume or resubmit"),
  );
}
