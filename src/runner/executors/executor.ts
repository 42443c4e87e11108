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
  /**
   * The memory limit ended the task itself: its main process was killed by
   * the OOM killer (SIGKILL with an OOM kill counted in its cgroup, or, in a
   * container, Docker's OOMKilled with exit code 137).
   */
  readonly oomKilled: boolean;
  /**
   * The OOM killer killed a process in the task, but not the task itself:
   * the main process went on and exited by itself (its code is `exitCode`).
   */
  readonly processOomKilled?: boolean;
  /** The task's memory limit, for the words of an OOM message; absent or 0 when unknown. */
  readonly memoryLimitBytes?: number;
  /** Extra words for the task's message (signal name, launch error). */
  readonly detail?: string;
  /**
   * VPS only: its container was stopped on request and kept (a VPS stop):
   * the task has not ended; it is stopped, and may be started again.
   */
  readonly keptStopped?: boolean;
}

/** A started task. */
export interface TaskHandle {
  /** Stable reference to find the task again after a runner restart (pid, container id). */
  readonly ref: string;
  /** For a VPS: the sshd port on the runner's 127.0.0.1. */
  readonly sshPort?: number;
  /** For a VPS: its sshd's public host keys (`TYPE BASE64` lines), when they could be read. */
  readonly sshHostKeys?: readonly string[];
  /** Resolves when the task has ended and its output is fully delivered. */
  wait(): Promise<ExitInfo>;
  /** Stops the task (graceful, then forced). Resolves once the stop was issued. */
  kill(): Promise<void>;
  pause(): Promise<void>;
  resume(): Promise<void>;
  /**
   * VPS only: stops the container and keeps it; `wait` then resolves with
   * `keptStopped`. Absent for tasks that cannot be stopped and kept.
   */
  stop?(): Promise<void>;
}

/** Context for a start: paths the runner owns. */
export interface StartContext {
  readonly sharedDir: string;
  readonly localTempDir: string;
  /** A note the task's status message should carry (for example, limits not enforced). */
  note(text: string): void;
}

/**
 * What {@link Executor.recover} found of one recorded task:
 * - `adopted`: it lives (or ended while the runner was away and its end can
 *   still be read): the handle's `wait` gives its real exit;
 * - `ended`: it is gone, and this is all that is known of how it ended;
 * - `lost`: it cannot be adopted (never started, or its executor's work dies
 *   with the runner); whatever is left of it is for {@link Executor.destroy};
 * - `stopped`: a VPS stopped on request whose kept container is still there.
 */
export type Recovery =
  | { readonly kind: "adopted"; readonly handle: TaskHandle; readonly paused: boolean }
  | { readonly kind: "stopped" }
  | { readonly kind: "ended"; readonly exit: ExitInfo }
  | { readonly kind: "lost" };

/** What the state file says of a task besides its reference. */
export interface RecoveryHint {
  /** It was stopped on request (a VPS stop) and its container kept. */
  readonly stopped?: boolean;
}

/**
 * An executor, in the shape of Nomad's task driver: start one task, recover
 * one task after a restart, destroy what is left of one, and sweep what
 * nobody recorded.
 */
export interface Executor {
  /** Its name in the state file. */
  readonly name: string;
  /**
   * True when its tasks live on without the runner process (containers), so
   * a runner shutdown leaves them running for the next runner to re-adopt.
   */
  readonly survivesRunnerRestart?: boolean;
  /** Starts the task; rejects with a clear message when it cannot. */
  start(spec: TaskSpec, sink: OutputSink, context: StartContext): Promise<TaskHandle>;
  /**
   * Finds one task a previous runner process recorded (`ref` is the handle's
   * ref then, "" when it was received but not yet started) and adopts it,
   * its output going to `sink`, or says it cannot. Rejects only when it could
   * not look (say, the Docker engine is down): then the task is left alone.
   */
  recover(taskId: string, ref: string, sink: OutputSink, hint?: RecoveryHint): Promise<Recovery>;
  /**
   * Stops and removes whatever is left of a task that was not adopted
   * (process, container, cgroup); a task with nothing left is a no-op.
   */
  destroy(taskId: string, ref: string): Promise<void>;
  /**
   * Removes this runner's leftovers of tasks nobody recorded or whose record
   * is already closed (`known`: the ids still to recover).
   */
  sweepOrphans(known: ReadonlySet<string>): Promise<void>;
}
