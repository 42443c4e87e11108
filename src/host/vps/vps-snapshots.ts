/**
 * VPS snapshots on the Host: a SnapshotVps asks the VPS's runner to commit
 * its container and save it as an environment tarball `<name>-<ts>.tar` in
 * shared storage (the runner writes it; every runner can load it as it
 * loads environments). The call waits for the runner's answer (a task event
 * carrying the snapshot's name), then records which VPS the name belongs to.
 */
import { unlinkSync } from "node:fs";
import { join } from "node:path";
import type { Logger } from "pino";
import type { TaskEvent } from "../../../gen/hakuriver/v1/runner_pb.js";
import { checkEnvironmentName } from "../../shared/docker-names.js";
import { DomainError } from "../../shared/errors.js";
import { ErrorReason, RESOURCE_TYPE } from "../../shared/error-reasons.js";
import { listTarballs } from "../../shared/tarballs.js";
import { snapshotVpsCommand } from "../runners/runner-commands.js";
import type { NodeRegistry } from "../runners/node-registry.js";
import type { SnapshotRecord, SnapshotRepo } from "../store/snapshot-repo.js";
import { parseTaskId } from "../tasks/ids.js";
import { nodeUnavailable, statusPrecondition } from "../tasks/task-manager.js";
import type { TaskRecord } from "../tasks/task-record.js";

/** How long a snapshot may take by default (ms): a commit and a save of a few GB. */
export const DEFAULT_SNAPSHOT_TIMEOUT_MS = 15 * 60_000;

/** What {@link VpsSnapshots} needs. */
export interface VpsSnapshotsDeps {
  readonly nodes: NodeRegistry;
  readonly repo: SnapshotRepo;
  /** `shared_dir/<container_dir>`, where the tarballs are. */
  readonly tarballDir: string;
  readonly now: () => number;
  /** How long a snapshot may take (ms); default {@link DEFAULT_SNAPSHOT_TIMEOUT_MS}. */
  readonly timeoutMs?: number;
  readonly log: Logger;
}

/** A snapshot being taken: who asked, and how to answer. */
interface InFlight {
  readonly taskId: number;
  readonly node: string;
  readonly done: (event: TaskEvent) => void;
}

/** The NOT_FOUND of an unknown snapshot name. */
export function snapshotNotFound(name: string): DomainError {
  return new DomainError("not_found", `no snapshot is named "${name}" (hakuriver vps snapshots lists them)`, {
    reason: ErrorReason.SNAPSHOT_NOT_FOUND,
    metadata: { snapshot: name },
    resource: { type: RESOURCE_TYPE.snapshot, name, description: "no snapshot has this name (ListSnapshots shows them)" },
  });
}

/** Takes, lists and deletes snapshots. */
export class VpsSnapshots {
  private readonly inFlight = new Map<string, InFlight>();

  constructor(private readonly deps: VpsSnapshotsDeps) {}

  /** The snapshot of this name; NOT_FOUND when there is none. */
  async require(name: string): Promise<SnapshotRecord> {
    const found = await this.deps.repo.get(name.trim());
    if (!found) throw snapshotNotFound(name.trim());
    return found;
  }

  /** Snapshots, newest first; of one VPS when `taskIdText` is not empty. */
  async list(taskIdText = ""): Promise<SnapshotRecord[]> {
    if (taskIdText.trim() === "") return this.deps.repo.list();
    const taskId = parseTaskId(taskIdText.trim());
    if (taskId === undefined) throw new DomainError("invalid_argument", `"${taskIdText}" is not a task id (task ids are decimal numbers)`, { reason: ErrorReason.INVALID_TASK_ID, fieldViolations: [{ field: "task_id", description: "a decimal task id" }] });
    return this.deps.repo.list(taskId);
  }

