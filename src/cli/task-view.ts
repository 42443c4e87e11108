/**
 * How tasks are printed: one table for lists, a block for one task, the
 * shared JSON shape (json-shapes.ts) for machines.
 */
import type { JsonValue } from "@bufbuild/protobuf";
import type { Task } from "../../gen/hakuriver/v1/types_pb.js";
import { formatCores } from "../shared/units.js";
import { formatTimeLimit } from "../shared/time-limit.js";
import { dependencyListText, dependencyWaitText } from "../shared/dependency-text.js";
import { taskJson } from "./json-shapes.js";
import { clip, commandLine, formatTime, keyValues, memoryText, statusCell, statusText, table } from "./render.js";

/** Tasks in their `--json` shape. */
export function tasksJson(tasks: readonly Task[]): JsonValue[] {
  return tasks.map(taskJson);
}

/** The task's owner, `-` for none (tasks from before users existed, or auth off). */
export function ownerText(task: Task): string {
  return task.owner || "-";
}

/** A task's status for a table: `pending (after task 123)` while it waits for its dependencies. */
export function taskStatusCell(task: Task): string {
  const waiting = dependencyWaitText(task);
  return waiting === undefined ? statusCell(task.status) : `${statusCell(task.status)} (${clip(waiting, 40)})`;
}

/** The task's name for a table cell (clipped), `-` for none. */
export function nameText(task: Task): string {
  return task.name === "" ? "-" : clip(task.name, 32);
}

/** The task's labels as `key=value` words, sorted by key; `-` for none. */
export function labelsText(task: Task): string {
  const pairs = Object.entries(task.labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return pairs.length === 0 ? "-" : pairs.map(([key, value]) => `${key}=${value}`).join(" ");
}

/**
 * The GPUs of a task: the indexes it holds ("0,1"), or for a count not
 * given yet the count in brackets ("(2)", as a target not placed yet is
 * shown); `-` for none.
 */
export function gpusText(task: Task): string {
  if (task.gpus.length > 0) return task.gpus.join(",");
  return task.gpuCount > 0 ? `(${task.gpuCount})` : "-";
}

/** A table of tasks. */
export function taskTable(tasks: readonly Task[]): string {
  return table(
    ["ID", "STATUS", "NODE", "OWNER", "NAME", "GPUS", "EXIT", "SUBMITTED", "COMMAND"],
    tasks.map((t) => [
      t.taskId,
      taskStatusCell(t),
      t.assignedNode || (t.target ? `(${t.target})` : "-"),
      ownerText(t),
      nameText(t),
      gpusText(t),
      t.exitCode === undefined ? "-" : String(t.exitCode),
      formatTime(t.submittedAt),
      clip(commandLine(t), 60),
    ]),
  );
}

/** The `Depends on` line of a task submitted with --after / --after-ok; none otherwise. */
function dependencyRow(task: Task): [string, string][] {
  const text = dependencyListText(task);
  return text === undefined ? [] : [["Depends on", text]];
}

/** Every field of one task, for `task status`. */
export function taskDetails(task: Task): string {
  const env = Object.entries(task.env).map(([k, v]) => `${k}=${v}`).join(" ");
  return keyValues([
    ["Task", task.taskId],
    ["Batch", task.batchId],
    ["Name", task.name || "-"],
    ["Labels", labelsText(task)],
    ["Owner", ownerText(task)],
    ["Status", statusText(task.status)],
    ["Exit code", task.exitCode === undefined ? "-" : String(task.exitCode)],
    ["Message", task.message || "-"],
    // Only for tasks that have dependencies, so every other task's block keeps its shape.
    ...dependencyRow(task),
    ["Command", commandLine(task)],
    ["Node", task.assignedNode || "-"],
    ["Target", task.target || "(auto)"],
    ["NUMA node", task.numaNode === undefined ? "-" : String(task.numaNode)],
    ["GPUs", task.gpuCount > 0 ? `${task.gpus.length > 0 ? task.gpus.join(",") : "none given yet"} (${task.gpuCount} asked for by count)` : gpusText(task)],
    ["Cores", task.cores > 0 ? formatCores(task.cores) : "-"],
    ["Memory", memoryText(task.memoryBytes)],
    ["Time limit", task.timeLimitMs > 0n ? `${formatTimeLimit(Number(task.timeLimitMs))} of running time` : "-"],
    ["Container", task.container],
    ["Env", env || "-"],
    ["Submitted", formatTime(task.submittedAt)],
    ["Started", formatTime(task.startedAt)],
    ["Completed", formatTime(task.completedAt)],
    ["Output", `${task.stdoutBytes} bytes stdout, ${task.stderrBytes} bytes stderr`],
  ]);
}
