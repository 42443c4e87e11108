/**
 * How the dashboard writes values: statuses, sizes, times (relative, with
 * the absolute time in the title), CPU and memory.
 */
import { timestampDate, type Timestamp } from "@bufbuild/protobuf/wkt";
import { NodeStatus, TaskKind, TaskStatus } from "../../gen/hakuriver/v1/types_pb.js";

/** "running", "killed_oom", … as the CLI prints them. */
export function taskStatusName(status: TaskStatus): string {
  return (TaskStatus[status] ?? "unspecified").toLowerCase();
}

/** "online" or "offline". */
export function nodeStatusName(status: NodeStatus): string {
  return (NodeStatus[status] ?? "unspecified").toLowerCase();
}

/** "command" or "vps". */
export function taskKindName(kind: TaskKind): string {
  return (TaskKind[kind] ?? "unspecified").toLowerCase();
}

/** Statuses after which a task never changes. */
export const FINAL_STATUSES: ReadonlySet<TaskStatus> = new Set([TaskStatus.COMPLETED, TaskStatus.FAILED, TaskStatus.KILLED, TaskStatus.KILLED_OOM, TaskStatus.LOST, TaskStatus.TIMEOUT]);

/** "1.5 GiB", "512 MiB", "0 B". */
export function formatBytes(bytes: bigint | number): string {
  let value = Number(bytes);
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? value : value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/** Milliseconds since the epoch, or undefined for an unset timestamp. */
export function millis(timestamp: Timestamp | undefined): number | undefined {
  return timestamp ? timestampDate(timestamp).getTime() : undefined;
}

/** "12 s ago", "in 3 min", "2 h ago"; "" for an unset time. */
export function relativeTime(at: number | undefined, now: number = Date.now()): string {
  if (at === undefined) return "";
  const seconds = Math.round((now - at) / 1000);
  const magnitude = Math.abs(seconds);
  const text = magnitude < 60 ? `${magnitude} s` : magnitude < 3600 ? `${Math.round(magnitude / 60)} min` : magnitude < 86400 ? `${Math.round(magnitude / 3600)} h` : `${Math.round(magnitude / 86400)} d`;
  return seconds >= 0 ? `${text} ago` : `in ${text}`;
}

/** The absolute local time, for titles and detail views. */
export function absoluteTime(at: number | undefined): string {
  return at === undefined ? "" : new Date(at).toLocaleString();
}

/** "1 h 02 min", "3.4 s": how long from `from` to `to` (or now). */
export function duration(from: number | undefined, to: number | undefined, now: number = Date.now()): string {
  if (from === undefined) return "";
  const ms = (to ?? now) - from;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 60) return `${minutes} min ${String(Math.floor((ms % 60_000) / 1000)).padStart(2, "0")} s`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, "0")} min`;
}

/** "42%" with no decimals below 10 000. */
export function percent(value: number): string {
  return `${Math.round(value)}%`;
}
