/**
 * For benchmarks: submit N native `true` tasks, a few calls in flight, and
 * wait until a Watch has seen each of them end.
 */
import type { Client } from "@connectrpc/connect";
import type { ClientService } from "../../gen/hakuriver/v1/client_pb.js";
import { TaskStatus } from "../../gen/hakuriver/v1/types_pb.js";

const FINAL = [TaskStatus.COMPLETED, TaskStatus.FAILED, TaskStatus.KILLED, TaskStatus.LOST, TaskStatus.KILLED_OOM, TaskStatus.TIMEOUT];

/** How a run of tasks went. */
export interface NativeRun {
  /** First submit to the last end seen, in seconds. */
  readonly seconds: number;
  /** How many did not complete. */
  readonly notCompleted: number;
  /** Those, by status with one message of each ("" when all completed). */
  readonly notCompletedText: string;
}

/** What to run. */
export interface NativeRunOptions {
  readonly count: number;
  /** Cores each task asks for (0 = none reserved). */
  readonly cores: number;
  /** SubmitTask calls in flight at once. */
  readonly inFlight: number;
  /** Called once the Watch is open, just before the first submit (to start a clock or a CPU reading). */
  readonly beforeSubmit?: () => void;
}

/** Submits `count` native `true` tasks, one SubmitTask call each, and resolves once a Watch has seen every one end. */
export async function runNativeTasks(client: Client<typeof ClientService>, options: NativeRunOptions): Promise<NativeRun> {
  const { count } = options;
  const ended = new Map<string, TaskStatus>();
  const sampleMessage = new Map<TaskStatus, string>();
  const ids = new Set<string>();
  const watch = new AbortController();
  let snapshotDone!: () => void;
  const ready = new Promise<void>((resolve) => (snapshotDone = resolve));
  let allEnded!: () => void;
  const done = new Promise<void>((resolve) => (allEnded = resolve));
  const check = (): void => {
    if (ids.size === count && [...ids].every((id) => ended.has(id))) allEnded();
  };
  const watching = (async () => {
    for await (const message of client.watch({ tasks: true, taskFilter: { statuses: FINAL } }, { signal: watch.signal })) {
      if (message.snapshotComplete) snapshotDone();
      for (const task of message.tasks) {
        ended.set(task.taskId, task.status);
        if (!sampleMessage.has(task.status)) sampleMessage.set(task.status, task.message);
      }
      if (ids.size === count) check();
    }
  })().catch((error: unknown) => {
    if (!watch.signal.aborted) throw error;
  });
  await ready;
  options.beforeSubmit?.();
  const start = performance.now();
  let submitted = 0;
  const submitter = async (): Promise<void> => {
    while (submitted < count) {
      submitted++;
      const { tasks } = await client.submitTask({ command: "true", container: "NULL", cores: options.cores });
      ids.add(tasks[0]!.taskId);
    }
  };
  await Promise.all(Array.from({ length: options.inFlight }, submitter));
  check();
  await done;
  const seconds = (performance.now() - start) / 1000;
  watch.abort();
  await watching;
  const byStatus = new Map<TaskStatus, number>();
  for (const id of ids) {
    const status = ended.get(id)!;
    if (status !== TaskStatus.COMPLETED) byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
  }
  return {
    seconds,
    notCompleted: [...byStatus.values()].reduce((a, b) => a + b, 0),
    notCompletedText: [...byStatus].map(([status, n]) => `${n} ${TaskStatus[status]} (${sampleMessage.get(status)})`).join(", "),
  };
}
