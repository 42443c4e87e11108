/**
 * The runner's table of tasks: every task it holds, ended ones included,
 * and the one place their status changes, through the shared
 * {@link transition} function (the diagram is beside it in
 * `src/shared/status-machine.ts`). Every applied change is reported up
 * through a {@link TaskReporter}; a refused one is logged with the task and
 * both statuses, never applied.
 */
import type { Logger } from "pino";
import type { TaskSpec } from "../../../gen/hakuriver/v1/runner_pb.js";
import { transition } from "../../shared/status-machine.js";
import { isFinal, type TaskStatusName } from "../../shared/task-status.js";
import type { ExitInfo, TaskHandle } from "../executors/executor.js";
import type { TaskOutput } from "../task-output.js";
import { exactSize } from "./exact-size.js";
import { timeLimitReachedMessage } from "../../shared/time-limit.js";
import type { TimeLimitWatch } from "./time-limit-watch.js";

/** A status change to report to the Host. */
export interface TaskReport {
  readonly taskId: string;
  readonly status: TaskStatusName;
  readonly exitCode?: number;
  readonly message: string;
  readonly sshPort?: number;
  /** A VPS's sshd public host keys (empty or absent = not known). */
  readonly sshHostKeys?: readonly string[];
  readonly stdoutSize: number;
  readonly stderrSize: number;
  /** Set when the report answers a SnapshotVps (the Host then reads only this). */
  readonly snapshot?: { readonly name: string; readonly error: string; readonly tarball: string; readonly sizeBytes: number };
}

/**
 * Where the task table reports (the control loop implements it). A report
 * is sent if connected and dropped otherwise: the next hello's inventory
 * carries every held task.
 */
export interface TaskReporter {
  report(report: TaskReport): void;
}

/** One held task. */
export interface RunnerTask {
  /** The spec as received; a recovered task has only its id. */
  readonly spec: TaskSpec;
  /** Changed only by {@link TaskTable.set}. */
  status: TaskStatusName;
  exitCode?: number;
  message: string;
  readonly output: TaskOutput;
  handle?: TaskHandle;
  killRequested: boolean;
  /** When it ended (ms since the epoch, from the injected clock). */
  endedAt?: number;
  /** The Host has its final status: reported while connected, or carried by a hello's inventory. */
  hostHasFinal?: boolean;
  /** Notes for its status message (limits not enforced, ...). */
  readonly notes: string[];
  /** Its executor's tasks outlive the runner process (not killed on shutdown). */
  survivesRestart?: boolean;
  /** The clock of its time limit, when it has one. */
  timeLimit?: TimeLimitWatch;
  /** Set (to the limit, ms) once the limit was reached and the task is being stopped for it. */
  timedOutAtMs?: number;
}

/** What a task table needs. */
export interface TaskTableDeps {
  readonly reporter: TaskReporter;
  readonly log: Logger;
  /** True while a control stream is welcomed (a report sent now reaches the Host's stream). */
  readonly connected: () => boolean;
}

/** The held tasks, keyed by task id. */
export class TaskTable {
  private readonly tasks = new Map<string, RunnerTask>();

  constructor(private readonly deps: TaskTableDeps) {}

  /** The held task with this id, if any. */
  get(taskId: string): RunnerTask | undefined {
    return this.tasks.get(taskId);
  }

  /** Holds a new task as it is (its first status is where it starts, not a transition). */
  add(task: RunnerTask): void {
    this.tasks.set(task.spec.taskId, task);
  }

  /** Lets go of a task (pruning). */
  delete(taskId: string): void {
    this.tasks.delete(taskId);
  }

  /** Every held task, in the order received. */
  values(): IterableIterator<RunnerTask> {
    return this.tasks.values();
  }

  /** How many tasks are held, ended ones included. */
  get size(): number {
    return this.tasks.size;
  }

