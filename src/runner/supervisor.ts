/**
 * Holds the tasks of this runner: starts them on the right executor, tracks
 * their status, applies kill/pause/resume, and keeps ended tasks (with exit
 * codes) until the Host has heard of them, so nothing is lost while the
 * control stream is down.
 */
import type { Logger } from "pino";
import type { TaskSpec } from "../../gen/hakuriver/v1/runner_pb.js";
import { isFinal, type TaskStatusName } from "../shared/task-status.js";
import type { Executor, ExitInfo, RecoveredTask, TaskHandle } from "./executors/executor.js";
import type { RecordedEnd, StateFile } from "./state-file.js";
import { TaskOutput, type ChunkSender } from "./task-output.js";

/** A status change to report to the Host. */
export interface TaskReport {
  readonly taskId: string;
  readonly status: TaskStatusName;
  readonly exitCode?: number;
  readonly message: string;
  readonly sshPort?: number;
  readonly stdoutSize: number;
  readonly stderrSize: number;
}

interface RunnerTask {
  readonly spec: TaskSpec;
  status: TaskStatusName;
  exitCode?: number;
  message: string;
  readonly output: TaskOutput;
  handle?: TaskHandle;
  killRequested: boolean;
  endedAt?: number;
  /** The Host has its final status: reported while connected, or carried by a hello's inventory. */
  hostHasFinal?: boolean;
  readonly notes: string[];
  /** Its executor's tasks outlive the runner process (not killed on shutdown). */
  survivesRestart?: boolean;
}

/** How long ended tasks stay in the inventory (the Host has them by then). */
export const KEEP_ENDED_MS = 10 * 60 * 1000;

/** How often ended tasks are looked at for pruning while the runner stays connected. */
export const PRUNE_INTERVAL_MS = 60 * 1000;

/** What a Supervisor needs. */
export interface SupervisorDeps {
  readonly executorFor: (spec: TaskSpec) => Executor;
  readonly executors: readonly Executor[];
  readonly sharedDir: string;
  readonly localTempDir: string;
  readonly state: StateFile;
  readonly log: Logger;
  /** Sends a status report if connected (dropped otherwise: the inventory carries it). */
  readonly report: (report: TaskReport) => void;
}

/** Derives the final status from how a task ended. */
export function finalStatus(exit: ExitInfo, killRequested: boolean): { status: TaskStatusName; message: string } {
  if (exit.oomKilled) return { status: "killed_oom", message: "killed by the out-of-memory killer (memory limit reached)" };
  if (killRequested) return { status: "killed", message: "killed by user" };
  if (exit.exitCode === 0) return { status: "completed", message: "" };
  return { status: "failed", message: exit.detail ?? `exited with code ${exit.exitCode}` };
}

/** The runner's tasks. */
export class Supervisor {
  private readonly tasks = new Map<string, RunnerTask>();
  private sender: ChunkSender | undefined;

  constructor(private readonly deps: SupervisorDeps) {}

  private reportOf(task: RunnerTask): TaskReport {
    return {
      taskId: task.spec.taskId,
      status: task.status,
      exitCode: task.exitCode,
      message: [task.message, ...task.notes, task.output.storageProblem()].filter(Boolean).join("; "),
      sshPort: task.handle?.sshPort,
      stdoutSize: task.output.size("stdout"),
      stderrSize: task.output.size("stderr"),
    };
  }

  private set(task: RunnerTask, status: TaskStatusName, extra: { exitCode?: number; message?: string } = {}): void {
    task.status = status;
    if (extra.exitCode !== undefined) task.exitCode = extra.exitCode;
    if (extra.message !== undefined) task.message = extra.message;
    // Output is shipped before the final report, so the Host has every byte the report counts.
    if (isFinal(status)) task.output.end();
    this.deps.report(this.reportOf(task));
    // Connected (the sender is set from the welcome until the stream ends): the report went out.
    if (isFinal(status) && this.sender) task.hostHasFinal = true;
  }

