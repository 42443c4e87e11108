/**
 * Progress of `docker create-tar` for people. On a terminal one live line is
 * redrawn (carriage return); off a terminal (piped, CI logs) whole lines are
 * printed at a steady pace, each with the total and a percent, so a log shows
 * the save moving and then ending with one "saved" line.
 */
import { formatBytes } from "../shared/units.js";

/** One save-progress report as the Host streams it. */
export interface SaveProgress {
  /** Bytes of the tarball written so far. */
  readonly bytes: number;
  /** The Host's estimate of the final size in bytes (0 = unknown). */
  readonly estimatedTotalBytes: number;
  /** Milliseconds since the save began. */
  readonly elapsedMs: number;
}

/**
 * Percent of the estimate written, 0–100 (capped: the tar stream may pass the
 * image size it is estimated from); undefined when there is no estimate.
 */
export function savePercent(p: Pick<SaveProgress, "bytes" | "estimatedTotalBytes">): number | undefined {
  if (p.estimatedTotalBytes <= 0) return undefined;
  return Math.min(100, Math.floor((p.bytes / p.estimatedTotalBytes) * 100));
}

/**
 * `saving myenv-1718000000.tar: 120 MiB of about 300 MiB (40 %)`, where
 * `message` is the Host's `saving myenv-1718000000.tar`; without an estimate,
 * the bytes alone. `barWidth` > 0 adds a bar (for a terminal's live line).
 */
export function formatSaveLine(message: string, p: SaveProgress, barWidth = 0): string {
  const percent = savePercent(p);
  const done = formatBytes(p.bytes);
  if (percent === undefined) return `${message}: ${done}`;
  const bar = barWidth > 0 ? `[${"#".repeat(Math.round((percent / 100) * barWidth)).padEnd(barWidth, "-")}] ` : "";
  return `${message}: ${bar}${done} of about ${formatBytes(p.estimatedTotalBytes)} (${percent} %)`;
}

/** `saved myenv-1718000000.tar (300 MiB) in 4.2 s`: the line that ends the save, printed at the stream's done event. */
export function formatSavedLine(file: string, bytes: number, elapsedMs: number): string {
  return `saved ${file} (${formatBytes(bytes)}) in ${(elapsedMs / 1000).toFixed(1)} s`;
}

/** How often {@link SaveLinePacer} lets a line through. */
export interface PacerOptions {
  /** At most one line per this many milliseconds, unless a percent step is crossed (default 2000). */
  readonly everyMs?: number;
  /** A line whenever the percent reaches the next multiple of this (default 10). */
  readonly percentStep?: number;
  /** The clock, in milliseconds (default Date.now). */
  readonly now?: () => number;
}

/**
 * Decides which progress reports become lines off a terminal: the first one,
 * then one each `everyMs`, or sooner when the percent crosses a step (a fast
 * save still shows 10 %, 20 %, ...). The Host reports every 250 ms; printing
 * each would flood a log.
 */
export class SaveLinePacer {
  private lastAtMs: number | undefined;
  private lastStep = -1;
  private readonly everyMs: number;
  private readonly percentStep: number;
  private readonly now: () => number;

  constructor(options: PacerOptions = {}) {
    this.everyMs = options.everyMs ?? 2000;
    this.percentStep = Math.max(1, options.percentStep ?? 10);
    this.now = options.now ?? Date.now;
  }

  /** True when this report should be printed as a line (and records it as printed). */
  shouldPrint(p: SaveProgress): boolean {
    const at = this.now();
    const percent = savePercent(p);
    const step = percent === undefined ? -1 : Math.floor(percent / this.percentStep);
    const due = this.lastAtMs === undefined || at - this.lastAtMs >= this.everyMs || step > this.lastStep;
    if (!due) return false;
    this.lastAtMs = at;
    this.lastStep = Math.max(this.lastStep, step);
    return true;
  }
}
