/**
 * Tasks by status and kind, and the queue (pending tasks with their submit
 * times), kept in memory for /metrics: seeded once from the store at start,
 * then moved by every task the Host creates or changes, so a scrape reads
 * no table.
 */
import type { TaskStatusName } from "../../shared/task-status.js";
import type { TaskKindName } from "../tasks/task-record.js";

/** What the counts need of a task. */
export interface CountedTask {
  readonly taskId: number;
  readonly kind: TaskKindName;
  readonly status: TaskStatusName;
  /** Unix ms. */
  readonly submittedAt: number;
}

/** One row of the store's grouped count. */
export interface StatusKindCount {
  readonly status: TaskStatusName;
  readonly kind: TaskKindName;
  readonly count: number;
}

/** A status-and-kind pair with its count. */
export type TaskCount = StatusKindCount;

const keyOf = (status: TaskStatusName, kind: TaskKindName) => `${status}\u0000${kind}`;

/** In-memory task counts; see the file comment. */
export class TaskCounts {
  private readonly counts = new Map<string, TaskCount>();
  /** Pending tasks: id → submit time (Unix ms). */
  private readonly queued = new Map<number, number>();

  /** Replaces the counts with the store's, and the queue with its pending tasks (id and submit time). */
  seed(rows: readonly StatusKindCount[], pending: readonly { readonly taskId: number; readonly submittedAt: number }[]): void {
    this.counts.clear();
    this.queued.clear();
    for (const row of rows) this.add(row.status, row.kind, row.count);
    for (const task of pending) this.queued.set(task.taskId, task.submittedAt);
  }

  /** Counts tasks just stored. */
  created(tasks: readonly CountedTask[]): void {
    for (const task of tasks) {
      this.add(task.status, task.kind, 1);
      if (task.status === "pending") this.queued.set(task.taskId, task.submittedAt);
    }
  }

  /** Moves a task from its stored status before to the one after. */
  changed(before: CountedTask, after: CountedTask): void {
    if (before.status === after.status) return;
    this.add(before.status, before.kind, -1);
    this.add(after.status, after.kind, 1);
    if (before.status === "pending") this.queued.delete(before.taskId);
    if (after.status === "pending") this.queued.set(after.taskId, after.submittedAt);
  }

  /** Every status-and-kind pair seen, with its count (zero included once seen). */
  all(): TaskCount[] {
    return [...this.counts.values()];
  }

  /** Tasks waiting to be placed (pending). */
  get queueDepth(): number {
    return this.queued.size;
  }

  /**
   * How long the oldest pending task has waited (ms) at `now`; 0 with an
   * empty queue. One pass over the queue in memory (a requeued task keeps
   * its first submit time, so queue order alone does not tell the oldest).
   */
  oldestWaitMs(now: number): number {
    let oldest = Number.POSITIVE_INFINITY;
    for (const submittedAt of this.queued.values()) if (submittedAt < oldest) oldest = submittedAt;
    return Number.isFinite(oldest) ? Math.max(0, now - oldest) : 0;
  }

  private add(status: TaskStatusName, kind: TaskKindName, delta: number): void {
    const key = keyOf(status, kind);
    const entry = this.counts.get(key);
    this.counts.set(key, { status, kind, count: Math.max(0, (entry?.count ?? 0) + delta) });
  }
}
