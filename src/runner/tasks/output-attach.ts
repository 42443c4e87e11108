/**
 * Connects the held tasks' output to the control stream: from a welcome
 * until the stream ends, each task ships its log files from the Host's
 * cursors; in between, output is only written to disk.
 */
import type { ChunkSender, TaskOutput } from "../task-output.js";
import { isFinal } from "../../shared/task-status.js";
import type { RunnerTask } from "./task-table.js";

/** Byte offsets the Host already holds of one task's streams. */
export interface StreamCursors {
  readonly stdout: number;
  readonly stderr: number;
}

/** The link between task output and the current stream (none while disconnected). */
export class OutputLink {
  private sender: ChunkSender | undefined;

  /** True from a welcome until its stream ends. */
  get connected(): boolean {
    return this.sender !== undefined;
  }

  /** Ships a new task's output on the current stream, if any. */
  join(output: TaskOutput): void {
    output.attach(this.sender);
  }

  /**
   * Connects every task to a new stream (or disconnects them with undefined);
   * a task with no cursor ships from the start.
   */
  attach(tasks: Iterable<RunnerTask>, sender: ChunkSender | undefined, cursors: ReadonlyMap<string, StreamCursors>): void {
    this.sender = sender;
    for (const task of tasks) {
      task.output.attach(sender, cursors.get(task.spec.taskId) ?? (sender ? { stdout: 0, stderr: 0 } : undefined));
      // A welcome answers a hello whose inventory held every task ended by then
      // (later ends were queued behind it), so the Host knows them all now.
      if (sender && isFinal(task.status)) task.hostHasFinal = true;
    }
  }

  /** Ships pending output of every task (after the connection drained). */
  pumpAll(tasks: Iterable<RunnerTask>): void {
    for (const task of tasks) task.output.pump();
  }
}