  /** Takes a snapshot of `task` (a VPS, checked by the caller) named `name` ("" = `vps-<id>`); waits for the tarball. */
  async take(task: TaskRecord, name: string): Promise<SnapshotRecord> {
    const { deps } = this;
    const id = task.taskId;
    if (task.status !== "running" && task.status !== "paused" && task.status !== "stopped") {
      throw statusPrecondition(task, ErrorReason.VPS_WRONG_STATUS, `VPS ${id} is ${task.status}; only a running, paused or stopped VPS has a disk to snapshot`, "it must be running, paused or stopped");
    }
    const snapshot = name.trim() || `vps-${id}`;
    try {
      checkEnvironmentName(snapshot);
    } catch (error) {
      if (error instanceof DomainError) throw new DomainError("invalid_argument", `snapshot name: ${error.message}`, { reason: ErrorReason.INVALID_FIELD, fieldViolations: [{ field: "name", description: error.message }] });
      throw error;
    }
    const existing = await deps.repo.get(snapshot);
    if (existing && existing.taskId !== id) throw nameTaken(snapshot, `it is the snapshot of VPS ${existing.taskId}`);
    if (!existing && listTarballs(deps.tarballDir, snapshot).length > 0) throw nameTaken(snapshot, "an environment has that name");
    if (this.inFlight.has(snapshot)) throw nameTaken(snapshot, "a snapshot of that name is being taken now");
    const node = task.assignedNode ?? "";
    const answer = new Promise<TaskEvent>((resolve) => this.inFlight.set(snapshot, { taskId: id, node, done: resolve }));
    let timer: NodeJS.Timeout | undefined;
    try {
      if (!deps.nodes.send(node, snapshotVpsCommand(id, snapshot))) {
        throw nodeUnavailable(node, ErrorReason.NODE_OFFLINE, `node ${node || "-"} is offline; snapshot VPS ${id} when its runner reconnects`);
      }
      const timeoutMs = deps.timeoutMs ?? DEFAULT_SNAPSHOT_TIMEOUT_MS;
      const timedOut = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), timeoutMs)));
      const event = await Promise.race([answer, timedOut]);
      if (!event) throw snapshotFailed(node, `the runner on ${node} did not finish snapshot ${snapshot} within ${Math.round(timeoutMs / 1000)} s`);
      if (event.snapshotError !== "") throw snapshotFailed(node, `the runner on ${node} could not snapshot VPS ${id}: ${event.snapshotError}`);
      const record: SnapshotRecord = { name: snapshot, taskId: id, node, owner: task.owner, tarball: event.snapshotTarball, sizeBytes: Number(event.snapshotSizeBytes), createdAt: deps.now() };
      await deps.repo.put(record);
      deps.log.info({ taskId: String(id), node, snapshot, tarball: record.tarball, sizeBytes: record.sizeBytes }, "VPS snapshot saved");
      return record;
    } finally {
      clearTimeout(timer);
      this.inFlight.delete(snapshot);
    }
  }

  /** A runner's answer to a SnapshotVps (ignored, and logged, unless it answers one in flight from that node). */
  reported(node: string, event: TaskEvent): void {
    const waiting = this.inFlight.get(event.snapshotName);
    if (!waiting || waiting.node !== node || String(waiting.taskId) !== event.taskId) {
      this.deps.log.warn({ node, taskId: event.taskId, snapshot: event.snapshotName }, "a snapshot report nobody waits for");
      return;
    }
    waiting.done(event);
  }

  /** Deletes a snapshot's tarballs and its record (the caller checked who may). */
  async delete(record: SnapshotRecord): Promise<void> {
    for (const tarball of listTarballs(this.deps.tarballDir, record.name)) {
      try {
        unlinkSync(join(this.deps.tarballDir, tarball.file));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      }
    }
    await this.deps.repo.delete(record.name);
  }
}

function nameTaken(name: string, why: string): DomainError {
  return new DomainError("already_exists", `the snapshot name "${name}" is taken: ${why}; pick another with --name`, {
    reason: ErrorReason.SNAPSHOT_NAME_TAKEN,
    metadata: { snapshot: name },
    resource: { type: RESOURCE_TYPE.snapshot, name, description: why },
  });
}

function snapshotFailed(node: string, message: string): DomainError {
  return new DomainError("unavailable", message, { reason: ErrorReason.SNAPSHOT_FAILED, metadata: { node }, resource: { type: RESOURCE_TYPE.node, name: node } });
}
