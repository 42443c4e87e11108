/**
 * Whether a task matches a ListTasks filter, decided in memory, the same
 * way TaskRepo.list decides it in SQL: a watcher checks each changed task.
 */
import { globRegExp, hasLabels } from "../../shared/task-labels.js";
import type { TaskFilter } from "../store/task-repo.js";
import type { TaskRecord } from "../tasks/task-record.js";

/** True when `task` passes every field of `filter` that is set (limit and paging aside). */
export function matchesFilter(task: TaskRecord, filter: TaskFilter): boolean {
  if (filter.kind !== undefined && task.kind !== filter.kind) return false;
  if (filter.batchId !== undefined && task.batchId !== filter.batchId) return false;
  if (filter.statuses && filter.statuses.length > 0 && !filter.statuses.includes(task.status)) return false;
  if (filter.node && task.assignedNode !== filter.node) return false;
  if (filter.owner !== undefined && task.owner !== filter.owner) return false;
  if (filter.nameGlob && !globRegExp(filter.nameGlob).test(task.name)) return false;
  if (filter.labels && !hasLabels(task.labels, filter.labels)) return false;
  return true;
}
