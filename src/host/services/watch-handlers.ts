/**
 * The Watch RPC of ClientService: validates the request, runs the watch
 * (src/host/watch/watch-stream.ts) and maps each batch to the wire.
 */
import { create } from "@bufbuild/protobuf";
import type { ServiceImpl } from "@connectrpc/connect";
import { type ClientService, ListTasksRequestSchema, type WatchRequest } from "../../../gen/hakuriver/v1/client_pb.js";
import { badField } from "../../shared/errors.js";
import { ErrorReason } from "../../shared/error-reasons.js";
import { callingUser, type UserPrincipal } from "../auth/principal.js";
import type { LogStore } from "../logs/log-store.js";
import { watchStream, type WatchDeps, type WatchPlan } from "../watch/watch-stream.js";
import { taskFilterOf } from "./task-handlers.js";
import { nodeToProto, taskToProto } from "./to-proto.js";

/** The watch RPC. */
export type WatchHandlers = Pick<ServiceImpl<typeof ClientService>, "watch">;

/** What the watch RPC needs. */
export interface WatchHandlerDeps {
  readonly watch: WatchDeps;
  /** Output sizes of the tasks it sends. */
  readonly logs: LogStore;
}

/** Snapshot tasks when the filter's limit is 0. */
export const DEFAULT_WATCH_SNAPSHOT_TASKS = 1_000;
/** The most snapshot tasks a watch may ask for. */
export const MAX_WATCH_SNAPSHOT_TASKS = 100_000;

/** The plan of a Watch request; INVALID_ARGUMENT for a bad filter or a limit out of range. */
export function watchPlanOf(request: WatchRequest, caller: UserPrincipal): WatchPlan {
  const filterRequest = request.taskFilter ?? create(ListTasksRequestSchema);
  const { limit } = filterRequest;
  if (limit < 0 || limit > MAX_WATCH_SNAPSHOT_TASKS) {
    const range = `1 to ${MAX_WATCH_SNAPSHOT_TASKS.toLocaleString("en")} tasks (0 = ${DEFAULT_WATCH_SNAPSHOT_TASKS.toLocaleString("en")})`;
    throw badField("task_filter.limit", ErrorReason.INVALID_FIELD, `task_filter.limit ${limit} is out of range: a watch's snapshot holds ${range}; page through older tasks with ListTasks`, range);
  }
  const both = !request.tasks && !request.nodes;
  return {
    filter: { ...taskFilterOf(filterRequest, caller), limit: limit === 0 ? DEFAULT_WATCH_SNAPSHOT_TASKS : limit },
    tasks: both || request.tasks,
    nodes: both || request.nodes,
  };
}

/** Creates the watch RPC over the Host's change feed. */
export function watchHandlers(deps: WatchHandlerDeps): WatchHandlers {
  return {
    async *watch(request, ctx) {
      const plan = watchPlanOf(request, callingUser(ctx));
      for await (const batch of watchStream(deps.watch, plan, ctx.signal)) {
        yield {
          snapshot: batch.snapshot,
          snapshotComplete: batch.snapshotComplete,
          tasks: batch.tasks.map((t) => taskToProto(t, deps.logs)),
          removedTaskIds: batch.removedTaskIds.map(String),
          nodes: batch.nodes.map((n) => nodeToProto(n.node, n.status, n.holdings)),
        };
      }
    },
  };
}
