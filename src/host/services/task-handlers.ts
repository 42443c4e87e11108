/**
 * The task RPCs of ClientService: submit, resubmit, get, list, kill,
 * pause, resume and log following. Each one validates, calls the domain and maps the
 * result; errors become gRPC codes in the interceptor chain.
 */
import { timestampFromMs, timestampMs } from "@bufbuild/protobuf/wkt";
import type { ServiceImpl } from "@connectrpc/connect";
import type { ClientService, ListTasksRequest } from "../../../gen/hakuriver/v1/client_pb.js";
import { LogStream, TaskKind } from "../../../gen/hakuriver/v1/types_pb.js";
import { badField } from "../../shared/errors.js";
import { ErrorReason } from "../../shared/error-reasons.js";
import { requestedStatusName, STATUS_NAMES, statusEnum } from "../../shared/task-status.js";
import { followLog, type LogFollowDeps } from "../logs/log-follow.js";
import type { TaskFilter } from "../store/task-repo.js";
import { parseTaskId } from "../tasks/ids.js";
import { checkLabels, checkNameGlob } from "../../shared/task-labels.js";
import { resubmitRequestOf } from "../tasks/resubmit.js";
import { submit, type SubmitScheduler } from "../tasks/submit.js";
import { pageSizeOf, taskPage } from "../tasks/task-pages.js";
import { planSubmission, type SubmitDefaults } from "../tasks/submit-spec.js";
import type { TaskManager } from "../tasks/task-manager.js";
import type { SubmitDeps } from "../tasks/submit.js";
import { taskToProto } from "./to-proto.js";
import { requireMayActOn, requireMaySubmit } from "../auth/ownership.js";
import { callingUser, type UserPrincipal } from "../auth/principal.js";

/** The task RPCs. */
export type TaskHandlers = Pick<
  ServiceImpl<typeof ClientService>,
  "submitTask" | "resubmitTask" | "getTask" | "listTasks" | "killTask" | "pauseTask" | "resumeTask" | "followLogs"
>;

/** What the task RPCs need. */
export interface TaskHandlerDeps extends Omit<LogFollowDeps, "repo"> {
  /** Reads tasks (logs, submit's answer) and what dependencies name (batches, their open edges). */
  readonly repo: LogFollowDeps["repo"] & SubmitDeps["repo"];
  readonly tasks: TaskManager;
  readonly scheduler: SubmitScheduler;
  readonly defaults: SubmitDefaults;
  /** Host paths any user may mount (auth.mount_allow_list); other extra mounts need admin. */
  readonly mountAllowList: readonly string[];
  /** Decides tasks submitted with after / after_ok. */
  readonly dependencies: SubmitDeps["dependencies"];
}

/**
 * The repository filter a ListTasks request asks for, without its limit
 * (a page's size, or a watch's snapshot); INVALID_ARGUMENT for a bad batch
 * id, status, name glob or label key.
 */
export function taskFilterOf(request: ListTasksRequest, caller?: UserPrincipal): TaskFilter {
  let batchId: number | undefined;
  if (request.batchId !== "") {
    batchId = parseTaskId(request.batchId);
    if (batchId === undefined) throw badField("batch_id", ErrorReason.INVALID_FIELD, `"${request.batchId}" is not a batch id`, "a batch id is a decimal number, as SubmitTask gives it");
  }
  return {
    kind: request.kind === TaskKind.VPS ? "vps" : request.kind === TaskKind.COMMAND ? "command" : undefined,
    batchId,
    statuses: request.statuses.map((value) => {
      const name = requestedStatusName(value);
      if (!name) {
        const valid = STATUS_NAMES.map((n) => `${n} (${statusEnum(n)})`).join(", ");
        throw badField("statuses", ErrorReason.INVALID_FIELD, `${value} is not a task status to list by; valid statuses: ${valid}`, `valid statuses: ${valid}`);
      }
      return name;
    }),
    node: request.node || undefined,
    owner: request.mine ? (caller?.user ?? "") : request.owner.trim() || undefined,
    nameGlob: request.nameGlob === "" ? undefined : checkNameGlob(request.nameGlob),
    labels: labelFilterOf(request.labels),
  };
}

