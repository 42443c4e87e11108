/**
 * VPS stop, start and restart on the Host. A stop asks the VPS's runner to
 * `docker stop` its container and keep it; the VPS is then STOPPED, holds
 * nothing, and stays on its node. A start puts it back in the queue
 * (PENDING, with `startOn` naming the node it must run on, and `startFrom`
 * the snapshot when it moves to another node); the scheduler places it like
 * any task, re-reserving its cores, memory and GPUs, and sends a StartVps
 * instead of a RunTask. Its runner reports RUNNING, or STOPPED again (with
 * the reason) when it could not start it.
 */
import type { Logger } from "pino";
import { DomainError } from "../../shared/errors.js";
import { ErrorReason, RESOURCE_TYPE } from "../../shared/error-reasons.js";
import { isFinal } from "../../shared/task-status.js";
import { killTaskCommand, stopVpsCommand } from "../runners/runner-commands.js";
import type { NodeRegistry } from "../runners/node-registry.js";
import { nodeStateError, neverFitsError, unknownNodeError } from "../scheduling/admission-errors.js";
import { neverFitsReason } from "../scheduling/placement.js";
import { capacityOf, demandOf } from "../scheduling/scheduler.js";
import type { SnapshotRepo } from "../store/snapshot-repo.js";
import { listTarballs } from "../../shared/tarballs.js";
import { nodeUnavailable, statusPrecondition, type TaskManager } from "../tasks/task-manager.js";
import type { TaskRecord } from "../tasks/task-record.js";

/** How long a stop waits for the runner to confirm, by default (ms): `docker stop` grants sshd 10 s. */
export const DEFAULT_STOP_CONFIRM_MS = 30_000;

/** What {@link VpsLifecycle} needs. */
export interface VpsLifecycleDeps {
  readonly tasks: Pick<TaskManager, "require" | "change" | "waitFor">;
  readonly nodes: NodeRegistry;
  readonly snapshots: Pick<SnapshotRepo, "latestOf">;
  /** Places the queued start (a pass), and says when no pass runs. */
  readonly scheduler: { kick(): void; idle(): Promise<void> };
  /** `shared_dir/<container_dir>`, where snapshot tarballs are. */
  readonly tarballDir: string;
  /** How long a stop waits for the runner to confirm (ms); default {@link DEFAULT_STOP_CONFIRM_MS}. */
  readonly stopConfirmMs?: number;
  readonly log: Logger;
}

/** FAILED_PRECONDITION unless the task is a VPS. */
export function requireVpsKind(task: TaskRecord, verb: string): void {
  if (task.kind === "vps") return;
  throw new DomainError("failed_precondition", `task ${task.taskId} is a command task; only a VPS can be ${verb} (hakuriver vps list shows them)`, {
    reason: ErrorReason.NOT_A_VPS,
    metadata: { task_id: String(task.taskId), kind: task.kind },
    resource: { type: RESOURCE_TYPE.task, name: String(task.taskId), owner: task.owner },
    preconditionViolations: [{ type: "TASK_KIND", subject: `task/${task.taskId}`, description: `the task is a command task; ${verb} applies to VPS tasks only` }],
  });
}

/** Stops, starts and restarts VPS tasks. */
export class VpsLifecycle {
  constructor(private readonly deps: VpsLifecycleDeps) {}

  /** The task with this id (of any kind); NOT_FOUND / INVALID_ARGUMENT otherwise. */
  requireTask(taskIdText: string): Promise<TaskRecord> {
    return this.deps.tasks.require(taskIdText);
  }

  /** The VPS with this id, checked to be one (`verb` for the message). */
  async requireVps(taskIdText: string, verb: string): Promise<TaskRecord> {
    const task = await this.deps.tasks.require(taskIdText);
    requireVpsKind(task, verb);
    return task;
  }

  /**
   * Stops a running or paused VPS and waits for its runner to confirm; a
   * VPS whose start is only queued goes back to STOPPED at once.
   */
  async stop(taskIdText: string): Promise<TaskRecord> {
    const { deps } = this;
    const task = await this.requireVps(taskIdText, "stopped");
    const id = task.taskId;
    if (isFinal(task.status)) throw statusPrecondition(task, ErrorReason.TASK_ALREADY_FINISHED, `VPS ${id} is already ${task.status}; nothing to stop`, "only a running or paused VPS can be stopped");
    if (task.status === "stopped") throw statusPrecondition(task, ErrorReason.VPS_ALREADY_STOPPED, `VPS ${id} is already stopped; hakuriver vps start ${id} brings it back`, "it is stopped already");
    if (task.status === "pending" && task.startOn) {
      return (await deps.tasks.change(id, "stopped", { startOn: null, startFrom: "", message: "stopped by user before its start was placed; its disk is kept" }))!;
    }
    if (task.status !== "running" && task.status !== "paused") {
      const what = task.startOn ? "is starting" : "has not started yet";
      throw statusPrecondition(task, ErrorReason.VPS_WRONG_STATUS, `VPS ${id} ${what} (${task.status}); stop it once it runs, or kill it`, "only a running or paused VPS can be stopped");
    }
    const node = task.assignedNode ?? "";
    if (!deps.nodes.send(node, stopVpsCommand(id))) {
      throw nodeUnavailable(node, ErrorReason.NODE_OFFLINE, `node ${node} is offline; stop VPS ${id} when its runner reconnects (or kill it)`);
    }
    const waitMs = deps.stopConfirmMs ?? DEFAULT_STOP_CONFIRM_MS;
    const after = await deps.tasks.waitFor(id, (t) => t.status !== "running" && t.status !== "paused", waitMs);
    if (after.status === "running" || after.status === "paused") {
      throw nodeUnavailable(node, ErrorReason.RUNNER_NOT_CONFIRMED, `the runner on ${node} did not confirm the stop of VPS ${id} within ${Math.round(waitMs / 1000)} s`, waitMs);
    }
    if (after.status !== "stopped") throw statusPrecondition(after, ErrorReason.TASK_STATUS_CHANGED, `VPS ${id} became ${after.status} while it was being stopped`, "it was running when the stop was asked");
    deps.log.info({ taskId: String(id), node }, "VPS stopped");
    return after;
  }

