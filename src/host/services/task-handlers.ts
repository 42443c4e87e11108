/**
 * The task RPCs of ClientService: submit, get, list, kill, pause, resume
 * and log following. Each one validates, calls the domain and maps the
 * result; errors become gRPC codes in the interceptor chain.
 */
import type { ServiceImpl } from "@connectrpc/connect";
import type { ClientService, ListTasksRequest } from "../../../gen/hakuriver/v1/client_pb.js";
import { LogStream, TaskKind } from "../../../gen/hakuriver/v1/types_pb.js";
import { invalidArgument } from "../../shared/errors.js";
import { requestedStatusName, STATUS_NAMES, statusEnum } from "../../shared/task-status.js";
import { followLog, type LogFollowDeps } from "../logs/log-follow.js";
import type { TaskFilter } from "../store/task-repo.js";
import { parseTaskId } from "../tasks/ids.js";
import { submit, type SubmitScheduler } from "../tasks/submit.js";
import { planSubmission, type SubmitDefaults } from "../tasks/submit-spec.js";
import type { TaskManager } from "../tasks/task-manager.js";
import { taskToProto } from "./to-proto.js";

/** The task RPCs. */
export type TaskHandlers = Pick<
  ServiceImpl<typeof ClientService>,
  "submitTask" | "getTask" | "listTasks" | "killTask" | "pauseTask" | "resumeTask" | "followLogs"
>;

/** What the task RPCs need. */
export interface TaskHandlerDeps extends LogFollowDeps {
  readonly tasks: TaskManager;
  readonly scheduler: SubmitScheduler;
  readonly defaults: SubmitDefaults;
}

/** Listing at most this many tasks when the request names no limit. */
const DEFAULT_LIST_LIMIT = 200;

/** The repository filter a ListTasks request asks for; INVALID_ARGUMENT for a bad batch id or status. */
export function taskFilterOf(request: ListTasksRequest): TaskFilter {
  let batchId: number | undefined;
  if (request.batchId !== "") {
    batchId = parseTaskId(request.batchId);
    if (batchId === undefined) throw invalidArgument(`"${request.batchId}" is not a batch id`);
  }
  return {
    kind: request.kind === TaskKind.VPS ? "vps" : request.kind === TaskKind.COMMAND ? "command" : undefined,
    batchId,
    statuses: request.statuses.map((value) => {
      const name = requestedStatusName(value);
      if (!name) throw invalidArgument(`${value} is not a task status to list by; valid statuses: ${STATUS_NAMES.map((n) => `${n} (${statusEnum(n)})`).join(", ")}`);
      return name;
    }),
    node: request.node || undefined,
    limit: request.limit > 0 ? request.limit : DEFAULT_LIST_LIMIT,
  };
}

/** Creates the task RPCs over the task manager, scheduler and log store. */
export function taskHandlers(deps: TaskHandlerDeps): TaskHandlers {
  const { tasks, logs } = deps;
  return {
    async submitTask(request) {
      const submitted = await submit(deps, planSubmission(request, deps.defaults));
      return { batchId: String(submitted.batchId), tasks: submitted.tasks.map((t) => taskToProto(t, logs)) };
    },
    async getTask(request) {
      return { task: taskToProto(await tasks.require(request.taskId), logs) };
    },
    async listTasks(request) {
      return { tasks: (await tasks.list(taskFilterOf(request))).map((t) => taskToProto(t, logs)) };
    },
    async killTask(request) {
      return { task: taskToProto(await tasks.kill(request.taskId), logs) };
    },
    async pauseTask(request) {
      return { task: taskToProto(await tasks.pause(request.taskId), logs) };
    },
    async resumeTask(request) {
      return { task: taskToProto(await tasks.resume(request.taskId), logs) };
    },
    async *followLogs(request, ctx) {
      const task = await tasks.require(request.taskId);
      if (request.offset < 0n) throw invalidArgument("offset must be zero or more");
      const stream = request.stream === LogStream.STDERR ? "stderr" : "stdout";
      for await (const event of followLog(deps, { task, stream, offset: Number(request.offset), follow: request.follow, signal: ctx.signal })) {
        if (event.kind === "data") yield { event: { case: "data", value: { offset: BigInt(event.offset), data: event.data } } };
        else yield { event: { case: "end", value: { status: statusEnum(event.status), exitCode: event.exitCode, size: BigInt(event.sizeBytes) } } };
      }
    },
  };
}
