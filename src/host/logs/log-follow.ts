/**
 * Following one output stream of a task: what is stored is yielded from an
 * offset, then (when following) what arrives, until the task has ended and
 * its output has settled. The end carries the status and exit code, so a
 * follower never has to ask again.
 *
 * "Settled": the task is final and the stream reached the size its runner
 * reported at the end, or that size is unknown, or nothing arrived for
 * `settleMs` (output still in flight from a runner that went away).
 *
 * A follow may start at the last N lines (`tailLines`) or at the first
 * output that arrived since a time (`sinceMs`), and may carry each chunk's
 * arrival time (`timestamps`: one data event per chunk as it reached the
 * Host, see arrival-index.ts).
 */
import { isFinal, type TaskStatusName } from "../../shared/task-status.js";
import type { TaskRepo } from "../store/task-repo.js";
import type { TaskEvents } from "../tasks/task-events.js";
import type { TaskRecord } from "../tasks/task-record.js";
import { entryHolding, firstOffsetSince, type ArrivalEntry } from "./arrival-index.js";
import type { LogStore } from "./log-store.js";

/** Which output. */
export type LogStreamName = "stdout" | "stderr";

/** What a follow yields: bytes at an offset, then exactly one end. */
export type LogFollowEvent =
  | {
      readonly kind: "data";
      readonly offset: number;
      readonly data: Uint8Array;
      /** When the bytes reached the Host (ms since the epoch); set only when timestamps were asked for. */
      readonly receivedAtMs?: number;
    }
  | { readonly kind: "end"; readonly status: TaskStatusName; readonly exitCode: number | undefined; readonly sizeBytes: number };

/** What following needs. */
export interface LogFollowDeps {
  readonly logs: LogStore;
  readonly repo: Pick<TaskRepo, "get">;
  readonly events: Pick<TaskEvents, "nextChange">;
  readonly now: () => number;
  /** How long a follower waits, after a task ended, for output still in flight (ms). */
  readonly settleMs: number;
}

/** Where and how to follow. */
export interface LogFollowRequest {
  readonly task: TaskRecord;
  readonly stream: LogStreamName;
  /** Byte offset to start from (0 or more); with tailLines or sinceMs, the latest of the starts wins. */
  readonly offset: number;
  /** Start at the last this many lines (0 or absent: no tail). */
  readonly tailLines?: number;
  /** Start at the first output that arrived at or after this time (ms since the epoch). */
  readonly sinceMs?: number;
  /** Yield one data event per arrived chunk, with its arrival time. */
  readonly timestamps?: boolean;
  /** False: yield what is stored now, then the end. */
  readonly follow: boolean;
  /** Aborting ends the follow with its end event. */
  readonly signal: AbortSignal;
}

/** Between checks while the task runs, and after it ended (ms): a change wakes it sooner. */
const RUNNING_WAIT_MS = 5_000;
const SETTLING_WAIT_MS = 250;

/** Yields the stream's bytes from `offset`, then one end event. */
export async function* followLog(deps: LogFollowDeps, request: LogFollowRequest): AsyncGenerator<LogFollowEvent> {
  const { task, stream, signal } = request;
  let offset = startOffset(deps.logs, request);
  const arrivals = request.timestamps ? new ArrivalCursor(deps.logs, task.taskId, stream) : undefined;
  let quietSince: number | undefined;
  for (;;) {
    // Read what is there, then decide whether the stream is over.
    for (;;) {
      // Refreshed right before the read, with no await between: an append cannot fall between them.
      arrivals?.refresh();
      const chunk = arrivals?.chunkAt(offset);
      const data = deps.logs.read(task.taskId, stream, offset, chunk?.maxBytes);
      if (data.length === 0) break;
      yield chunk ? { kind: "data", offset, data, receivedAtMs: chunk.atMs } : { kind: "data", offset, data };
      offset += data.length;
      quietSince = undefined;
    }
    const latest = (await deps.repo.get(task.taskId)) ?? task;
    const finalSize = stream === "stdout" ? latest.stdoutFinalBytes : latest.stderrFinalBytes;
    const final = isFinal(latest.status);
    quietSince ??= deps.now();
    const settled = final && (finalSize < 0 || offset >= finalSize || deps.now() - quietSince > deps.settleMs);
    if (!request.follow || settled || signal.aborted) {
      yield { kind: "end", status: latest.status, exitCode: final ? (latest.exitCode ?? undefined) : undefined, sizeBytes: deps.logs.size(task.taskId, stream) };
      return;
    }
    await deps.events.nextChange(task.taskId, final ? SETTLING_WAIT_MS : RUNNING_WAIT_MS, signal);
  }
}

/** Where a follow starts: the latest of its offset, its tail's start and its since's start. */
function startOffset(logs: LogStore, request: LogFollowRequest): number {
  const { task, stream } = request;
  let start = request.offset;
  if (request.tailLines !== undefined && request.tailLines > 0) start = Math.max(start, logs.tailStart(task.taskId, stream, request.tailLines));
  if (request.sinceMs !== undefined) {
    const since = firstOffsetSince(logs.arrivals(task.taskId, stream), request.sinceMs, logs.size(task.taskId, stream), logs.modifiedMs(task.taskId, stream));
    start = Math.max(start, since);
  }
  return start;
}

/** Reads at most this much when no later chunk bounds a read (as LogStore.read does). */
const READ_BYTES = 256 * 1024;

/**
 * A follower's view of a stream's arrival index: read once, then only the
 * entries appended since, so a long follow never re-reads the whole index.
 */
class ArrivalCursor {
  private readonly entries: ArrivalEntry[] = [];

  constructor(
    private readonly logs: LogStore,
    private readonly taskId: number,
    private readonly stream: LogStreamName,
  ) {}

  /** Takes in entries appended since the last look. */
  refresh(): void {
    for (const entry of this.logs.arrivals(this.taskId, this.stream, this.entries.length)) this.entries.push(entry);
  }

  /** The chunk that holds byte `offset`: when it arrived, and how many bytes are left in it (undefined: to the end). */
  chunkAt(offset: number): { readonly atMs: number; readonly maxBytes: number } {
    if (this.entries.length === 0) return { atMs: this.logs.modifiedMs(this.taskId, this.stream), maxBytes: READ_BYTES };
    const index = entryHolding(this.entries, offset);
    // Bytes before the first entry arrived no later than it did.
    const holder = this.entries[Math.max(0, index)]!;
    const next = this.entries[index + 1];
    return { atMs: holder.atMs, maxBytes: next ? Math.min(READ_BYTES, next.offset - offset) : READ_BYTES };
  }
}
