/**
 * Waits for tasks to reach a final status, polling with a growing interval.
 */
import type { Client } from "@connectrpc/connect";
import type { ClientService } from "../../gen/hakuriver/v1/client_pb.js";
import type { Task } from "../../gen/hakuriver/v1/types_pb.js";
import { isFinal, statusName } from "../shared/task-status.js";
import { failureExitCode } from "./exit-codes.js";

/** Resolves with every task once all are final. */
export async function waitForTasks(client: Client<typeof ClientService>, taskIds: readonly string[]): Promise<Task[]> {
  const done = new Map<string, Task>();
  let delay = 100;
  for (;;) {
    for (const taskId of taskIds) {
      if (done.has(taskId)) continue;
      const { task } = await client.getTask({ taskId });
      if (task && isFinal(statusName(task.status))) done.set(taskId, task);
    }
    if (done.size === taskIds.length) return taskIds.map((id) => done.get(id)!);
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(1000, delay * 1.5);
  }
}

/** The exit code a waiting command returns: the task's own, or 1 for a task that failed without one. */
export function exitCodeOfTasks(tasks: readonly Task[]): number {
  if (tasks.length === 1) {
    const task = tasks[0]!;
    if (statusName(task.status) === "completed") return 0;
    return failureExitCode(task.exitCode);
  }
  return tasks.every((t) => statusName(t.status) === "completed") ? 0 : 1;
}
