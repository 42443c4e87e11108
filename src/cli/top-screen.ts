/**
 * The screen of `hakuriver top`, as a pure function of what the watch has
 * shown: a header line, then the nodes, their GPUs and the active tasks,
 * fitted to the terminal (every line at most `width` columns, at most
 * `height` lines: long sections end in "… N more", sharing the rows fairly).
 */
import { timestampMs } from "@bufbuild/protobuf/wkt";
import { NodeStatus, type Node, type Task } from "../../gen/hakuriver/v1/types_pb.js";
import { requestedStatusName } from "../shared/task-status.js";
import { formatBytes, formatCores, formatDuration } from "../shared/units.js";
import { statusColour } from "./colour.js";
import { commandLine, statusText } from "./render.js";
import type { GpuRow, TopState } from "./top-state.js";

/** How to draw the screen. */
export interface TopScreenOptions {
  /** Columns of the terminal (Infinity: no limit, for a snapshot into a pipe). */
  readonly width: number;
  /** Lines of the terminal (Infinity: no limit). */
  readonly height: number;
  /** Use ANSI colours (colour.ts: a terminal with NO_COLOR unset); status words take the tables' palette. */
  readonly colour: boolean;
  /** The Host's address, for the header. */
  readonly hostAddress: string;
  /** Now, in ms since the epoch (for running times and the clock). */
  readonly nowMs: number;
  /** Show the key help line at the bottom (the live view; not a snapshot). */
  readonly keysLine: boolean;
}

/** SGR codes of top's own layout (headers, hints); status words use colour.ts. */
const SGR = { bold: "1", dim: "2", inverse: "7", cyan: "36" } as const;
type Style = keyof typeof SGR;

/** A column of a table: its header and, optionally, how a cell's (clipped) text is coloured. */
interface Column {
  readonly header: string;
  readonly colour?: (cell: string, text: string, paint: Paint) => string;
}

/** A status cell in the status colours of every table (`online (drained)` takes drained's). */
function statusCellColour(cell: string, text: string): string {
  return statusColour(cell.includes("drained") ? "drained" : cell, text, true);
}

/** A section: a title and a table (or a line saying it is empty). */
interface Section {
  readonly title: string;
  readonly columns: readonly Column[];
  readonly rows: readonly (readonly string[])[];
  readonly empty: string;
}

/** Every line of the screen (no trailing newline on any), at most `height` lines of at most `width` columns. */
export function topScreen(state: TopState, options: TopScreenOptions): string[] {
  const paint = painter(options.colour);
  const clock = clockText(options.nowMs);
  const header = headerText(state, options.hostAddress);
  const lines = [fitHeader(header, clock, options.width, paint)];
  if (!state.ready) {
    lines.push(clip(`connecting to the Host at ${options.hostAddress}…`, options.width));
    return lines.slice(0, options.height);
  }
  const gpus = state.gpus();
  const sections = [nodeSection(state.nodes()), ...(gpus.length > 0 ? [gpuSection(gpus)] : []), taskSection(state.tasks(), options.nowMs)];
  const footer = options.keysLine ? 1 : 0;
  // Each section takes a blank line, its title and its table header (or its empty line).
  const fixed = sections.length * 3;
  const shown = shareRows(sections.map((s) => s.rows.length), options.height - lines.length - footer - fixed);
  sections.forEach((section, i) => lines.push("", ...sectionLines(section, shown[i]!, options.width, paint)));
  const body = lines.slice(0, options.height - footer);
  if (!options.keysLine) return body;
  // The key help sits on the terminal's last line.
  while (Number.isFinite(options.height) && body.length < options.height - 1) body.push("");
  return [...body, paint(clip("q quit", options.width), "dim")];
}

/** Rows shown per section within `budget` lines: one at a time to each section that has more, so no section starves the others. */
export function shareRows(counts: readonly number[], budget: number): number[] {
  const shown = counts.map(() => 0);
  let left = Math.max(0, budget);
  let progress = true;
  while (left > 0 && progress) {
    progress = false;
    for (let i = 0; i < counts.length && left > 0; i++) {
      if (shown[i]! < counts[i]!) {
        shown[i]!++;
        left--;
        progress = true;
      }
    }
  }
  return shown;
}

function sectionLines(section: Section, shownRows: number, width: number, paint: Paint): string[] {
  const title = paint(clip(section.title, width), "bold");
  if (section.rows.length === 0) return [title, clip(section.empty, width)];
  const widths = section.columns.map((c, i) => Math.max(c.header.length, ...section.rows.map((r) => (r[i] ?? "").length)));
  const visible = section.rows.slice(0, shownRows);
  const hidden = section.rows.length - visible.length;
  const headers = section.columns.map((c) => c.header);
  const lines = [title, paint(tableLine(headers, widths, width, [], paint).padEnd(Number.isFinite(width) ? width : 0), "inverse")];
  const rows = hidden > 0 && visible.length > 0 ? visible.slice(0, -1) : visible;
  for (const row of rows) lines.push(tableLine(row, widths, width, section.columns, paint));
  if (hidden > 0 && visible.length > 0) lines.push(paint(clip(`… ${hidden + 1} more`, width), "dim"));
  return lines;
}

/** One table line: cells padded to their column, the last one taking what is left; clipped to `width`, styled cell by cell. */
function tableLine(cells: readonly string[], widths: readonly number[], width: number, columns: readonly Column[], paint: Paint): string {
  let out = "";
  let used = 0;
  for (let i = 0; i < cells.length && used < width; i++) {
    const gap = i === 0 ? "" : "  ";
    const cell = cells[i]!;
    const room = width - used - gap.length;
    if (room <= 0) break;
    const text = clip(cell, room);
    const pad = i === cells.length - 1 ? 0 : Math.max(0, Math.min(widths[i]!, room) - text.length);
    const colour = paint.on ? columns[i]?.colour : undefined;
    out += gap + (colour ? colour(cell, text, paint) : text) + " ".repeat(pad);
    used += gap.length + text.length + pad;
  }
  return out.trimEnd();
}

