/**
 * Output for people: aligned tables, key/value blocks, times, statuses.
 */
import { timestampMs, type Timestamp } from "@bufbuild/protobuf/wkt";
import { NodeStatus, TaskKind, TaskStatus, type Task } from "../../gen/hakuriver/v1/types_pb.js";
import { statusName } from "../shared/task-status.js";
import { formatBytes } from "../shared/units.js";
import { stripVTControlCharacters } from "node:util";
import { statusColour } from "./colour.js";

/** Width of a cell as shown: colour escapes take no room. */
function shownWidth(text: string): number {
  return stripVTControlCharacters(text).length;
}

/** Renders rows as a table with a header; columns padded to their widest cell (as shown, without colour escapes). */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => shownWidth(r[i] ?? ""))));
  const pad = (cell: string, width: number) => cell + " ".repeat(Math.max(0, width - shownWidth(cell)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : pad(c, widths[i]!))).join("  ").trimEnd();
  return [line(header), ...rows.map(line)].join("\n");
}

/** Renders `key: value` lines with aligned values. */
export function keyValues(pairs: readonly (readonly [string, string])[]): string {
  const width = Math.max(...pairs.map(([k]) => k.length));
  return pairs.map(([k, v]) => `${`${k}:`.padEnd(width + 1)} ${v}`).join("\n");
}

/** Local time `YYYY-MM-DD HH:MM:SS`, or `-` when unset. */
export function formatTime(ts: Timestamp | undefined): string {
  if (!ts) return "-";
  const d = new Date(timestampMs(ts));
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** Status name as users know it (`killed_oom`). */
export function statusText(status: TaskStatus): string {
  return status === TaskStatus.UNSPECIFIED ? "unknown" : statusName(status);
}

/** The status word for a table cell: coloured on a terminal (colour.ts). */
export function statusCell(status: TaskStatus): string {
  return statusColour(statusText(status));
}

/** The node status for a table cell, `online (drained)` and the like, coloured on a terminal. */
export function nodeStatusCell(status: NodeStatus, drained: boolean): string {
  const word = nodeStatusText(status);
  return statusColour(word) + (drained ? ` (${statusColour("drained")})` : "");
}

/** `online` / `offline`. */
export function nodeStatusText(status: NodeStatus): string {
  return status === NodeStatus.ONLINE ? "online" : "offline";
}

/** The command line of a task, shell-quoted where needed, for display only. */
export function commandLine(task: Task): string {
  if (task.kind === TaskKind.VPS) return "(vps)";
  return [task.command, ...task.args].map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(" ");
}

/** Memory for people, `-` for none. */
export function memoryText(bytes: bigint): string {
  return bytes > 0n ? formatBytes(Number(bytes)) : "-";
}

/** Truncates long text with an ellipsis. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
