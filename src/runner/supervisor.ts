/**
 * Runs the runner's tasks: starts each on the right executor, applies
 * kill/pause/resume, stops a task that reaches its time limit, and follows
 * each to its end. The parts live by job in `tasks/`: the task table
 * (status changes through the shared transition function, reports up),
 * recovery after a restart, pruning of ended tasks, the time-limit clock,
 * and the output link to the control stream.
 */
import type { Logger } from "pino";
import type { SnapshotVps, StartVps, TaskSpec } from "../../gen/hakuriver/v1/runner_pb.js";
import { isFinal } from "../shared/task-status.js";
import { systemClock, type CancelTimer, type Clock } from "../shared/clock.js";
import type { Executor, ExitInfo, TaskHandle } from "./executors/executor.js";
import type { StateFile } from "./state-file.js";
import { TaskOutput, type ChunkSender } from "./task-output.js";
import { OutputLink, type StreamCursors } from "./tasks/output-attach.js";
import { PRUNE_INTERVAL_MS, Pruner } from "./tasks/pruning.js";
import { recoverTasks } from "./tasks/recovery.js";
import { TimeLimitWatch } from "./tasks/time-limit-watch.js";
import { finalStatus, TaskTable, type RunnerTask, type TaskReport, type TaskReporter } from "./tasks/task-table.js";
import type { RunnerFigures } from "./runner-figures.js";
import { VpsControl, type VpsOperations } from "./tasks/vps-control.js";

/** What a Supervisor needs. */
export interface SupervisorDeps {
  readonly executorFor: (spec: TaskSpec) => Executor;
  readonly executors: readonly Executor[];
  readonly sharedDir: string;
  readonly localTempDir: string;
  readonly state: StateFile;
  readonly log: Logger;
  /** Where status reports go (the control loop). */
  readonly reporter: TaskReporter;
  /** Time for ends and pruning; default the system clock. */
  readonly clock?: Clock;
  /** Where spawn times are counted for the heartbeat's figures; none = not counted. */
  readonly figures?: RunnerFigures;
  /** VPS stop, start and snapshot; none = those commands are refused (logged). */
  readonly vps?: VpsOperations;
}

/** The runner's tasks. */
export class Supervisor {
  private readonly table: TaskTable;
  private readonly link = new OutputLink();
  private readonly pruner: Pruner;
  private readonly clock: Clock;
  private readonly vps: VpsControl | undefined;

  constructor(private readonly deps: SupervisorDeps) {
    this.clock = deps.clock ?? systemClock;
    this.table = new TaskTable({ reporter: deps.reporter, log: deps.log, connected: () => this.link.connected });
    this.pruner = new Pruner({ table: this.table, state: deps.state, clock: this.clock, log: deps.log, connected: () => this.link.connected });
    this.vps = deps.vps && new VpsControl({
      vps: deps.vps, table: this.table, state: deps.state, link: this.link, sharedDir: deps.sharedDir, localTempDir: deps.localTempDir, log: deps.log,
      watch: (task, handle) => this.watch(task, handle),
    });
  }

  /** Starts a task; a repeated RunTask for a known task re-reports its status. */
  async run(spec: TaskSpec): Promise<void> {
    const known = this.table.get(spec.taskId);
    if (known) {
      this.table.report(known);
      return;
    }
    const output = new TaskOutput(spec.taskId, this.deps.sharedDir);
    this.link.join(output);
    const task: RunnerTask = { spec, status: "assigning", message: "", output, killRequested: false, notes: [] };
    this.table.add(task);
    const executor = this.deps.executorFor(spec);
    task.survivesRestart = executor.survivesRunnerRestart === true;
    // Recorded before anything runs: a runner that dies from here on finds the task at its next
    // start and reports it lost (or re-adopts it), so the Host never sends it again to run twice.
    this.deps.state.record({ taskId: spec.taskId, executor: executor.name, ref: "" });
    const askedAt = performance.now();
    try {
      task.handle = await executor.start(spec, output, {
        sharedDir: this.deps.sharedDir,
        localTempDir: this.deps.localTempDir,
        note: (text) => task.notes.push(text),
      });
    } catch (error) {
      this.deps.figures?.spawnFailed();
      const message = error instanceof Error ? error.message : String(error);
      output.stderr(Buffer.from(`hakuriver: ${message}\n`));
      this.end(task, { exitCode: null, oomKilled: false, detail: message });
      return;
    }
    this.deps.figures?.spawned((performance.now() - askedAt) / 1000);
    if (task.handle.ref) this.deps.state.record({ taskId: spec.taskId, executor: executor.name, ref: task.handle.ref });
    if (task.killRequested) await task.handle.kill();
    else {
      this.table.set(task, "running");
      if (spec.timeLimitMs > 0n) this.limit(task, new TimeLimitWatch(Number(spec.timeLimitMs), this.clock, () => void this.timeOut(task)));
    }
    this.watch(task, task.handle);
  }

