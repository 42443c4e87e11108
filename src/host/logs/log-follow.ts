/**
 * Following one output stream of a task: what is stored is yielded from an
 * offset, then (when following) what arrives, until the task has ended and
 * its output has settled. The end carries the status and exit code, so a
 * follower never has to ask again.
 *
 * "Settled": the task is final and the stream reached the size its runner
 * reported at the end, or that size is unknown, or nothing arrived for
 * `settleMs` (output still in flight from a runner that went away).
 */
import { isFinal, type TaskStatusName } from "../../shared/task-status.js";
import type { TaskRepo } from "../store/task-repo.js";
import type { TaskEvents } from "../tasks/task-events.js";
import type { TaskRecord } from "../tasks/task-record.js";
import type { LogStore } from "./log-store.js";

/** Which output. */
export type LogStreamName = "stdout" | "stderr";

/** What a follow yields: bytes at an offset, then exactly one end. */
export type LogFollowEvent =
  | { readonly kind: "data"; readonly offset: number; readonly data: Uint8Array }
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
  /** Byte offset to start from (0 or more). */
  readonly offset: number;
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
  let offset = request.offset;
  let quietSince: number | undefined;
  for (;;) {
    // Read what is there, then decide whether the stream is over.
    for (;;) {
      const data = deps.logs.read(task.taskId, stream, offset);
      if (data.length === 0) break;
      yield { kind: "data", offset, data };
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