  /** Starts a task; a repeated RunTask for a known task re-reports its status. */
  async run(spec: TaskSpec): Promise<void> {
    const known = this.tasks.get(spec.taskId);
    if (known) {
      this.deps.report(this.reportOf(known));
      return;
    }
    const output = new TaskOutput(spec.taskId, this.deps.sharedDir);
    output.attach(this.sender);
    const task: RunnerTask = { spec, status: "assigning", message: "", output, killRequested: false, notes: [] };
    this.tasks.set(spec.taskId, task);
    const executor = this.deps.executorFor(spec);
    task.survivesRestart = executor.survivesRunnerRestart === true;
    // Recorded before anything runs: a runner that dies from here on finds the task at its next
    // start and reports it lost (or re-adopts it), so the Host never sends it again to run twice.
    this.deps.state.record({ taskId: spec.taskId, executor: executor.name, ref: "" });
    try {
      task.handle = await executor.start(spec, output, {
        sharedDir: this.deps.sharedDir,
        localTempDir: this.deps.localTempDir,
        note: (text) => task.notes.push(text),
      });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      output.stderr(Buffer.from(`hakuriver: ${message}\n`));
      this.end(task, { exitCode: null, oomKilled: false, detail: message });
      return;
    }
    if (task.handle.ref) this.deps.state.record({ taskId: spec.taskId, executor: executor.name, ref: task.handle.ref });
    if (task.killRequested) await task.handle.kill();
    else this.set(task, "running");
    this.watch(task, task.handle);
  }

  private watch(task: RunnerTask, handle: TaskHandle): void {
    handle.wait().then(
      (exit) => this.end(task, exit),
      (error: unknown) => this.end(task, { exitCode: null, oomKilled: false, detail: `lost track of the task: ${String(error)}` }),
    );
  }

  private end(task: RunnerTask, exit: ExitInfo): void {
    if (isFinal(task.status)) return;
    const { status, message } = finalStatus(exit, task.killRequested);
    task.endedAt = Date.now();
    // Kept until the task is pruned: a runner restarted before the Host stored the end reports it again.
    this.deps.state.finish(task.spec.taskId, { status, exitCode: exit.exitCode ?? -1, message });
    this.set(task, status, { exitCode: exit.exitCode ?? -1, message });
    this.deps.log.info({ taskId: task.spec.taskId, status, exitCode: exit.exitCode }, "task ended");
  }

  /** Kills a task (a task still starting is killed as soon as it has started). */
  async kill(taskId: string): Promise<void> {
    const task = this.tasks.get(taskId);
    if (!task) {
      // Never received here (or long forgotten): nothing runs, so it is killed now.
      this.deps.report({ taskId, status: "killed", exitCode: -9, message: "killed by user; this runner was not running it", stdoutSize: 0, stderrSize: 0 });
      return;
    }
    if (isFinal(task.status)) return;
    task.killRequested = true;
    await task.handle?.kill();
  }

  async pause(taskId: string): Promise<void> {
    const task = this.tasks.get(taskId);
    if (!task?.handle || task.status !== "running") return;
    await task.handle.pause();
    this.set(task, "paused", { message: "paused by user" });
  }

  async resume(taskId: string): Promise<void> {
    const task = this.tasks.get(taskId);
    if (!task?.handle || task.status !== "paused") return;
    await task.handle.resume();
    this.set(task, "running", { message: "resumed" });
  }

  /** Re-adopts tasks a previous runner process left (executors decide what can be). */
  async recover(): Promise<void> {
    const recorded = this.deps.state.recorded().filter((r) => {
      if (r.end === undefined) return true;
      this.holdEnded(r.taskId, r.end);
      return false;
    });
    for (const executor of this.deps.executors) {
      const refs = new Map(recorded.filter((r) => r.executor === executor.name).map((r) => [r.taskId, r.ref]));
      // Executors whose work outlives the runner also look for work nobody recorded.
      if (refs.size === 0 && executor.survivesRunnerRestart !== true) continue;
      const sinks = new Map<string, TaskOutput>();
      let adopted: RecoveredTask[];
      try {
        adopted = await executor.recover(refs, (taskId) => {
          const output = new TaskOutput(taskId, this.deps.sharedDir);
          sinks.set(taskId, output);
          return output;
        });
      } catch (error) {
        // A runner must start even when, say, its Docker engine is down: the Host marks
        // what it cannot re-adopt as lost when the runner says hello without it.
        const detail = { executor: executor.name, recorded: refs.size, err: error instanceof Error ? error.message : String(error) };
        if (refs.size > 0) this.deps.log.warn(detail, "could not recover tasks");
        else this.deps.log.debug(detail, "could not look for leftover tasks");
        continue;
      }
      for (const found of adopted) {
        const output = sinks.get(found.taskId) ?? new TaskOutput(found.taskId, this.deps.sharedDir);
        const spec = { taskId: found.taskId } as TaskSpec;
        const task: RunnerTask = { spec, status: found.paused ? "paused" : "running", message: "re-adopted after a runner restart", output, handle: found.handle, killRequested: false, notes: [], survivesRestart: executor.survivesRunnerRestart === true };
        this.tasks.set(found.taskId, task);
        this.watch(task, found.handle);
      }
      for (const taskId of refs.keys()) {
        if (adopted.some((a) => a.taskId === taskId)) continue;
        const end: RecordedEnd = { status: "lost", exitCode: -1, message: "the runner restarted while the task was starting or running; what was left of it was stopped" };
        this.deps.state.finish(taskId, end);
        this.holdEnded(taskId, end);
      }
      if (refs.size > 0 || adopted.length > 0) this.deps.log.info({ executor: executor.name, recorded: refs.size, adopted: adopted.length }, "recovered tasks after restart");
    }
  }

