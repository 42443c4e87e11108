/**
 * Task domain operations: submit, kill, pause, resume, and applying what
 * runners report. Every status change goes through `change`, which applies
 * the transition function, commits the row and announces the change.
 */
import type { Logger } from "pino";
import { DomainError, badField, failedPrecondition, notFound } from "../../shared/errors.js";
import { ErrorReason, RESOURCE_TYPE } from "../../shared/error-reasons.js";
import { SerialQueue } from "../../shared/serial-queue.js";
import { ACTIVE_STATUSES, isFinal, type TaskStatusName } from "../../shared/task-status.js";
import type { TaskFilter, TaskRepo } from "../store/task-repo.js";
import type { NodeRegistry } from "../runners/node-registry.js";
import { killTaskCommand, pauseTaskCommand, resumeTaskCommand } from "../runners/runner-commands.js";
import { parseTaskId, type IdGenerator } from "./ids.js";
import { transition } from "../../shared/status-machine.js";
import type { TaskEvents } from "./task-events.js";
import type { TaskRecord } from "./task-record.js";
import type { TaskSpecInput } from "./submit-spec.js";
import { waitingMessage } from "./dependencies.js";

/** Fields a status change may set besides the status. */
export type TaskPatch = Partial<Omit<TaskRecord, "taskId" | "batchId" | "status">>;

/** What TaskManager needs. */
export interface TaskManagerDeps {
  readonly repo: TaskRepo;
  readonly nodes: NodeRegistry;
  readonly events: TaskEvents;
  readonly ids: IdGenerator;
  readonly now: () => number;
  /** How long kill/pause/resume wait for the runner to confirm (ms). */
  readonly confirmTimeoutMs: number;
  /** Gets refused transitions, with the task and both statuses. */
  readonly log: Logger;
  /** Told of every task stored and every stored change (for /metrics); none = nobody is told. */
  readonly observer?: TaskObserver;
}

/** Hears of tasks after they are committed: created, and each change with the task before and after. */
export interface TaskObserver {
  tasksCreated(tasks: readonly TaskRecord[]): void;
  taskChanged(before: TaskRecord, after: TaskRecord): void;
}

/** Where a task holds resources in the active ledger: its node while active, else nowhere. */
function holdingNode(task: TaskRecord): string | undefined {
  return task.assignedNode !== null && ACTIVE_STATUSES.includes(task.status) ? task.assignedNode : undefined;
}

/** The nodes whose holdings differ between the task's two states (none, one or two). */
function nodesWithChangedHoldings(before: TaskRecord, after: TaskRecord): string[] {
  const was = holdingNode(before);
  const is = holdingNode(after);
  if (was === is) return [];
  return [was, is].filter((node): node is string => node !== undefined);
}

/** The NOT_FOUND error for a missing task, with its ResourceInfo. */
export function taskNotFound(taskId: number | bigint | string): DomainError {
  return notFound(`task ${taskId} not found`, {
    reason: ErrorReason.TASK_NOT_FOUND,
    metadata: { task_id: String(taskId) },
    resource: { type: RESOURCE_TYPE.task, name: String(taskId), description: "no task has this id (ListTasks shows the tasks there are)" },
  });
}

/** A FAILED_PRECONDITION about a task's status: `reason`, the current status in the metadata and a TASK_STATUS violation. */
export function statusPrecondition(task: TaskRecord, reason: ErrorReason, message: string, wanted: string): DomainError {
  return failedPrecondition(message, {
    reason,
    metadata: { task_id: String(task.taskId), status: task.status },
    resource: { type: RESOURCE_TYPE.task, name: String(task.taskId), owner: task.owner },
    preconditionViolations: [{ type: "TASK_STATUS", subject: `task/${task.taskId}`, description: `the task is ${task.status}; ${wanted}` }],
  });
}

/** An UNAVAILABLE error about a task's node (offline, or its runner silent). */
export function nodeUnavailable(node: string, reason: ErrorReason, message: string, retryDelayMs?: number): DomainError {
  return new DomainError("unavailable", message, {
    reason,
    metadata: { node },
    resource: { type: RESOURCE_TYPE.node, name: node },
    ...(retryDelayMs !== undefined ? { retryDelayMs } : {}),
  });
}

/** Whether a new task starts out waiting for its dependencies (it has some, and the spec did not find them met already). */
function awaitsDependencies(spec: TaskSpecInput): boolean {
  return (spec.dependencies?.length ?? 0) > 0 && spec.awaitingDependencies !== false;
}

/** A change saved in memory, and its commit (see {@link TaskManager.stage}). */
export interface StagedChange {
  /** The task's state now (unchanged when the move was refused or changed nothing). */
  readonly task: TaskRecord;
  /** Resolves to `task` once committed and announced; rejects when the write failed (the change undone). */
  readonly committed: Promise<TaskRecord>;
}

/** Owns task state. */
export class TaskManager {
  private readonly serial = new SerialQueue();

