/**
 * Tasks by status and kind, and the queue (pending tasks with their submit
 * times), kept in memory for /metrics: seeded once from the store at start,
 * then moved by every task the Host creates or changes, so a scrape reads
 * no table. A pending task still waiting for its dependencies is not in the
 * queue (nothing can place it yet); it is counted apart.
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
  /** Pending but waiting for its dependencies (absent = false). */
  readonly awaitingDependencies?: boolean;
}

type Place = "queued" | "awaiting" | "neither";

function placeOf(task: CountedTask): Place {
  if (task.status !== "pending") return "neither";
  return task.awaitingDependencies === true ? "awaiting" : "queued";
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
  /** Pending tasks waiting for their dependencies. */
  private readonly awaiting = new Set<number>();

  /**
   * Replaces the counts with the store's, the queue with its placeable
   * pending tasks (id and submit time), and the waiting ones with `awaiting`.
   */
  seed(rows: readonly StatusKindCount[], queued: readonly { readonly taskId: number; readonly submittedAt: number }[], awaiting: readonly number[] = []): void {
    this.counts.clear();
    this.queued.clear();
    this.awaiting.clear();
    for (const row of rows) this.add(row.status, row.kind, row.count);
    for (const task of queued) this.queued.set(task.taskId, task.submittedAt);
    for (const taskId of awaiting) this.awaiting.add(taskId);
  }

  /** Counts tasks just stored. */
  created(tasks: readonly CountedTask[]): void {
    for (const task of tasks) {
      this.add(task.status, task.kind, 1);
      this.place(task);
    }
  }

  /** Moves a task from its stored status before to the one after. */
  changed(before: CountedTask, after: CountedTask): void {
    if (before.status !== after.status) {
      this.add(before.status, before.kind, -1);
      this.add(after.status, after.kind, 1);
    }
    // A task released from waiting stays pending: only its place changes.
    if (placeOf(before) !== placeOf(after)) {
      this.queued.delete(before.taskId);
      this.awaiting.delete(before.taskId);
      this.place(after);
    }
  }

  /** Every status-and-kind pair seen, with its count (zero included once seen). */
  all(): TaskCount[] {
    return [...this.counts.values()];
  }

  /** Tasks waiting to be placed (pending, not waiting for dependencies). */
  get queueDepth(): number {
    return this.queued.size;
  }

  /** Pending tasks waiting for their dependencies. */
  get awaitingDependencies(): number {
    return this.awaiting.size;
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

  private place(task: CountedTask): void {
    const place = placeOf(task);
    if (place === "queued") this.queued.set(task.taskId, task.submittedAt);
    else if (place === "awaiting") this.awaiting.add(task.taskId);
  }

  private add(status: TaskStatusName, kind: TaskKindName, delta: number): void {
    const key = keyOf(status, kind);
    const entry = this.counts.get(key);
    this.counts.set(key, { status, kind, count: Math.max(0, (entry?.count ?? 0) + delta) });
  }
}
