/**
 * The tasks that have not ended, in memory: what the scheduler, the ledger,
 * health and every status change read, so none of them queries the store.
 * TaskRepo fills it from the store at first use and keeps it in step with
 * every write it makes; the store stays the truth on disk.
 *
 * Tasks of one status are kept in id order (submission order), which is the
 * queue's order: tasks arrive with ever larger ids, and a task that comes
 * back to a status it held (assigning → pending) puts the order right at the
 * next read that needs it.
 */
import { isFinal, type TaskStatusName } from "../../shared/task-status.js";
import type { TaskRecord } from "../tasks/task-record.js";

interface StatusGroup {
  readonly tasks: Map<number, TaskRecord>;
  /** The largest id added so far; an id below it puts the map out of order. */
  lastId: number;
  sorted: boolean;
}

/** A page of a status's tasks in id order. */
export interface ActivePage {
  /** Only ids above this one. */
  readonly afterTaskId?: number;
  /** At most this many. */
  readonly limit?: number;
  /** Leave out tasks that wait for their dependencies. */
  readonly skipAwaitingDependencies?: boolean;
}

/** Unfinished tasks by id and by status. Records are replaced, never mutated. */
export class ActiveTasks {
  private readonly byId = new Map<number, TaskRecord>();
  private readonly byStatus = new Map<TaskStatusName, StatusGroup>();

  /** The task if it has not ended. */
  get(taskId: number): TaskRecord | undefined {
    return this.byId.get(taskId);
  }

  /** How many unfinished tasks are in `status`. */
  count(status: TaskStatusName): number {
    return this.byStatus.get(status)?.tasks.size ?? 0;
  }

  /** Every unfinished task. */
  size(): number {
    return this.byId.size;
  }

  /** Records the task's current state: kept while unfinished, dropped once it ended. */
  put(task: TaskRecord): void {
    const previous = this.byId.get(task.taskId);
    if (previous && previous.status !== task.status) this.byStatus.get(previous.status)?.tasks.delete(task.taskId);
    if (isFinal(task.status)) {
      this.byId.delete(task.taskId);
      return;
    }
    this.byId.set(task.taskId, task);
    const group = this.group(task.status);
    if (!group.tasks.has(task.taskId)) {
      if (task.taskId < group.lastId) group.sorted = false;
      group.lastId = Math.max(group.lastId, task.taskId);
    }
    group.tasks.set(task.taskId, task);
  }

  /** Forgets the task (its write was undone). */
  remove(taskId: number): void {
    const previous = this.byId.get(taskId);
    if (!previous) return;
    this.byId.delete(taskId);
    this.byStatus.get(previous.status)?.tasks.delete(taskId);
  }

  /** Tasks in any of `statuses` (all unfinished ones), in id order. */
  list(statuses: readonly TaskStatusName[], page: ActivePage = {}): TaskRecord[] {
    const limit = page.limit ?? Number.POSITIVE_INFINITY;
    const after = page.afterTaskId ?? 0;
    const out: TaskRecord[] = [];
    const groups = [...new Set(statuses)].map((s) => this.byStatus.get(s)).filter((g): g is StatusGroup => g !== undefined);
    // One status (the scheduler's read): walk it in order and stop at the limit.
    const single = groups.length === 1;
    for (const group of groups) {
      for (const task of this.inOrder(group)) {
        if (task.taskId <= after || (page.skipAwaitingDependencies && task.awaitingDependencies)) continue;
        out.push(task);
        if (single && out.length >= limit) return out;
      }
    }
    if (!single) out.sort((a, b) => a.taskId - b.taskId);
    return out.length > limit ? out.slice(0, limit) : out;
  }

  private inOrder(group: StatusGroup): Iterable<TaskRecord> {
    if (!group.sorted) {
      const entries = [...group.tasks.entries()].sort((a, b) => a[0] - b[0]);
      group.tasks.clear();
      for (const [id, task] of entries) group.tasks.set(id, task);
      group.sorted = true;
    }
    return group.tasks.values();
  }

  private group(status: TaskStatusName): StatusGroup {
    let group = this.byStatus.get(status);
    if (!group) {
      group = { tasks: new Map(), lastId: 0, sorted: true };
      this.byStatus.set(status, group);
    }
    return group;
  }
}
