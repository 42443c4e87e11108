/**
 * A runner's VPS stop, start and snapshot commands. A stop keeps the
 * container: the task is held `stopped` (also across a runner restart, by
 * the state file), holds no port, and is listed in every hello. A start
 * brings the kept container back (or makes a new one from a snapshot) and
 * reports `running` once sshd answers, or `stopped` again with the reason.
 * A snapshot commits the container and saves it to shared storage, and is
 * answered by an event that carries the snapshot's name.
 */
import type { Logger } from "pino";
import type { SnapshotVps, StartVps, TaskSpec } from "../../../gen/hakuriver/v1/runner_pb.js";
import { isFinal } from "../../shared/task-status.js";
import type { OutputSink, StartContext, TaskHandle } from "../executors/executor.js";
import type { StateFile } from "../state-file.js";
import { TaskOutput } from "../task-output.js";
import type { SavedSnapshot } from "../vps/vps-snapshot.js";
import type { OutputLink } from "./output-attach.js";
import { reportOf, type RunnerTask, type TaskTable } from "./task-table.js";

/** What the runner's VPS executor does for these commands (see `vps/vps-executor.ts`). */
export interface VpsOperations {
  /** Its executor's name in the state file. */
  readonly name: string;
  /** Starts the kept container of a stopped VPS; resolves once sshd answers. */
  startStopped(taskId: string, sink: OutputSink): Promise<TaskHandle>;
  /** Starts a new VPS container from `spec` (its container names the image's environment). */
  start(spec: TaskSpec, sink: OutputSink, context: StartContext): Promise<TaskHandle>;
  /** Saves the VPS's container as snapshot `name`. */
  snapshot(taskId: string, name: string): Promise<SavedSnapshot>;
  /** Removes the VPS's container, if any. */
  destroy(taskId: string, ref: string): Promise<void>;
}

/** What {@link VpsControl} needs of the supervisor. */
export interface VpsControlDeps {
  readonly vps: VpsOperations;
  readonly table: TaskTable;
  readonly state: StateFile;
  readonly link: OutputLink;
  readonly sharedDir: string;
  readonly localTempDir: string;
  readonly log: Logger;
  /** Follows a started task until it ends (or is stopped again). */
  readonly watch: (task: RunnerTask, handle: TaskHandle) => void;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Serves StopVps, StartVps and SnapshotVps. */
export class VpsControl {
  /** Tasks whose start is under way (a repeated StartVps is not started twice). */
  private readonly starting = new Set<string>();

  constructor(private readonly deps: VpsControlDeps) {}

  /** Holds a VPS stopped: its handle is gone (its wait said the container was stopped and kept). */
  markStopped(task: RunnerTask): void {
    task.handle = undefined;
    task.timeLimit?.pause();
    this.deps.state.noteStopped(task.spec.taskId, true);
    this.deps.table.set(task, "stopped", { message: "stopped by user; its container and disk are kept" });
    this.deps.log.info({ taskId: task.spec.taskId }, "VPS stopped; container kept");
  }

  /** Stops a running or paused VPS's container and keeps it; a stopped one is reported again. */
  async stop(taskId: string): Promise<void> {
    const task = this.deps.table.get(taskId);
    if (!task) {
      this.deps.log.warn({ taskId }, "StopVps for a task this runner does not hold");
      return;
    }
    if (task.status === "stopped") return this.deps.table.report(task);
    if (!task.handle?.stop || (task.status !== "running" && task.status !== "paused")) {
      this.deps.log.warn({ taskId, status: task.status }, "StopVps for a task that is not a running VPS");
      return this.deps.table.report(task);
    }
    try {
      await task.handle.stop();
    } catch (error) {
      this.deps.log.warn({ taskId, err: errorText(error) }, "could not stop a VPS");
      this.deps.table.report(task);
    }
  }

