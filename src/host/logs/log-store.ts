/**
 * The Host's copy of every task's output, kept where the original keeps it:
 * `shared_dir/task_outputs/<id>.out` and `shared_dir/task_errors/<id>.err`.
 *
 * Runners ship chunks with byte offsets; a chunk is written at its offset,
 * so a re-sent chunk is harmless and, where the Host and the runner share
 * the directory, writing the runner's own bytes back over them changes nothing.
 * A write the disk refuses throws a StorageFault naming the file.
 *
 * Beside each log the store keeps when its chunks arrived (arrival-index.ts),
 * for `logs --since` and `--timestamps`.
 */
import { closeSync, constants, mkdirSync, openSync, readSync, statSync, writeSync } from "node:fs";
import { join } from "node:path";
import { taskLogPath as logPath, type StreamName } from "../../shared/task-log-path.js";
import { asStorageFault } from "../../shared/storage-errors.js";
import { appendArrival, arrivalIndexPath, readArrivals, type ArrivalEntry } from "./arrival-index.js";
import { tailStartOffset } from "./log-tail.js";

export { taskLogPath as logPath, type StreamName } from "../../shared/task-log-path.js";

/** What a {@link LogStore} may be given besides its directory. */
export interface LogStoreOptions {
  /** Called after every write that stored new bytes. */
  readonly onAppend?: (taskId: number) => void;
  /** Stamps arrivals (ms since the epoch); default Date.now. */
  readonly now?: () => number;
  /**
   * Told when an arrival time could not be stored (the output itself was):
   * that output's time then falls back as arrivalOf says. Default: a
   * process warning.
   */
  readonly onTimesLost?: (error: unknown) => void;
}

/** Stores and reads task output. */
export class LogStore {
  private readonly sizes = new Map<string, number>();
  /** The time of each stream's last index entry, to fold chunks of one millisecond into one entry. */
  private readonly lastArrivalMs = new Map<string, number>();
  private readonly onAppend: (taskId: number) => void;
  private readonly now: () => number;
  private readonly onTimesLost: (error: unknown) => void;

  constructor(
    private readonly sharedDir: string,
    options: LogStoreOptions = {},
  ) {
    this.onAppend = options.onAppend ?? (() => {});
    this.now = options.now ?? Date.now;
    this.onTimesLost = options.onTimesLost ?? ((error) => process.emitWarning(error instanceof Error ? error.message : String(error)));
    mkdirSync(join(sharedDir, "task_outputs"), { recursive: true });
    mkdirSync(join(sharedDir, "task_errors"), { recursive: true });
  }

  /** Bytes held for the stream (0 when none yet). */
  size(taskId: number, stream: StreamName): number {
    const key = `${taskId}.${stream}`;
    let size = this.sizes.get(key);
    if (size === undefined) {
      try {
        size = statSync(logPath(this.sharedDir, taskId, stream)).size;
      } catch {
        size = 0;
      }
      this.sizes.set(key, size);
    }
    return size;
  }

  /**
   * Writes `data` at `offset`. Bytes the store already holds are skipped;
   * a chunk that starts past the end is refused (returns false) so a gap
   * never appears: the runner re-sends from the Host's cursor on reconnect.
   */
  append(taskId: number, stream: StreamName, offset: number, data: Uint8Array): boolean {
    const size = this.size(taskId, stream);
    if (offset > size) return false;
    const skip = size - offset;
    if (skip >= data.length) return true;
    // Positional writes (not O_APPEND): where the runner shares this file,
    // it may already be longer than what the Host has acknowledged.
    const path = logPath(this.sharedDir, taskId, stream);
    let written = 0;
    try {
      const fd = openSync(path, constants.O_WRONLY | constants.O_CREAT, 0o644);
      try {
        // A nearly full disk takes part of a write and refuses the rest: count what landed.
        while (skip + written < data.length) written += writeSync(fd, data, skip + written, data.length - skip - written, size + written);
      } finally {
        closeSync(fd);
      }
    } catch (error) {
      // What did land counts, so the runner's re-send starts right after it.
      if (written > 0) this.sizes.set(`${taskId}.${stream}`, size + written);
      throw asStorageFault(error, path, `storing ${stream} of task ${taskId}`);
    }
    this.sizes.set(`${taskId}.${stream}`, offset + data.length);
    this.recordArrival(taskId, stream, size, path);
    this.onAppend(taskId);
    return true;
  }

  /** Notes that the bytes from `offset` on arrived now (one entry per millisecond at most). */
  private recordArrival(taskId: number, stream: StreamName, offset: number, path: string): void {
    const key = `${taskId}.${stream}`;
    const atMs = this.now();
    if (this.lastArrivalMs.get(key) === atMs) return;
    const indexPath = arrivalIndexPath(path);
    try {
      appendArrival(indexPath, { offset, atMs });
      this.lastArrivalMs.set(key, atMs);
    } catch (error) {
      // The output itself is stored (the runner must not re-send it): only its time is lost.
      this.onTimesLost(asStorageFault(error, indexPath, `storing arrival times of ${stream} of task ${taskId}`));
    }
  }

  /** The stream's arrival index from entry `fromEntry` on (see arrival-index.ts); empty when none was kept. */
  arrivals(taskId: number, stream: StreamName, fromEntry = 0): ArrivalEntry[] {
    return readArrivals(arrivalIndexPath(logPath(this.sharedDir, taskId, stream)), fromEntry);
  }

  /** When the stream's file was last written (ms since the epoch; 0 when it does not exist). */
  modifiedMs(taskId: number, stream: StreamName): number {
    try {
      return Math.floor(statSync(logPath(this.sharedDir, taskId, stream)).mtimeMs);
    } catch {
      return 0; // No file: no output, so no time; nothing will be served from it.
    }
  }

  /** Byte offset where the stream's last `lines` lines start (see log-tail.ts). */
  tailStart(taskId: number, stream: StreamName, lines: number): number {
    return tailStartOffset((offset, length) => this.read(taskId, stream, offset, length), this.size(taskId, stream), lines);
  }

  /** Reads up to `maxBytes` from `offset`; empty at or past the end. */
  read(taskId: number, stream: StreamName, offset: number, maxBytes = 256 * 1024): Uint8Array {
    const size = this.size(taskId, stream);
    const length = Math.max(0, Math.min(maxBytes, size - offset));
    if (length === 0) return new Uint8Array(0);
    const buffer = Buffer.alloc(length);
    const fd = openSync(logPath(this.sharedDir, taskId, stream), "r");
    try {
      const read = readSync(fd, buffer, 0, length, offset);
      return buffer.subarray(0, read);
    } finally {
      closeSync(fd);
    }
  }
}