  constructor(private readonly deps: TaskManagerDeps) {}

  /** Looks a task up by its decimal id; NOT_FOUND / INVALID_ARGUMENT otherwise. */
  async require(taskIdText: string): Promise<TaskRecord> {
    const taskId = parseTaskId(taskIdText.trim());
    if (taskId === undefined) {
      throw badField("task_id", ErrorReason.INVALID_TASK_ID, `"${taskIdText}" is not a task id (task ids are decimal numbers)`, "a task id is a decimal number, as SubmitTask and ListTasks give it");
    }
    const task = await this.deps.repo.get(taskId);
    if (!task) throw taskNotFound(taskId);
    return task;
  }

  /** Tasks matching the filter, newest first. */
  list(filter: TaskFilter): Promise<TaskRecord[]> {
    return this.deps.repo.list(filter);
  }

  /**
   * Creates the tasks of one submission, all pending, owned by `owner`: as
   * a new batch (its id the first task's), or added to the stored batch
   * `intoBatch` (a resubmit). A task with dependencies waits for them
   * ("waiting: after task 123") unless its spec says they are met.
   */
  async create(specs: readonly TaskSpecInput[], owner = "", intoBatch?: number): Promise<TaskRecord[]> {
    const now = this.deps.now();
    const tasks = specs.map((spec): TaskRecord => ({
      taskId: this.deps.ids.next(),
      batchId: 0,
      kind: spec.kind,
      status: "pending",
      command: spec.command,
      args: spec.args,
      env: spec.env,
      cores: spec.cores,
      memoryBytes: spec.memoryBytes,
      container: spec.container,
      privileged: spec.privileged,
      mounts: spec.mounts,
      target: spec.targetText,
      assignedNode: null,
      numaNode: spec.target?.numaNode ?? null,
      gpus: spec.target?.gpus ?? [],
      gpuCount: spec.gpuCount,
      exitCode: null,
      submittedAt: now,
      startedAt: null,
      completedAt: null,
      sshPort: 0,
      sshHostKeys: [],
      owner,
      publicKey: spec.publicKey,
      timeLimitMs: spec.timeLimitMs,
      name: spec.name,
      labels: spec.labels,
      stdoutFinalBytes: -1,
      stderrFinalBytes: -1,
      dependencies: spec.dependencies ?? [],
      awaitingDependencies: awaitsDependencies(spec),
      message: awaitsDependencies(spec) ? waitingMessage(spec.dependencies ?? []) : "queued",
      placementReason: "",
      startOn: null,
      startFrom: "",
    }));
    const batchId = intoBatch ?? tasks[0]!.taskId;
    const withBatch = tasks.map((task) => ({ ...task, batchId }));
    if (intoBatch === undefined) await this.deps.repo.insertBatch(batchId, withBatch[0]!.kind, now, withBatch);
    else await this.deps.repo.insertIntoBatch(batchId, withBatch);
    this.deps.observer?.tasksCreated(withBatch);
    this.deps.events.created(withBatch.map((t) => t.taskId));
    this.deps.events.capacityChanged();
    return withBatch;
  }

  /**
   * Moves a task to `to` with `patch`, through the transition function.
   * Returns the stored task once its write is committed; an illegal move
   * leaves it unchanged and is logged (a late or repeated report, a race
   * between a kill and a runner's event), never dropped silently. A task
   * ending announces a capacity change; one taking or giving up a node's
   * resources announces that node's holdings changed.
   */
  async change(taskId: number, to: TaskStatusName, patch: TaskPatch = {}): Promise<TaskRecord | undefined> {
    const staged = await this.stage(taskId, to, patch);
    return staged && (await staged.committed);
  }

  /**
   * {@link change} in two steps, for callers that make many changes at once
   * (a scheduling pass): resolves as soon as the new state is saved in
   * memory (every read sees it) with that state as `task`, and `committed`,
   * which resolves to the same once the write is committed and the change
   * announced (or rejects with the storage error, the change undone). Its
   * writes and those staged beside it share one commit. Undefined: no such task.
   */
  async stage(taskId: number, to: TaskStatusName, patch: TaskPatch = {}): Promise<StagedChange | undefined> {
    return this.serial.run(async () => {
      const task = await this.deps.repo.get(taskId);
      if (!task) return undefined;
      const result = transition(task.status, to);
      if (result.kind === "refuse") {
        this.deps.log.warn({ taskId: String(taskId), from: task.status, to, reason: result.reason }, "refused a task status change");
        return { task, committed: Promise.resolve(task) };
      }
      if (result.kind === "noop" && Object.keys(patch).length === 0) return { task, committed: Promise.resolve(task) };
      const now = this.deps.now();
      const next: TaskRecord = {
        ...task,
        ...patch,
        status: to,
        startedAt: task.startedAt ?? (to === "running" ? (patch.startedAt ?? now) : null),
        completedAt: isFinal(to) ? (patch.completedAt ?? now) : task.completedAt,
      };
      // Saved in memory now; the serial queue is free again while the write waits for its group commit.
      const written = this.deps.repo.save(next, task);
      return { task: next, committed: written.then(() => this.announce(task, next)) };
    });
  }

