/**
 * Where a task's output lives on shared storage, the one rule the runner
 * (which appends it) and the Host (which stores and serves it) share, kept
 * where the original keeps it: `shared_dir/task_outputs/<id>.out` and
 * `shared_dir/task_errors/<id>.err`.
 */
import { join } from "node:path";

/** Which of a task's two streams. */
export type StreamName = "stdout" | "stderr";

/** The log file of `taskId`'s `stream` under `sharedDir`. */
export function taskLogPath(sharedDir: string, taskId: number | string, stream: StreamName): string {
  return stream === "stdout" ? join(sharedDir, "task_outputs", `${taskId}.out`) : join(sharedDir, "task_errors", `${taskId}.err`);
}