  /**
   * Moves a task to `to` if the transition function allows it, then reports
   * it; a refused move is logged and changes nothing. Returns whether it applied.
   */
  set(task: RunnerTask, to: TaskStatusName, extra: { exitCode?: number; message?: string } = {}): boolean {
    const from = task.status;
    const result = transition(from, to);
    if (result.kind === "refuse") {
      this.deps.log.warn({ taskId: task.spec.taskId, from, to, reason: result.reason }, "refused a task status change");
      return false;
    }
    if (result.kind === "noop") return false;
    task.status = result.to;
    if (extra.exitCode !== undefined) task.exitCode = extra.exitCode;
    if (extra.message !== undefined) task.message = extra.message;
    // Output is shipped before the final report, so the Host has every byte the report counts.
    if (isFinal(to)) task.output.end();
    this.report(task);
    // Connected (from the welcome until the stream ends): the report went out.
    if (isFinal(to) && this.deps.connected()) task.hostHasFinal = true;
    return true;
  }

  /** Reports a task's current status again. */
  report(task: RunnerTask): void {
    this.deps.reporter.report(reportOf(task));
  }

  /** Reports a status for a task this table does not hold. */
  reportUnheld(report: TaskReport): void {
    this.deps.reporter.report(report);
  }

  /** The inventory for a hello: every held task, ended ones included. */
  inventory(): TaskReport[] {
    return [...this.tasks.values()].filter((t) => t.status !== "assigning").map(reportOf);
  }

  /** Ids of tasks running or paused now (a stopped VPS is not active: it holds nothing). */
  activeIds(): string[] {
    return [...this.tasks.values()].filter((t) => t.status === "running" || t.status === "paused").map((t) => t.spec.taskId);
  }
}

/** A task's status as reported: its message joined with its notes and any storage problem. */
export function reportOf(task: RunnerTask): TaskReport {
  return {
    taskId: task.spec.taskId,
    status: task.status,
    exitCode: task.exitCode,
    message: [task.message, ...task.notes, task.output.storageProblem()].filter(Boolean).join("; "),
    sshPort: task.handle?.sshPort,
    sshHostKeys: task.handle?.sshHostKeys,
    stdoutSize: task.output.size("stdout"),
    stderrSize: task.output.size("stderr"),
  };
}

/**
 * Derives the final status from how a task ended. `killed_oom` only when
 * the memory limit ended the task itself; when it took only some process in
 * the task and the task exited by itself, the task ends by that exit
 * (`completed` or `failed`) and its message says a process was killed for memory.
 * `timeout` when the runner stopped it for reaching its time limit
 * (`timedOutAtMs`, the limit): the stop that limit began wins over a user's
 * kill that came after it.
 */
export function finalStatus(exit: ExitInfo, killRequested: boolean, timedOutAtMs?: number): { status: TaskStatusName; message: string } {
  const limit = exit.memoryLimitBytes ? ` ${exactSize(exit.memoryLimitBytes)}` : "";
  if (exit.oomKilled) return { status: "killed_oom", message: `killed by the out-of-memory killer (memory limit${limit} reached)` };
  const processKill = exit.processOomKilled ? `a process in the task was killed for exceeding the memory limit${limit ? ` (${limit.trim()})` : ""}` : undefined;
  if (timedOutAtMs !== undefined) {
    const reached = timeLimitReachedMessage(timedOutAtMs);
    return { status: "timeout", message: processKill ? `${reached}; earlier, ${processKill}` : reached };
  }
  if (killRequested) return { status: "killed", message: processKill ? `killed by user; earlier, ${processKill}` : "killed by user" };
  const ownEnd = exit.detail ?? `exited with code ${exit.exitCode}`;
  if (processKill) return { status: exit.exitCode === 0 ? "completed" : "failed", message: `${processKill}; the task itself ${exit.detail ? `ended: ${exit.detail}` : ownEnd}` };
  if (exit.exitCode === 0) return { status: "completed", message: "" };
  return { status: "failed", message: ownEnd };
}
