/**
 * `task list --watch`: the table, then the table again at every change (on
 * a cleared screen when stdout is a terminal); piped or with --json, one
 * line per change instead (JSON lines with --json). Ends at Ctrl-C.
 */
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { Client } from "@connectrpc/connect";
import type { ClientService, ListTasksRequestSchema } from "../../gen/hakuriver/v1/client_pb.js";
import type { Task } from "../../gen/hakuriver/v1/types_pb.js";
import { taskJson } from "./json-shapes.js";
import { statusText } from "./render.js";
import { taskTable, tasksJson } from "./task-view.js";

/** How the watched list is printed. */
export interface ListWatchOutput {
  /** JSON lines: `{"event":"snapshot","tasks":[...]}`, then `{"event":"task","task":{...}}` or `{"event":"removed","taskId":"..."}`. */
  readonly json: boolean;
  /** Re-render the whole table on a cleared screen (a terminal, without --json). */
  readonly redraw: boolean;
  /** Rows shown (the newest); the watch's snapshot holds as many. */
  readonly limit: number;
  readonly write: (text: string) => void;
}

const CLEAR_SCREEN = "\x1b[H\x1b[2J";

/** Newest first: task ids are decimal and grow with time. */
function newestFirst(a: Task, b: Task): number {
  return a.taskId.length - b.taskId.length || (a.taskId < b.taskId ? 1 : a.taskId > b.taskId ? -1 : 0);
}

/** One line for a changed task, for people reading a pipe or a log. */
function changeLine(task: Task): string {
  const where = task.assignedNode ? ` on ${task.assignedNode}` : "";
  const exit = task.exitCode === undefined ? "" : ` (exit code ${task.exitCode})`;
  return `task ${task.taskId} ${statusText(task.status)}${where}${exit}${task.message ? `: ${task.message}` : ""}`;
}

/**
 * Watches the tasks `filter` matches and prints them until `signal` aborts
 * (resolves) or the watch ends or fails (rejects: the Host went away).
 */
export async function watchTaskList(client: Client<typeof ClientService>, filter: MessageInitShape<typeof ListTasksRequestSchema>, output: ListWatchOutput, signal: AbortSignal): Promise<void> {
  const tasks = new Map<string, Task>();
  let live = false;
  const rows = () => [...tasks.values()].sort(newestFirst).slice(0, output.limit);
  const redraw = () => output.write(`${CLEAR_SCREEN}${tasks.size === 0 ? "No tasks." : taskTable(rows())}\n\nwatching for changes; Ctrl-C to stop\n`);
  try {
    for await (const message of client.watch({ tasks: true, taskFilter: { ...filter, limit: output.limit } }, { signal })) {
      for (const task of message.tasks) tasks.set(task.taskId, task);
      for (const taskId of message.removedTaskIds) tasks.delete(taskId);
      if (!live) {
        if (!message.snapshotComplete) continue;
        live = true;
        if (output.json) output.write(`${JSON.stringify({ event: "snapshot", tasks: tasksJson(rows()) })}\n`);
        else if (output.redraw) redraw();
        else output.write(`${tasks.size === 0 ? "No tasks." : taskTable(rows())}\n`);
        continue;
      }
      if (output.redraw) redraw();
      else if (output.json) {
        for (const task of message.tasks) output.write(`${JSON.stringify({ event: "task", task: taskJson(task) })}\n`);
        for (const taskId of message.removedTaskIds) output.write(`${JSON.stringify({ event: "removed", taskId })}\n`);
      } else {
        for (const task of message.tasks) output.write(`${changeLine(task)}\n`);
        for (const taskId of message.removedTaskIds) output.write(`task ${taskId} no longer matches the filter\n`);
      }
    }
  } catch (error) {
    if (signal.aborted) return;
    throw error;
  }
  if (signal.aborted) return;
  throw new Error("the Host ended the watch (it is shutting down); run the command again once it is back");
}
