/**
 * ListTasks paging: keyset pages by task id, newest first. A page token is
 * opaque to callers (base64url of "v1:" and the last id of the page before);
 * the next page holds the tasks with smaller ids, so tasks submitted between
 * two calls never shift a page, and none is listed twice or skipped.
 */
import { badField } from "../../shared/errors.js";
import { ErrorReason } from "../../shared/error-reasons.js";
import type { TaskFilter } from "../store/task-repo.js";
import type { TaskRecord } from "./task-record.js";

/** Tasks on a page when the request names no limit. */
export const DEFAULT_PAGE_TASKS = 200;
/** The most tasks on one page: a larger limit is clamped to it (the next page token leads on). */
export const MAX_PAGE_TASKS = 1_000;

/** One page of tasks. */
export interface TaskPage {
  readonly tasks: readonly TaskRecord[];
  /** Leads to the next page; empty on the last. */
  readonly nextPageToken: string;
}

/** The page size a request's limit asks for: 0 (or less) = {@link DEFAULT_PAGE_TASKS}, at most {@link MAX_PAGE_TASKS}. */
export function pageSizeOf(limit: number): number {
  return limit <= 0 ? DEFAULT_PAGE_TASKS : Math.min(limit, MAX_PAGE_TASKS);
}

/** The token of the page after the one ending at `lastTaskId`. */
export function pageTokenAfter(lastTaskId: number): string {
  return Buffer.from(`v1:${lastTaskId}`).toString("base64url");
}

/** The last task id of the page before; INVALID_ARGUMENT for a token this Host did not give out. */
export function taskIdOfPageToken(token: string): number {
  const text = /^[A-Za-z0-9_-]+$/.test(token) ? Buffer.from(token, "base64url").toString() : "";
  const match = /^v1:([1-9]\d{0,15})$/.exec(text);
  const taskId = match ? Number(match[1]) : NaN;
  if (!Number.isSafeInteger(taskId) || pageTokenAfter(taskId) !== token) {
    throw badField(
      "page_token",
      ErrorReason.INVALID_FIELD,
      `page_token "${token.slice(0, 64)}" is not one this Host gave out: pass next_page_token from the previous ListTasks response unchanged, or leave it empty for the first page`,
      "pass next_page_token from the previous ListTasks response unchanged, or empty for the first page",
    );
  }
  return taskId;
}

/**
 * The page of tasks matching `filter` after `pageToken` ("" = the first
 * page), at most `pageSize` of them, newest first.
 */
export async function taskPage(list: (filter: TaskFilter) => Promise<TaskRecord[]>, filter: TaskFilter, pageSize: number, pageToken: string): Promise<TaskPage> {
  const beforeTaskId = pageToken === "" ? undefined : taskIdOfPageToken(pageToken);
  // One more than the page: whether it comes back says whether there is a next page.
  const rows = await list({ ...filter, beforeTaskId, limit: pageSize + 1 });
  const tasks = rows.slice(0, pageSize);
  return { tasks, nextPageToken: rows.length > pageSize ? pageTokenAfter(tasks.at(-1)!.taskId) : "" };
}
