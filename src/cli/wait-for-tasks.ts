/**
 * Waits for tasks over a Watch of their batch: the snapshot holds each
 * task's state when the watch starts (so a change between the submission
 * and the watch is never missed), and every change follows as it happens.
 * A watch the Host ends or drops (a restart) is opened again, and its
 * snapshot picks up what happened in between.
 */
import { Code, ConnectError, type Client } from "@connectrpc/connect";
import type { ClientService } from "../../gen/hakuriver/v1/client_pb.js";
import type { Task } from "../../gen/hakuriver/v1/types_pb.js";
import { isFinal, statusName } from "../shared/task-status.js";
import { failureExitCode, TIMEOUT_EXIT_CODE } from "./exit-codes.js";

/** Codes after which the wait watches again rather than fails. */
const RETRYABLE = new Set([Code.Unavailable, Code.Canceled, Code.Aborted, Code.Internal, Code.Unknown, Code.DeadlineExceeded]);
/** How long a wait keeps trying to watch again while the Host is unreachable (ms). */
const RECONNECT_FOR_MS = 120_000;
/** The most tasks one watch's snapshot holds (the Host's limit). */
const MAX_SNAPSHOT_TASKS = 100_000;

/** The wait's `timeoutMs` passed before every task was done. */
export class WaitTimeout extends Error {
  constructor(readonly notDone: number, timeoutMs: number) {
    super(`${notDone} task${notDone === 1 ? " is" : "s are"} not done after ${Math.round(timeoutMs / 1000)} s`);
  }
}

/** What to wait for. */
export interface WaitOptions {
  /** When a task is done waiting for; default: a final status. */
  readonly done?: (task: Task) => boolean;
  /** Give up after this long (ms); default never. */
  readonly timeoutMs?: number;
}

/**
 * Resolves with every task of `taskIds` (all of batch `batchId`), in that
 * order, once each passes `done`. Rejects with {@link WaitTimeout} after
 * `timeoutMs`, and with the Host's error when it
 * refuses the watch or stays unreachable for two minutes.
 */
export async function waitForTasks(client: Client<typeof ClientService>, batchId: string, taskIds: readonly string[], options: WaitOptions = {}): Promise<Task[]> {
  const done = options.done ?? ((task: Task) => isFinal(statusName(task.status)));
  const waiting = new Set(taskIds);
  const finished = new Map<string, Task>();
  const abort = new AbortController();
  const timer = options.timeoutMs === undefined ? undefined : setTimeout(() => abort.abort(new Error("timeout")), options.timeoutMs);
  let failingSince: number | undefined;
  try {
    while (waiting.size > 0) {
      try {
        const request = { tasks: true, taskFilter: { batchId, limit: Math.min(MAX_SNAPSHOT_TASKS, taskIds.length) } };
        for await (const message of client.watch(request, { signal: abort.signal })) {
          failingSince = undefined;
          for (const task of message.tasks) {
            if (!waiting.has(task.taskId) || !done(task)) continue;
            waiting.delete(task.taskId);
            finished.set(task.taskId, task);
          }
          if (waiting.size === 0) break;
        }
      } catch (error) {
        if (abort.signal.aborted) throw new WaitTimeout(waiting.size, options.timeoutMs ?? 0);
        const connectError = ConnectError.from(error);
        if (!RETRYABLE.has(connectError.code)) throw connectError;
        failingSince ??= Date.now();
        if (Date.now() - failingSince > RECONNECT_FOR_MS) throw connectError;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  } finally {
    clearTimeout(timer);
    abort.abort();
  }
  return taskIds.map((id) => finished.get(id)!);
}

/**
 * The exit code a waiting command returns: 0 when every task completed;
 * 124 ({@link TIMEOUT_EXIT_CODE}) when every one that did not complete
 * ended `timeout`; else, for one task, its own code (1 when it failed
 * without one), and for several, 1.
 */
export function exitCodeOfTasks(tasks: readonly Task[]): number {
  const unfinished = tasks.filter((t) => statusName(t.status) !== "completed");
  if (unfinished.length === 0) return 0;
  if (unfinished.every((t) => statusName(t.status) === "timeout")) return TIMEOUT_EXIT_CODE;
  return tasks.length === 1 ? failureExitCode(tasks[0]!.exitCode) : 1;
}
