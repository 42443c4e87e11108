/**
 * The interface every executor (native process, Docker container) meets,
 * so the supervisor treats them alike and a restarted runner re-adopts work.
 */
import type { TaskSpec } from "../../../gen/hakuriver/v1/runner_pb.js";

/** Where a task's output goes (bytes in the order they were produced). */
export interface OutputSink {
  stdout(data: Uint8Array): void;
  stderr(data: Uint8Array): void;
}

/** How a task ended. */
export interface ExitInfo {
  /** Exit status; 128 + signal number for a signal death; null when unknown. */
  readonly exitCode: number | null;
  /** The kernel's OOM killer ended it. */
  readonly oomKilled: boolean;
  /** Extra words for the task's message (signal name, launch error). */
  readonly detail?: string;
}

/** A started task. */
export interface TaskHandle {
  /** Stable reference to find the task again after a runner restart (pid, container id). */
  readonly ref: string;
  /** For a VPS: the sshd port on the runner's 127.0.0.1. */
  readonly sshPort?: number;
  /** Resolves when the task has ended and its output is fully delivered. */
  wait(): Promise<ExitInfo>;
  /** Stops the task (graceful, then forced). Resolves once the stop was issued. */
  kill(): Promise<void>;
  pause(): Promise<void>;
  resume(): Promise<void>;
}

/** Context for a start: paths the runner owns. */
export interface StartContext {
  readonly sharedDir: string;
  readonly localTempDir: string;
  /** A note the task's status message should carry (for example, limits not enforced). */
  note(text: string): void;
}

/** A task found by {@link Executor.recover} after a runner restart. */
export interface RecoveredTask {
  readonly taskId: string;
  readonly handle: TaskHandle;
  /** Whether it was paused. */
  readonly paused: boolean;
}

/** An executor. */
export interface Executor {
  readonly name: string;
  /**
   * True when its tasks live on without the runner process (containers), so
   * a runner shutdown leaves them running for the next runner to re-adopt.
   */
  readonly survivesRunnerRestart?: boolean;
  /** Starts the task; rejects with a clear message when it cannot. */
  start(spec: TaskSpec, sink: OutputSink, context: StartContext): Promise<TaskHandle>;
  /**
   * Finds tasks left running by a previous runner process. `refs` are the
   * references recorded then; `sinkFor` gives each re-adopted task's output sink.
   */
  recover(refs: ReadonlyMap<string, string>, sinkFor: (taskId: string) => OutputSink): Promise<RecoveredTask[]>;
}