  /** Tells observers and listeners of a committed change; returns the new state. */
  private announce(task: TaskRecord, next: TaskRecord): TaskRecord {
    this.deps.observer?.taskChanged(task, next);
    this.deps.events.changed(next.taskId);
    for (const node of nodesWithChangedHoldings(task, next)) this.deps.events.holdingsChanged(node);
    if (isFinal(next.status) && !isFinal(task.status)) {
      this.deps.events.ended(next);
      this.deps.events.capacityChanged();
    }
    return next;
  }

  /** Waits until `done(task)` holds or the timeout passes; returns the latest task. */
  async waitFor(taskId: number, done: (task: TaskRecord) => boolean, timeoutMs: number): Promise<TaskRecord> {
    const deadline = this.deps.now() + timeoutMs;
    for (;;) {
      const task = await this.deps.repo.get(taskId);
      if (!task) throw taskNotFound(taskId);
      const left = deadline - this.deps.now();
      if (done(task) || left <= 0) return task;
      await this.deps.events.nextChange(taskId, Math.min(left, 1000));
    }
  }

  /** Kills a task in any non-final status; waits for the runner to confirm. */
  async kill(taskIdText: string): Promise<TaskRecord> {
    const task = await this.require(taskIdText);
    if (isFinal(task.status)) {
      throw statusPrecondition(task, ErrorReason.TASK_ALREADY_FINISHED, `task ${task.taskId} is already ${task.status}; nothing to kill`, "only a task that has not finished can be killed");
    }
    if (task.status === "pending") {
      // A stopped VPS whose start was queued still has its kept container on its node: its runner removes it.
      if (task.kind === "vps" && task.assignedNode) this.deps.nodes.send(task.assignedNode, killTaskCommand(task.taskId, "killed by user"));
      return (await this.change(task.taskId, "killed", { message: "killed by user before it started", startOn: null, startFrom: "" }))!;
    }
    // A stopped VPS moved off its node whose new start was given up: nothing is left anywhere to stop.
    if (task.assignedNode === null) return (await this.change(task.taskId, "killed", { message: "killed by user" }))!;
    const node = task.assignedNode ?? "";
    const sent = this.deps.nodes.send(node, killTaskCommand(task.taskId, "killed by user"));
    if (sent) {
      const after = await this.waitFor(task.taskId, (t) => isFinal(t.status), this.deps.confirmTimeoutMs);
      if (isFinal(after.status)) return after;
    }
    const message = sent
      ? "killed by user; the runner did not confirm in time"
      : `killed by user while node ${node} is offline; its runner stops the task when it reconnects`;
    return (await this.change(task.taskId, "killed", { message }))!;
  }

  /** Pauses a running task (and waits for the runner to confirm). */
  pause(taskIdText: string): Promise<TaskRecord> {
    return this.signal(taskIdText, "pause");
  }

  /** Resumes a paused task (and waits for the runner to confirm). */
  resume(taskIdText: string): Promise<TaskRecord> {
    return this.signal(taskIdText, "resume");
  }

  private async signal(taskIdText: string, action: "pause" | "resume"): Promise<TaskRecord> {
    const task = await this.require(taskIdText);
    const from: TaskStatusName = action === "pause" ? "running" : "paused";
    const to: TaskStatusName = action === "pause" ? "paused" : "running";
    if (task.status !== from) {
      const reason = action === "pause" ? ErrorReason.TASK_NOT_RUNNING : ErrorReason.TASK_NOT_PAUSED;
      throw statusPrecondition(task, reason, `task ${task.taskId} is ${task.status}; only ${from} tasks can be ${action}d`, `it must be ${from}`);
    }
    const command = action === "pause" ? pauseTaskCommand(task.taskId) : resumeTaskCommand(task.taskId);
    const sent = this.deps.nodes.send(task.assignedNode ?? "", command);
    const node = task.assignedNode ?? "";
    if (!sent) throw nodeUnavailable(node, ErrorReason.NODE_OFFLINE, `node ${task.assignedNode} is offline; try again when its runner reconnects`);
    const after = await this.waitFor(task.taskId, (t) => t.status !== from, this.deps.confirmTimeoutMs);
    if (after.status === from) {
      throw nodeUnavailable(node, ErrorReason.RUNNER_NOT_CONFIRMED, `the runner on ${task.assignedNode} did not confirm the ${action} in time`, this.deps.confirmTimeoutMs);
    }
    if (after.status !== to) {
      throw statusPrecondition(after, ErrorReason.TASK_STATUS_CHANGED, `task ${task.taskId} became ${after.status} before it could be ${action}d`, `it was ${from} when the ${action} was asked`);
    }
    return after;
  }
}