  /** Starts counting a task's time limit (it runs now), and records where the count stands. */
  private limit(task: RunnerTask, watch: TimeLimitWatch, paused = false): void {
    task.timeLimit = watch;
    if (!paused) watch.run();
    this.noteLimit(task);
  }

  private noteLimit(task: RunnerTask): void {
    if (task.timeLimit) this.deps.state.noteTimeLimit(task.spec.taskId, task.timeLimit.state());
  }

  /** Stops a task that ran for its whole time limit, as a kill does; it ends `timeout`. */
  private async timeOut(task: RunnerTask): Promise<void> {
    if (isFinal(task.status) || task.killRequested || task.timedOutAtMs !== undefined || !task.timeLimit) return;
    task.timedOutAtMs = task.timeLimit.limitMs;
    this.deps.log.info({ taskId: task.spec.taskId, limitMs: task.timedOutAtMs }, "time limit reached; stopping the task");
    try {
      await task.handle?.kill();
    } catch (error) {
      this.deps.log.warn({ taskId: task.spec.taskId, err: error instanceof Error ? error.message : String(error) }, "could not stop a task past its time limit");
    }
  }

  private watch(task: RunnerTask, handle: TaskHandle): void {
    handle.wait().then(
      (exit) => this.end(task, exit),
      (error: unknown) => this.end(task, { exitCode: null, oomKilled: false, detail: `lost track of the task: ${String(error)}` }),
    );
  }

  private end(task: RunnerTask, exit: ExitInfo): void {
    if (isFinal(task.status)) return;
    // A VPS stopped on request has not ended: it is held stopped, its container kept.
    if (exit.keptStopped && this.vps && !task.killRequested) return this.vps.markStopped(task);
    task.timeLimit?.stop();
    const { status, message } = finalStatus(exit, task.killRequested, task.timedOutAtMs);
    task.endedAt = this.clock.now();
    // Kept until the task is pruned: a runner restarted before the Host stored the end reports it again.
    this.deps.state.finish(task.spec.taskId, { status, exitCode: exit.exitCode ?? -1, message });
    this.table.set(task, status, { exitCode: exit.exitCode ?? -1, message });
    this.deps.log.info({ taskId: task.spec.taskId, status, exitCode: exit.exitCode }, "task ended");
  }

  /** Kills a task (a task still starting is killed as soon as it has started). */
  async kill(taskId: string): Promise<void> {
    const task = this.table.get(taskId);
    if (!task) {
      // Never received here (or long forgotten): nothing runs, so it is killed now.
      this.table.reportUnheld({ taskId, status: "killed", exitCode: -9, message: "killed by user; this runner was not running it", stdoutSize: 0, stderrSize: 0 });
      return;
    }
    if (isFinal(task.status)) return;
    task.killRequested = true;
    if (task.status === "stopped") return this.endStopped(task);
    await task.handle?.kill();
  }

  /** Ends a stopped VPS for good (kill, or stale): its kept container is removed. */
  private async endStopped(task: RunnerTask): Promise<void> {
    await this.vps?.discard(task);
    this.end(task, { exitCode: null, oomKilled: false, detail: "its stopped container was removed" });
  }

  /** Stops a running or paused VPS and keeps its container (see `tasks/vps-control.ts`). */
  async stopVps(taskId: string): Promise<void> {
    if (!this.vps) return void this.deps.log.warn({ taskId }, "this runner serves no VPS stop");
    await this.vps.stop(taskId);
  }

