/**
 * The VPS lifecycle RPCs of ClientService: stop, start, restart, snapshot,
 * list and delete snapshots, and SubmitTask's `from_snapshot`. Each one
 * validates, checks ownership, calls the domain and maps the result.
 */
import type { MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import type { HandlerContext, ServiceImpl } from "@connectrpc/connect";
import type { ClientService, SubmitTaskRequest } from "../../../gen/hakuriver/v1/client_pb.js";
import { TaskKind } from "../../../gen/hakuriver/v1/types_pb.js";
import type { SnapshotSchema } from "../../../gen/hakuriver/v1/vps_lifecycle_pb.js";
import { badField } from "../../shared/errors.js";
import { ErrorReason } from "../../shared/error-reasons.js";
import { requireMayActOn } from "../auth/ownership.js";
import { callingUser } from "../auth/principal.js";
import type { LogStore } from "../logs/log-store.js";
import type { SnapshotRecord } from "../store/snapshot-repo.js";
import { requireVpsKind, type VpsLifecycle } from "../vps/vps-lifecycle.js";
import type { VpsSnapshots } from "../vps/vps-snapshots.js";
import { taskToProto } from "./to-proto.js";

/** The VPS lifecycle RPCs. */
export type VpsLifecycleHandlers = Pick<ServiceImpl<typeof ClientService>, "stopVps" | "startVps" | "restartVps" | "snapshotVps" | "listSnapshots" | "deleteSnapshot">;

/** What the VPS lifecycle RPCs need. */
export interface VpsLifecycleHandlerDeps {
  readonly lifecycle: VpsLifecycle;
  readonly snapshots: VpsSnapshots;
  readonly logs: LogStore;
}

/** A snapshot as the client service returns it. */
export function snapshotToProto(record: SnapshotRecord): MessageInitShape<typeof SnapshotSchema> {
  return {
    name: record.name,
    taskId: String(record.taskId),
    node: record.node,
    owner: record.owner,
    tarball: record.tarball,
    sizeBytes: BigInt(record.sizeBytes),
    createdAt: timestampFromMs(record.createdAt),
  };
}

/** Creates the VPS lifecycle RPCs. */
export function vpsLifecycleHandlers(deps: VpsLifecycleHandlerDeps): VpsLifecycleHandlers {
  const { lifecycle, snapshots, logs } = deps;
  /** The VPS, once the caller may `verb` it (`done`: the verb's participle, for messages); the owner is checked before the kind. */
  const own = async (taskIdText: string, ctx: HandlerContext, verb: string, done: string) => {
    const task = await lifecycle.requireTask(taskIdText);
    requireMayActOn(callingUser(ctx), task, verb);
    requireVpsKind(task, done);
    return task;
  };
  return {
    async stopVps(request, ctx) {
      await own(request.taskId, ctx, "stop", "stopped");
      return { task: taskToProto(await lifecycle.stop(request.taskId), logs) };
    },
    async startVps(request, ctx) {
      await own(request.taskId, ctx, "start", "started");
      return { task: taskToProto(await lifecycle.start(request.taskId, request.node), logs) };
    },
    async restartVps(request, ctx) {
      await own(request.taskId, ctx, "restart", "restarted");
      return { task: taskToProto(await lifecycle.restart(request.taskId), logs) };
    },
    async snapshotVps(request, ctx) {
      const task = await own(request.taskId, ctx, "snapshot", "snapshotted");
      return { snapshot: snapshotToProto(await snapshots.take(task, request.name)) };
    },
    async listSnapshots(request) {
      return { snapshots: (await snapshots.list(request.taskId)).map(snapshotToProto) };
    },
    async deleteSnapshot(request, ctx) {
      const record = await snapshots.require(request.name);
      requireMayActOn(callingUser(ctx), { taskId: record.taskId, owner: record.owner, kind: "vps" }, "delete the snapshots of");
      await snapshots.delete(record);
      return { snapshot: snapshotToProto(record) };
    },
  };
}

/**
 * SubmitTask with `from_snapshot`: the VPS's container is the snapshot's
 * environment (the caller must own the snapshot, or be an operator);
 * requests without it pass through untouched.
 */
export function submitFromSnapshot(
  submitTask: ServiceImpl<typeof ClientService>["submitTask"],
  snapshots: VpsSnapshots,
): ServiceImpl<typeof ClientService>["submitTask"] {
  return async (request: SubmitTaskRequest, ctx: HandlerContext) => {
    const name = request.fromSnapshot.trim();
    if (name === "") return submitTask(request, ctx);
    if (request.kind !== TaskKind.VPS) throw badField("from_snapshot", ErrorReason.INVALID_FIELD, "from_snapshot is for VPS tasks only (vps submit --from-snapshot NAME)");
    const record = await snapshots.require(name);
    requireMayActOn(callingUser(ctx), { taskId: record.taskId, owner: record.owner, kind: "vps" }, "start a VPS from the snapshots of");
    return submitTask({ ...request, container: record.name, fromSnapshot: "" }, ctx);
  };
}
