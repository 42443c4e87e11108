/**
 * How a task that waits for others is shown, the same in the CLI and the
 * dashboard: the Host's message (`waiting: after task 123`) without its
 * prefix, while the task is still PENDING for that reason.
 */
import { TaskStatus, type Task } from "../../gen/hakuriver/v1/types_pb.js";

const WAITING_PREFIX = "waiting: ";

/** `after task 123` while the task waits for its dependencies; undefined otherwise. */
export function dependencyWaitText(task: Pick<Task, "status" | "message" | "after" | "afterOk">): string | undefined {
  if (task.status !== TaskStatus.PENDING || task.after.length + task.afterOk.length === 0) return undefined;
  return task.message.startsWith(`${WAITING_PREFIX}after `) ? task.message.slice(WAITING_PREFIX.length) : undefined;
}

/** `after 1, 2; after-ok 3` (the ids a task was submitted to start after), or undefined when none. */
export function dependencyListText(task: Pick<Task, "after" | "afterOk">): string | undefined {
  const parts = [task.after.length > 0 ? `after ${task.after.join(", ")}` : "", task.afterOk.length > 0 ? `after-ok ${task.afterOk.join(", ")}` : ""].filter((p) => p !== "");
  return parts.length > 0 ? parts.join("; ") : undefined;
}