/** The labels a list asks for, checked; undefined for none. */
function labelFilterOf(labels: Readonly<Record<string, string>>): Readonly<Record<string, string>> | undefined {
  if (Object.keys(labels).length === 0) return undefined;
  checkLabels(labels);
  return { ...labels };
}

/** Creates the task RPCs over the task manager, scheduler and log store. */
export function taskHandlers(deps: TaskHandlerDeps): TaskHandlers {
  const { tasks, logs } = deps;
  const act = async (taskIdText: string, caller: UserPrincipal, verb: string) => requireMayActOn(caller, await tasks.require(taskIdText), verb);
  return {
    async submitTask(request, ctx) {
      const caller = callingUser(ctx);
      const plan = planSubmission(request, deps.defaults);
      requireMaySubmit(caller, { privileged: request.privileged === true, mounts: request.mounts }, deps.mountAllowList);
      const submitted = await submit(deps, plan, caller.user);
      return { batchId: String(submitted.batchId), tasks: submitted.tasks.map((t) => taskToProto(t, logs)) };
    },
    async resubmitTask(request, ctx) {
      const caller = callingUser(ctx);
      const original = await tasks.require(request.taskId);
      requireMayActOn(caller, original, "resubmit");
      const again = resubmitRequestOf(original, deps.defaults);
      const plan = planSubmission(again, deps.defaults);
      requireMaySubmit(caller, { privileged: again.privileged === true, mounts: again.mounts }, deps.mountAllowList);
      const submitted = await submit(deps, plan, caller.user, request.newBatch ? undefined : original.batchId);
      return { task: taskToProto(submitted.tasks[0]!, logs) };
    },
    async getTask(request) {
      return { task: taskToProto(await tasks.require(request.taskId), logs) };
    },
    async listTasks(request, ctx) {
      const page = await taskPage((filter) => tasks.list(filter), taskFilterOf(request, callingUser(ctx)), pageSizeOf(request.limit), request.pageToken);
      return { tasks: page.tasks.map((t) => taskToProto(t, logs)), nextPageToken: page.nextPageToken };
    },
    async killTask(request, ctx) {
      await act(request.taskId, callingUser(ctx), "kill");
      return { task: taskToProto(await tasks.kill(request.taskId), logs) };
    },
    async pauseTask(request, ctx) {
      await act(request.taskId, callingUser(ctx), "pause");
      return { task: taskToProto(await tasks.pause(request.taskId), logs) };
    },
    async resumeTask(request, ctx) {
      await act(request.taskId, callingUser(ctx), "resume");
      return { task: taskToProto(await tasks.resume(request.taskId), logs) };
    },
    async *followLogs(request, ctx) {
      const task = await tasks.require(request.taskId);
      if (request.offset < 0n) throw badField("offset", ErrorReason.INVALID_FIELD, "offset must be zero or more");
      if (request.tailLines < 0) throw badField("tail_lines", ErrorReason.INVALID_FIELD, `tail_lines must be zero (no tail) or more, got ${request.tailLines}`);
      const stream = request.stream === LogStream.STDERR ? "stderr" : "stdout";
      const follow = {
        task,
        stream,
        offset: Number(request.offset),
        follow: request.follow,
        tailLines: request.tailLines,
        sinceMs: request.since ? timestampMs(request.since) : undefined,
        timestamps: request.timestamps,
        signal: ctx.signal,
      } as const;
      for await (const event of followLog(deps, follow)) {
        if (event.kind === "data") {
          const receivedAt = event.receivedAtMs === undefined ? undefined : timestampFromMs(event.receivedAtMs);
          yield { event: { case: "data", value: { offset: BigInt(event.offset), data: event.data, receivedAt } } };
        } else yield { event: { case: "end", value: { status: statusEnum(event.status), exitCode: event.exitCode, size: BigInt(event.sizeBytes) } } };
      }
    },
  };
}
