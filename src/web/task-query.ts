/**
 * What the task list shows: a filter (status, node, batch, kind, text) and a
 * sort, read from and written to the hash's query (`#/tasks?status=running`),
 * and the one pure function that applies them to the watched tasks.
 *
 * DOM-free on purpose: the unit tests (test/unit/task-query.test.ts) import
 * this file, which the Node tsconfig then compiles too.
 */
import { TaskKind, TaskStatus, type Task } from "../../gen/hakuriver/v1/types_pb.js";
import { millis, taskKindName, taskStatusName } from "./format.js";

/** Columns the list sorts by. `id` is the submission order (ids are time-sortable). */
export type SortKey = "id" | "status" | "node" | "command" | "duration";

/** Status groups the status filter offers besides single statuses. */
export type StatusGroup = "active" | "final";

/** The list's filter and sort; empty strings match everything. */
export interface TaskQuery {
  /** A status name ("running"), a group ("active", "final") or "" for any. */
  readonly status: string;
  readonly node: string;
  readonly batch: string;
  /** "command" (the default), "vps" or "any". */
  readonly kind: string;
  /** Case-insensitive substring of the task id, its name, a `key=value` label or its command line. */
  readonly text: string;
  readonly sort: SortKey;
  readonly descending: boolean;
}

/** Newest first, command tasks, no other filter. */
export const DEFAULT_QUERY: TaskQuery = { status: "", node: "", batch: "", kind: "command", text: "", sort: "id", descending: true };

const SORT_KEYS: readonly SortKey[] = ["id", "status", "node", "command", "duration"];
/** The "active" filter: not ended (a stopped VPS included: it is not over). */
const ACTIVE = new Set([TaskStatus.PENDING, TaskStatus.ASSIGNING, TaskStatus.RUNNING, TaskStatus.PAUSED, TaskStatus.STOPPED]);

/** Reads a query from the hash's query parameters; unknown values fall back to the defaults. */
export function queryFromParams(params: Readonly<Record<string, string>>): TaskQuery {
  const sort = SORT_KEYS.find((key) => key === params["sort"]) ?? DEFAULT_QUERY.sort;
  const kind = params["kind"] === "vps" || params["kind"] === "any" ? params["kind"] : DEFAULT_QUERY.kind;
  return {
    status: params["status"] ?? "",
    node: params["node"] ?? "",
    batch: params["batch"] ?? "",
    kind,
    text: params["q"] ?? "",
    sort,
    descending: params["dir"] === undefined ? sort === "id" : params["dir"] !== "asc",
  };
}

/** The hash query parameters of a query, leaving out what equals the default. */
export function paramsFromQuery(query: TaskQuery): Record<string, string> {
  const params: Record<string, string> = {};
  if (query.status !== "") params["status"] = query.status;
  if (query.node !== "") params["node"] = query.node;
  if (query.batch !== "") params["batch"] = query.batch;
  if (query.kind !== DEFAULT_QUERY.kind) params["kind"] = query.kind;
  if (query.text !== "") params["q"] = query.text;
  if (query.sort !== DEFAULT_QUERY.sort) params["sort"] = query.sort;
  if (query.descending !== (query.sort === "id")) params["dir"] = query.descending ? "desc" : "asc";
  return params;
}

/** The command line as the list shows and searches it. */
export function commandLine(task: Task): string {
  return [task.command, ...task.args].join(" ");
}

/** Orders decimal ids numerically without BigInt: shorter is smaller, then by digits. */
export function compareIds(a: string, b: string): number {
  return a.length !== b.length ? a.length - b.length : a < b ? -1 : a > b ? 1 : 0;
}

/** How long a task ran (or has run, at `now`); -1 when it has not started. */
export function runMillis(task: Task, now: number): number {
  const started = millis(task.startedAt);
  if (started === undefined) return -1;
  return (millis(task.completedAt) ?? now) - started;
}

function matchesStatus(task: Task, status: string): boolean {
  if (status === "") return true;
  if (status === "active") return ACTIVE.has(task.status);
  if (status === "final") return !ACTIVE.has(task.status);
  return status.split(",").includes(taskStatusName(task.status));
}

function matchesKind(task: Task, kind: string): boolean {
  if (kind === "any") return true;
  return taskKindName(task.kind) === kind || (kind === "command" && task.kind === TaskKind.UNSPECIFIED);
}

/** True when the task passes every filter of the query. */
export function matches(task: Task, query: TaskQuery): boolean {
  if (!matchesStatus(task, query.status) || !matchesKind(task, query.kind)) return false;
  if (query.node !== "" && task.assignedNode !== query.node) return false;
  if (query.batch !== "" && task.batchId !== query.batch) return false;
  if (query.text === "") return true;
  const text = query.text.toLowerCase();
  return (
    task.taskId.includes(text) ||
    task.name.toLowerCase().includes(text) ||
    commandLine(task).toLowerCase().includes(text) ||
    Object.entries(task.labels).some(([key, value]) => `${key}=${value}`.toLowerCase().includes(text))
  );
}

function comparator(sort: SortKey, now: number): (a: Task, b: Task) => number {
  switch (sort) {
    case "status":
      return (a, b) => taskStatusName(a.status).localeCompare(taskStatusName(b.status));
    case "node":
      return (a, b) => a.assignedNode.localeCompare(b.assignedNode);
    case "command":
      return (a, b) => commandLine(a).localeCompare(commandLine(b));
    case "duration":
      return (a, b) => runMillis(a, now) - runMillis(b, now);
    default:
      return () => 0;
  }
}

/**
 * The tasks that match, in the query's order. Ties (same status, node, …)
 * keep the newest first, so the order is stable between updates.
 * `now` prices the duration of running tasks.
 */
export function selectTasks(all: Iterable<Task>, query: TaskQuery, now: number): Task[] {
  const chosen: Task[] = [];
  for (const task of all) if (matches(task, query)) chosen.push(task);
  const primary = comparator(query.sort, now);
  const sign = query.descending ? -1 : 1;
  const newestFirst = (a: Task, b: Task) => compareIds(b.taskId, a.taskId);
  if (query.sort === "id") chosen.sort((a, b) => sign * compareIds(a.taskId, b.taskId));
  else chosen.sort((a, b) => sign * primary(a, b) || newestFirst(a, b));
  return chosen;
}