  /**
   * Holds a task a previous runner process received and saw end (or that
   * could not be re-adopted: then `lost`), so the next hello reports it and
   * the Host, which may never have stored the end, does not send it again.
   */
  private holdEnded(taskId: string, end: RecordedEnd): void {
    if (this.tasks.has(taskId)) return;
    const task: RunnerTask = {
      spec: { taskId } as TaskSpec,
      status: end.status,
      exitCode: end.exitCode,
      message: end.message,
      output: new TaskOutput(taskId, this.deps.sharedDir),
      killRequested: false,
      notes: [],
      endedAt: Date.now(),
    };
    task.output.end();
    this.tasks.set(taskId, task);
  }

  /** Connects output shipping to a new stream (or disconnects it with undefined). */
  attach(sender: ChunkSender | undefined, cursors: ReadonlyMap<string, { stdout: number; stderr: number }> = new Map()): void {
    this.sender = sender;
    for (const task of this.tasks.values()) {
      task.output.attach(sender, cursors.get(task.spec.taskId) ?? (sender ? { stdout: 0, stderr: 0 } : undefined));
      // A welcome answers a hello whose inventory held every task ended by then
      // (later ends were queued behind it), so the Host knows them all now.
      if (sender && isFinal(task.status)) task.hostHasFinal = true;
    }
  }

  /** Ships pending output of every task (after the connection drained). */
  pumpAll(): void {
    for (const task of this.tasks.values()) task.output.pump();
  }

  /** Stops and forgets tasks the Host considers finished or unknown. */
  async dropStale(taskIds: readonly string[]): Promise<void> {
    for (const taskId of taskIds) {
      const task = this.tasks.get(taskId);
      if (!task) continue;
      if (!isFinal(task.status)) {
        task.killRequested = true;
        await task.handle?.kill();
      }
    }
  }

  /**
   * Forgets tasks that ended more than {@link KEEP_ENDED_MS} ago, whose final
   * status the Host has and whose output was all shipped; returns their ids.
   * A task whose end the Host may not have heard of (it ended while
   * disconnected) stays until a hello has carried it. Nothing is pruned while
   * disconnected: "shipped" then counts bytes handed to a stream that died,
   * which the Host may never have stored.
   */
  prune(now = Date.now()): string[] {
    const pruned: string[] = [];
    if (!this.sender) return pruned;
    for (const [taskId, task] of this.tasks) {
      if (task.endedAt !== undefined && now - task.endedAt > KEEP_ENDED_MS && task.hostHasFinal === true && task.output.fullyShipped) {
        task.output.close();
        this.tasks.delete(taskId);
        this.deps.state.forget(taskId);
        pruned.push(taskId);
      }
    }
    return pruned;
  }

  /**
   * Prunes every {@link PRUNE_INTERVAL_MS} until the returned function is
   * called, so a runner that stays connected for days does not keep every
   * task it ever ran (before, pruning happened only at a reconnect's hello).
   */
  startPruning(intervalMs = PRUNE_INTERVAL_MS): () => void {
    const timer = setInterval(() => {
      const pruned = this.prune();
      if (pruned.length > 0) this.deps.log.debug({ pruned: pruned.length, held: this.tasks.size }, "forgot ended tasks");
    }, intervalMs);
    timer.unref();
    return () => clearInterval(timer);
  }

  /** How many tasks are held, ended ones included. */
  get size(): number {
    return this.tasks.size;
  }

  /** The inventory for a hello: every held task, ended ones included. */
  inventory(): TaskReport[] {
    return [...this.tasks.values()].filter((t) => t.status !== "assigning").map((t) => this.reportOf(t));
  }

  /** Ids of tasks running or paused now. */
  activeIds(): string[] {
    return [...this.tasks.values()].filter((t) => t.status === "running" || t.status === "paused").map((t) => t.spec.taskId);
  }

  /** Kills every active task at runner shutdown, except those whose executor lets them outlive the runner. */
  async killAll(): Promise<void> {
    const doomed = this.activeIds().filter((id) => this.tasks.get(id)?.survivesRestart !== true);
    await Promise.all(doomed.map((id) => this.kill(id)));
  }
}
