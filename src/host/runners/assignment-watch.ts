/**
 * Every RunTask the Host sends, until the runner acknowledges it. A runner
 * acknowledges a task by any report about it (`assigning` while it starts,
 * `running`, a final status) or by listing it in a heartbeat. One not
 * acknowledged within `ackTimeoutMs` is sent again (runners start a task
 * once per id, and answer a repeat with its status); after `maxResends`
 * repeats it fails with a message, so no task waits in `assigning` forever
 * for a runner that never heard of it. While the node is offline nothing
 * is resent: the runner's next hello reconciles the task.
 */
import type { Logger } from "pino";
import { every } from "../../shared/periodic.js";
import type { TaskRepo } from "../store/task-repo.js";
import type { TaskManager } from "../tasks/task-manager.js";
import type { TaskRecord } from "../tasks/task-record.js";
import { assignmentCommand } from "./runner-commands.js";
import type { NodeRegistry } from "./node-registry.js";

/** What the watch needs. */
export interface AssignmentWatchDeps {
  readonly nodes: NodeRegistry;
  readonly repo: TaskRepo;
  readonly tasks: TaskManager;
  readonly log: Logger;
  readonly now: () => number;
  /** How long a sent task may go unacknowledged before it is sent again (ms). */
  readonly ackTimeoutMs: number;
  /** Repeats before the task fails. */
  readonly maxResends: number;
  /** How often overdue tasks are looked for (ms). */
  readonly checkIntervalMs: number;
}

interface Sent {
  readonly node: string;
  sentAt: number;
  resends: number;
}

/** Sends RunTask commands and follows each up until it is acknowledged. */
export class AssignmentWatch {
  private readonly sent = new Map<number, Sent>();
  private stopTimer: () => void = () => {};

  constructor(private readonly deps: AssignmentWatchDeps) {}

  /** Sends `task` (assigned, in `assigning`) to its node's runner and starts waiting for the acknowledgement. */
  dispatch(task: TaskRecord): void {
    const node = task.assignedNode;
    if (!node) return;
    this.sent.set(task.taskId, { node, sentAt: this.deps.now(), resends: 0 });
    this.deps.nodes.send(node, assignmentCommand(task));
  }

  /** The runner on `node` reported `taskId`: stop waiting for it. */
  acknowledged(node: string, taskId: number): void {
    if (this.sent.get(taskId)?.node === node) this.sent.delete(taskId);
  }

  /** Tasks sent and not yet acknowledged (for tests and health). */
  get unacknowledged(): number {
    return this.sent.size;
  }

  /** Starts the periodic check. */
  start(): void {
    this.stopTimer = every(this.deps.checkIntervalMs, () => this.check(), (error) => this.deps.log.error({ err: error instanceof Error ? error.message : String(error) }, "checking unacknowledged tasks failed"));
  }

  stop(): void {
    this.stopTimer();
  }

  /** One pass: resend what is overdue on online nodes; fail what was resent too often. */
  async check(): Promise<void> {
    const { deps } = this;
    const now = deps.now();
    for (const [taskId, entry] of [...this.sent]) {
      if (now - entry.sentAt < deps.ackTimeoutMs) continue;
      const task = await deps.repo.get(taskId);
      if (!task || task.status !== "assigning" || task.assignedNode !== entry.node) {
        this.sent.delete(taskId);
        continue;
      }
      // Offline: the runner's hello resends or settles it; wait a full timeout after it is back.
      if (!deps.nodes.isOnline(entry.node)) {
        entry.sentAt = now;
        continue;
      }
      if (entry.resends >= deps.maxResends) {
        this.sent.delete(taskId);
        const message = `runner ${entry.node} never acknowledged the task (sent ${entry.resends + 1} times, ${deps.ackTimeoutMs} ms apart)`;
        deps.log.error({ taskId: String(taskId), node: entry.node }, message);
        await deps.tasks.change(taskId, "failed", { message });
        continue;
      }
      entry.resends += 1;
      entry.sentAt = now;
      deps.log.warn({ taskId: String(taskId), node: entry.node, resends: entry.resends }, "runner has not acknowledged a task; sending it again");
      deps.nodes.send(entry.node, assignmentCommand(task));
    }
  }
}
