/**
 * A fake executor for supervisor and control-loop tests (the shape of
 * Nomad's mock driver): tasks run until the test ends them, with the exit
 * code it picks; pause, resume and kill are recorded; recovery answers
 * what the test set up.
 */
import type { TaskSpec } from "../../gen/hakuriver/v1/runner_pb.js";
import type { Executor, ExitInfo, OutputSink, Recovery, StartContext, TaskHandle } from "../../src/runner/executors/executor.js";

/** What was done to a fake task. */
export type FakeAction = "pause" | "resume" | "kill";

/** One task the fake runs. */
export class FakeTask implements TaskHandle {
  readonly actions: FakeAction[] = [];
  readonly ended: Promise<ExitInfo>;
  private finish!: (exit: ExitInfo) => void;
  private done = false;
  /** When set, pause waits for it (to race a pause against an end). */
  pauseGate: Promise<void> | undefined;

  constructor(readonly taskId: string, readonly ref: string, readonly sink: OutputSink, private readonly killEnds: boolean) {
    this.ended = new Promise((resolve) => (this.finish = resolve));
  }

  /** Ends the task with an exit code (or a whole ExitInfo). */
  end(exit: number | ExitInfo): void {
    if (this.done) return;
    this.done = true;
    this.finish(typeof exit === "number" ? { exitCode: exit, oomKilled: false } : exit);
  }

  wait(): Promise<ExitInfo> {
    return this.ended;
  }

  async kill(): Promise<void> {
    this.actions.push("kill");
    if (this.killEnds) this.end({ exitCode: 137, oomKilled: false, detail: "killed by SIGKILL" });
  }

  async pause(): Promise<void> {
    this.actions.push("pause");
    await this.pauseGate;
  }

  async resume(): Promise<void> {
    this.actions.push("resume");
  }
}

/** Options of {@link FakeExecutor}. */
export interface FakeExecutorOptions {
  readonly name?: string;
  readonly survivesRunnerRestart?: boolean;
  /** A kill ends the task with 137 (default true); false leaves the end to the test. */
  readonly killEnds?: boolean;
}

/** The fake executor. */
export class FakeExecutor implements Executor {
  readonly name: string;
  readonly survivesRunnerRestart: boolean;
  /** Started (and adopted) tasks by id. */
  readonly tasks = new Map<string, FakeTask>();
  /** Start fails with this message for these task ids. */
  readonly failStarts = new Map<string, string>();
  /** What recover answers per task id (default: lost). */
  readonly recoveries = new Map<string, "adopt" | "adopt-paused" | ExitInfo>();
  /** Calls to destroy and sweepOrphans, in order. */
  readonly destroyed: { taskId: string; ref: string }[] = [];
  readonly swept: ReadonlySet<string>[] = [];
  private readonly killEnds: boolean;

  constructor(options: FakeExecutorOptions = {}) {
    this.name = options.name ?? "native";
    this.survivesRunnerRestart = options.survivesRunnerRestart ?? false;
    this.killEnds = options.killEnds ?? true;
  }

  /** The task, which must have been started. */
  task(taskId: string): FakeTask {
    const task = this.tasks.get(taskId);
    if (!task) throw new Error(`task ${taskId} was not started`);
    return task;
  }

  async start(spec: TaskSpec, sink: OutputSink, context: StartContext): Promise<TaskHandle> {
    const failure = this.failStarts.get(spec.taskId);
    if (failure) throw new Error(failure);
    context.note(`fake executor ${this.name}`);
    const task = new FakeTask(spec.taskId, `fake-${spec.taskId}`, sink, this.killEnds);
    this.tasks.set(spec.taskId, task);
    return task;
  }

  async recover(taskId: string, ref: string, sink: OutputSink): Promise<Recovery> {
    const answer = this.recoveries.get(taskId);
    if (answer === undefined) return { kind: "lost" };
    if (typeof answer === "object") return { kind: "ended", exit: answer };
    const task = new FakeTask(taskId, ref, sink, this.killEnds);
    this.tasks.set(taskId, task);
    return { kind: "adopted", handle: task, paused: answer === "adopt-paused" };
  }

  async destroy(taskId: string, ref: string): Promise<void> {
    this.destroyed.push({ taskId, ref });
  }

  async sweepOrphans(known: ReadonlySet<string>): Promise<void> {
    this.swept.push(new Set(known));
  }
}