  /**
   * Starts a stopped VPS: its kept container, or a new one from
   * `command.snapshot`. A VPS this runner does not hold is taken on (a move
   * from another node, or a runner that lost its state file).
   */
  async start(command: StartVps): Promise<void> {
    const spec = command.spec;
    if (!spec) return;
    const taskId = spec.taskId;
    let task = this.deps.table.get(taskId);
    if (task && (task.status === "running" || task.status === "paused")) return this.deps.table.report(task);
    if (this.starting.has(taskId)) return;
    if (task && isFinal(task.status)) {
      this.deps.table.delete(taskId);
      this.deps.state.forget(taskId);
      task = undefined;
    }
    if (!task) {
      const output = new TaskOutput(taskId, this.deps.sharedDir);
      this.deps.link.join(output);
      task = { spec, status: "stopped", message: "", output, killRequested: false, notes: [], survivesRestart: true };
      this.deps.table.add(task);
      this.deps.state.record({ taskId, executor: this.deps.vps.name, ref: "", stopped: true });
    } else (task as { spec: TaskSpec }).spec = spec;
    this.starting.add(taskId);
    try {
      const handle = command.snapshot === ""
        ? await this.deps.vps.startStopped(taskId, task.output)
        : await this.deps.vps.start({ ...spec, container: command.snapshot } as TaskSpec, task.output, { sharedDir: this.deps.sharedDir, localTempDir: this.deps.localTempDir, note: (text) => task!.notes.push(text) });
      task.handle = handle;
      this.deps.state.record({ taskId, executor: this.deps.vps.name, ref: handle.ref, stopped: false });
      this.deps.table.set(task, "running", { message: command.snapshot === "" ? "started again" : `started from snapshot ${command.snapshot}` });
      task.timeLimit?.run();
      this.deps.watch(task, handle);
    } catch (error) {
      const why = errorText(error);
      task.output.stderr(Buffer.from(`hakuriver: could not start the VPS: ${why}\n`));
      task.message = `could not start: ${why}`;
      // Still stopped: the report tells the Host, which was waiting in assigning.
      this.deps.table.report(task);
      this.deps.log.warn({ taskId, err: why }, "could not start a stopped VPS");
    } finally {
      this.starting.delete(taskId);
    }
  }

  /** Removes a stopped VPS's container (kill, or a stale task); the caller ends the task. */
  async discard(task: RunnerTask): Promise<void> {
    await this.deps.vps.destroy(task.spec.taskId, "").catch((error: unknown) => {
      this.deps.log.warn({ taskId: task.spec.taskId, err: errorText(error) }, "could not remove a stopped VPS's container");
    });
  }

  /** Saves a snapshot of a VPS and answers with an event naming it (and the error, if any). */
  async snapshot(command: SnapshotVps): Promise<void> {
    const { taskId, name } = command;
    const task = this.deps.table.get(taskId);
    const base = task ? reportOf(task) : { taskId, status: "running" as const, message: "", stdoutSize: 0, stderrSize: 0 };
    if (!task || isFinal(task.status) || task.status === "assigning") {
      this.deps.table.reportUnheld({ ...base, snapshot: { name, error: task ? `the VPS is ${task.status} on this runner` : "this runner does not hold the VPS", tarball: "", sizeBytes: 0 } });
      return;
    }
    try {
      const started = Date.now();
      const saved = await this.deps.vps.snapshot(taskId, name);
      this.deps.log.info({ taskId, name, file: saved.file, sizeBytes: saved.sizeBytes, ms: Date.now() - started }, "VPS snapshot saved");
      this.deps.table.reportUnheld({ ...reportOf(task), snapshot: { name, error: "", tarball: saved.file, sizeBytes: saved.sizeBytes } });
    } catch (error) {
      this.deps.log.warn({ taskId, name, err: errorText(error) }, "could not save a VPS snapshot");
      this.deps.table.reportUnheld({ ...reportOf(task), snapshot: { name, error: errorText(error), tarball: "", sizeBytes: 0 } });
    }
  }
}