function nodeSection(nodes: readonly Node[]): Section {
  const online = nodes.filter((n) => n.status === NodeStatus.ONLINE).length;
  return {
    title: `NODES  ${nodes.length} (${online} online)`,
    empty: "No nodes have registered yet.",
    columns: [
      { header: "NODE" },
      { header: "STATUS", colour: statusCellColour },
      { header: "CORES" },
      { header: "MEMORY" },
      { header: "MEM USED" },
      { header: "LOAD" },
      { header: "CPU%" },
      { header: "GPUS" },
      { header: "TASKS" },
    ],
    rows: nodes.map((n) => {
      const memTotal = Number(n.usage?.memoryTotalBytes ?? 0n);
      const gpuCount = n.resources?.gpus.length ?? 0;
      return [
        n.name,
        (n.status === NodeStatus.ONLINE ? "online" : "offline") + (n.drained ? " (drained)" : ""),
        `${formatCores(n.coresInUse)}/${n.resources?.cores ?? 0}`,
        `${formatBytes(Number(n.memoryInUseBytes))}/${formatBytes(Number(n.resources?.memoryBytes ?? 0n))}`,
        memTotal > 0 ? `${((Number(n.usage?.memoryUsedBytes ?? 0n) / memTotal) * 100).toFixed(0)}%` : "-",
        n.usage ? n.usage.load1m.toFixed(2) : "-",
        n.usage ? n.usage.cpuPercent.toFixed(0) : "-",
        gpuCount > 0 ? `${n.gpusInUse.length}/${gpuCount}` : "-",
        String(n.activeTaskIds.length),
      ];
    }),
  };
}

function gpuSection(gpus: readonly GpuRow[]): Section {
  const busy = gpus.filter((g) => g.taskIds.length > 0).length;
  const reading = (value: number | bigint, unit: string) => (Number(value) < 0 ? "-" : `${Number(value)}${unit}`);
  return {
    title: `GPUS  ${gpus.length} (${busy} in use)`,
    empty: "",
    columns: [{ header: "NODE" }, { header: "GPU" }, { header: "NAME" }, { header: "UTIL" }, { header: "MEMORY" }, { header: "TASK", colour: (cell, text, paint) => paint(text, cell === "free" ? "dim" : "cyan") }],
    rows: gpus.map(({ node, gpu, taskIds }) => [
      node,
      String(gpu.index),
      gpu.name || "?",
      reading(Math.round(gpu.utilizationPercent), "%"),
      `${reading(gpu.memoryUsedMib, "")}/${reading(gpu.memoryTotalMib, " MiB")}`,
      taskIds.length > 0 ? taskIds.join(",") : "free",
    ]),
  };
}

function taskSection(tasks: readonly Task[], nowMs: number): Section {
  const counts = new Map<string, number>();
  for (const t of tasks) counts.set(statusText(t.status), (counts.get(statusText(t.status)) ?? 0) + 1);
  const summary = [...counts].map(([status, n]) => `${n} ${status}`).join(", ");
  return {
    title: `TASKS  ${tasks.length} active${summary ? ` (${summary})` : ""}`,
    empty: "No active tasks.",
    columns: [
      { header: "ID" },
      { header: "STATUS", colour: statusCellColour },
      { header: "NODE" },
      { header: "GPUS" },
      { header: "OWNER" },
      { header: "TIME" },
      { header: "COMMAND" },
    ],
    rows: tasks.map((t) => {
      const since = t.startedAt ?? t.submittedAt;
      return [
        t.taskId,
        statusText(t.status),
        t.assignedNode || "-",
        t.gpus.length > 0 ? t.gpus.join(",") : "-",
        t.owner || "-",
        since ? formatDuration(Math.max(0, nowMs - timestampMs(since))) : "-",
        commandLine(t),
      ];
    }),
  };
}

function headerText(state: TopState, hostAddress: string): string {
  if (!state.ready) return `hakuriver top · ${hostAddress}`;
  const nodes = state.nodes();
  const online = nodes.filter((n) => n.status === NodeStatus.ONLINE).length;
  const tasks = state.tasks();
  const running = tasks.filter((t) => requestedStatusName(t.status) === "running").length;
  return `hakuriver top · ${hostAddress} · ${online}/${nodes.length} nodes online · ${running} running, ${tasks.length - running} other active`;
}

/** The header with the clock at the right edge when there is room. */
function fitHeader(header: string, clock: string, width: number, paint: Paint): string {
  if (!Number.isFinite(width)) return paint(`${header}  ${clock}`, "bold");
  if (header.length + 2 + clock.length > width) return paint(clip(header, width), "bold");
  return paint(header + " ".repeat(width - header.length - clock.length) + clock, "bold");
}

function clockText(nowMs: number): string {
  const d = new Date(nowMs);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** Text cut to `max` columns, with an ellipsis when cut. */
function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  return max <= 0 ? "" : `${text.slice(0, max - 1)}…`;
}

/** Styles text when colour is on (`on` says which); plain otherwise. */
type Paint = ((text: string, style: Style) => string) & { readonly on: boolean };

function painter(colour: boolean): Paint {
  const paint = colour ? (text: string, style: Style) => (text === "" ? text : `\x1b[${SGR[style]}m${text}\x1b[0m`) : (text: string) => text;
  return Object.assign(paint, { on: colour });
}