  /** Starts a stopped VPS (its kept container, or one from a snapshot). */
  async startVps(command: StartVps): Promise<void> {
    if (!this.vps) return void this.deps.log.warn({ taskId: command.spec?.taskId }, "this runner serves no VPS start");
    await this.vps.start(command);
  }

  /** Saves a snapshot of a VPS to shared storage. */
  async snapshotVps(command: SnapshotVps): Promise<void> {
    if (!this.vps) return void this.deps.log.warn({ taskId: command.taskId }, "this runner serves no VPS snapshot");
    await this.vps.snapshot(command);
  }

  /** Pauses a running task. */
  async pause(taskId: string): Promise<void> {
    const task = this.table.get(taskId);
    if (!task?.handle || task.status !== "running") return;
    // Stopped first, so time spent pausing never counts; counted again if the pause fails.
    task.timeLimit?.pause();
    try {
      await task.handle.pause();
    } catch (error) {
      if (!isFinal(task.status)) task.timeLimit?.run();
      throw error;
    }
    if (this.table.set(task, "paused", { message: "paused by user" })) this.noteLimit(task);
    else if (!isFinal(task.status)) task.timeLimit?.run();
  }

  /** Resumes a paused task. */
  async resume(taskId: string): Promise<void> {
    const task = this.table.get(taskId);
    if (!task?.handle || task.status !== "paused") return;
    await task.handle.resume();
    if (this.table.set(task, "running", { message: "resumed" })) {
      task.timeLimit?.run();
      this.noteLimit(task);
    }
  }

  /** Holds again every task a previous runner process recorded (see `tasks/recovery.ts`). */
  recover(): Promise<void> {
    const { executors, state, sharedDir, log } = this.deps;
    return recoverTasks({
      table: this.table, executors, state, sharedDir, log, clock: this.clock,
      watch: (task, handle) => this.watch(task, handle),
      keepLimit: (task, limit) => this.limit(task, TimeLimitWatch.fromState(limit, this.clock, () => void this.timeOut(task)), task.status === "paused"),
    });
  }

  /** Connects output shipping to a new stream (or disconnects it with undefined). */
  attach(sender: ChunkSender | undefined, cursors: ReadonlyMap<string, StreamCursors> = new Map()): void {
    this.link.attach(this.table.values(), sender, cursors);
  }

  /** Ships pending output of every task (after the connection drained). */
  pumpAll(): void {
    this.link.pumpAll(this.table.values());
  }

  /** Stops tasks the Host considers finished or unknown. */
  async dropStale(taskIds: readonly string[]): Promise<void> {
    for (const taskId of taskIds) {
      const task = this.table.get(taskId);
      if (!task || isFinal(task.status)) continue;
      task.killRequested = true;
      if (task.status === "stopped") await this.endStopped(task);
      else await task.handle?.kill();
    }
  }

  /** Forgets ended tasks the Host has (see {@link Pruner.prune}); returns their ids. */
  prune(now = this.clock.now()): string[] {
    return this.pruner.prune(now);
  }

  /** Prunes every `intervalMs` on the clock until the returned function is called. */
  startPruning(intervalMs = PRUNE_INTERVAL_MS): CancelTimer {
    return this.pruner.start(intervalMs);
  }

  /** How many tasks are held, ended ones included. */
  get size(): number {
    return this.table.size;
  }

  /** The inventory for a hello: every held task, ended ones included. */
  inventory(): TaskReport[] {
    return this.table.inventory();
  }

  /** The task `taskId` as held now (its status and handle), if this runner holds it. */
  held(taskId: string): Readonly<RunnerTask> | undefined {
    return this.table.get(taskId);
  }

  /** The handle ref (container id, or `pid:start`) of a task running now, for exec; undefined when no such task runs here. */
  runningRef(taskId: string): string | undefined {
    const task = this.table.get(taskId);
    return task?.status === "running" && task.handle ? task.handle.ref : undefined;
  }

  /** Ids of tasks running or paused now. */
  activeIds(): string[] {
    return this.table.activeIds();
  }

  /** Kills every active task at runner shutdown, except those whose executor lets them outlive the runner. */
  async killAll(): Promise<void> {
    const doomed = this.activeIds().filter((id) => this.table.get(id)?.survivesRestart !== true);
    await Promise.all(doomed.map((id) => this.kill(id)));
  }
}