  /**
   * Starts a stopped VPS: on its own node from its kept container, or on
   * `nodeName` from its latest snapshot. Resolves after one scheduling pass
   * (ASSIGNING, or PENDING with a "waiting: ..." message while there is no room).
   */
  async start(taskIdText: string, nodeName = ""): Promise<TaskRecord> {
    const { deps } = this;
    const task = await this.requireVps(taskIdText, "started");
    const id = task.taskId;
    if (isFinal(task.status)) throw statusPrecondition(task, ErrorReason.TASK_ALREADY_FINISHED, `VPS ${id} is already ${task.status}; it cannot be started again (submit a new VPS, or one --from-snapshot)`, "only a stopped VPS can be started");
    if (task.status !== "stopped") {
      const hint = task.status === "running" || task.status === "paused" ? `it is ${task.status}: hakuriver vps restart ${id} restarts it` : `it is ${task.status}: it is starting already`;
      throw statusPrecondition(task, ErrorReason.VPS_WRONG_STATUS, `VPS ${id} is not stopped; ${hint}`, "only a stopped VPS can be started");
    }
    const home = task.assignedNode;
    const node = nodeName.trim() || home;
    if (!node) {
      throw statusPrecondition(task, ErrorReason.VPS_WRONG_STATUS, `VPS ${id} has no node holding its container; start it from its latest snapshot with --node NODE`, "give a node to start it on");
    }
    const moving = node !== home;
    const state = deps.nodes.get(node);
    if (!state) throw unknownNodeError(node, deps.nodes.all().map((n) => n.name));
    const capacity = capacityOf(state, deps.nodes.isOnline(node));
    const elsewhere = moving ? "pick an online node" : `start it when its runner reconnects, or on another node from a snapshot: hakuriver vps start ${id} --node OTHER`;
    if (!capacity.online) throw nodeStateError(capacity, "offline", `node ${node} is offline; ${elsewhere}`);
    if (capacity.drained) throw nodeStateError(capacity, "drained", `node ${node} is drained and takes no new work (hakuriver node undrain ${node})`);
    let startFrom = "";
    if (moving) {
      const latest = await deps.snapshots.latestOf(id);
      if (!latest || listTarballs(deps.tarballDir, latest.name).length === 0) {
        throw new DomainError("not_found", `VPS ${id} has no snapshot to start on ${node} from: take one with hakuriver vps snapshot ${id} (while its node ${home ?? "-"} is online)`, {
          reason: ErrorReason.SNAPSHOT_NOT_FOUND,
          metadata: { task_id: String(id), node },
          resource: { type: RESOURCE_TYPE.snapshot, name: latest?.name ?? `vps-${id}`, description: latest ? "its tarball is gone from the shared dir" : "the VPS has no snapshot" },
        });
      }
      startFrom = latest.name;
    }
    const demand = demandOf({ ...task, startOn: node, startFrom });
    const never = neverFitsReason(capacity, demand);
    if (never) throw neverFitsError(capacity, demand, never, node);
    await deps.tasks.change(id, "pending", { startOn: node, startFrom, message: moving ? `queued: starting on ${node} from snapshot ${startFrom}` : "queued: starting again", ...(moving ? { assignedNode: null } : {}) });
    // Its kept container on the old node is no longer its disk; that node's runner removes it (its report is ignored: the VPS is not assigned there now).
    if (moving && home) deps.nodes.send(home, killTaskCommand(id, `moved to ${node} from snapshot ${startFrom}`));
    deps.scheduler.kick();
    await deps.scheduler.idle();
    return (await this.deps.tasks.require(String(id)));
  }

  /** Stops a running or paused VPS and starts it again on its node; a stopped one is just started. */
  async restart(taskIdText: string): Promise<TaskRecord> {
    const task = await this.requireVps(taskIdText, "restarted");
    if (task.status === "running" || task.status === "paused") await this.stop(taskIdText);
    return this.start(taskIdText);
  }
}
