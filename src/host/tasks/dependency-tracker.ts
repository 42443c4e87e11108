/**
 * Decides waiting tasks when what they wait for ends. A task's end is heard
 * at once (TaskEvents.onTaskEnded, emitted by the task manager's one status
 * change function); the edges' index names the tasks that wait for it, and
 * only those are looked at: waiting tasks never cost a scheduling pass or a
 * scan. A released task joins the queue (a capacity change kicks the
 * scheduler); a failed one ends FAILED, and its own end decides its own
 * dependants in turn, so a failure travels down a chain.
 *
 * Life cycle: `start` subscribes and looks again at every task still
 * waiting (a Host that stopped between a task's end and its dependants'
 * release finishes the job); `stop` unsubscribes and waits for work in hand.
 */
import type { Logger } from "pino";
import { isFinal } from "../../shared/task-status.js";
import { SerialQueue } from "../../shared/serial-queue.js";
import type { TaskRepo } from "../store/task-repo.js";
import { dependencyKey, dependencyVerdict, type DependencyState, type DependencyVerdict, type TaskDependency } from "./dependencies.js";
import type { TaskEvents } from "./task-events.js";
import type { TaskManager } from "./task-manager.js";
import type { TaskRecord } from "./task-record.js";

/** What the tracker needs. */
export interface DependencyTrackerDeps {
  readonly repo: Pick<TaskRepo, "get" | "batchProgress" | "awaitingDependencyIds" | "dependantsOf" | "hasDependants">;
  readonly tasks: Pick<TaskManager, "change">;
  readonly events: Pick<TaskEvents, "onTaskEnded" | "capacityChanged">;
  readonly log: Logger;
}

/** Releases or fails the tasks that wait for others. */
export class DependencyTracker {
  private readonly serial = new SerialQueue();
  private unsubscribe: (() => void) | undefined;
  private pending: Promise<void> = Promise.resolve();

  constructor(private readonly deps: DependencyTrackerDeps) {}

  /** Subscribes to task ends and looks again at every waiting task. */
  start(): void {
    this.unsubscribe ??= this.deps.events.onTaskEnded((task) => this.track(() => this.onEnded(task)));
    this.track(async () => this.examine(await this.deps.repo.awaitingDependencyIds()));
  }

  /** Unsubscribes and resolves once the work in hand is done. */
  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    await this.idle();
  }

  /** Resolves when no decision is in progress (for submit, tests and shutdown). */
  async idle(): Promise<void> {
    for (let seen: Promise<void> | undefined; seen !== this.pending; ) {
      seen = this.pending;
      await seen;
    }
  }

  /**
   * The verdict on `dependencies` now. Submit asks before creating (met
   * ones need no wait) and after (a dependency that ended in between is
   * then caught: its end found no dependant yet).
   */
  async verdict(dependencies: readonly TaskDependency[]): Promise<DependencyVerdict> {
    const states = await this.statesOf(dependencies);
    return dependencyVerdict(dependencies, (d) => states.get(dependencyKey(d))!);
  }

  /** Decides the given waiting tasks now (others are ignored); resolves once done. */
  decide(taskIds: readonly number[]): Promise<void> {
    return this.track(() => this.examine(taskIds));
  }

  /** Runs `work` after the work before it; failures are logged, never dropped. */
  private track(work: () => Promise<void>): Promise<void> {
    const run = this.serial.run(work).catch((error: unknown) => this.deps.log.error({ err: error }, "deciding dependent tasks failed"));
    // The queue runs in order, so the latest run settles last.
    this.pending = run;
    return run;
  }

  /**
   * A task ended: tasks waiting on it are decided; tasks waiting on its
   * batch are decided once the batch has ended, or at once (the after_ok
   * ones) when this task did not complete. Otherwise nothing is read
   * beyond two index seeks, so each end of a 100,000-task batch stays cheap.
   */
  private async onEnded(task: TaskRecord): Promise<void> {
    const { repo } = this.deps;
    const waiting = await repo.dependantsOf(task.taskId, false);
    if (await repo.hasDependants(task.batchId, true)) {
      const progress = await repo.batchProgress(task.batchId);
      if (progress.ended) waiting.push(...(await repo.dependantsOf(task.batchId, true)));
      else if (task.status !== "completed") waiting.push(...(await repo.dependantsOf(task.batchId, true, true)));
    }
    await this.examine([...new Set(waiting)]);
  }

  /** Decides each waiting task of `taskIds`: released, failed, or left waiting. */
  private async examine(taskIds: readonly number[]): Promise<void> {
    if (taskIds.length === 0) return;
    const records = await Promise.all(taskIds.map((id) => this.deps.repo.get(id)));
    const waiting = records.filter((t): t is TaskRecord => t !== undefined && t.status === "pending" && t.awaitingDependencies);
    const states = await this.statesOf(waiting.flatMap((t) => t.dependencies));
    let released = 0;
    for (const task of waiting) {
      const verdict = dependencyVerdict(task.dependencies, (d) => states.get(dependencyKey(d))!);
      if (verdict.kind === "wait") continue;
      if (verdict.kind === "ready") {
        await this.deps.tasks.change(task.taskId, "pending", { awaitingDependencies: false, message: "queued" });
        released++;
      } else {
        await this.deps.tasks.change(task.taskId, "failed", { awaitingDependencies: false, message: verdict.message });
      }
    }
    if (released > 0) {
      this.deps.log.info({ released }, "tasks released by their dependencies");
      this.deps.events.capacityChanged();
    }
  }

  /** The state of each distinct dependency, read once however many tasks share it. */
  private async statesOf(dependencies: readonly TaskDependency[]): Promise<Map<string, DependencyState>> {
    const states = new Map<string, DependencyState>();
    for (const dependency of dependencies) {
      const key = dependencyKey(dependency);
      if (!states.has(key)) states.set(key, await this.stateOf(dependency));
    }
    return states;
  }

  private async stateOf(dependency: TaskDependency): Promise<DependencyState> {
    if (dependency.batch) return this.deps.repo.batchProgress(dependency.onId);
    const task = await this.deps.repo.get(dependency.onId);
    // Tasks are never deleted; a missing one can never complete, so it counts as lost.
    if (!task) return { ended: true, failure: { taskId: dependency.onId, status: "lost" } };
    if (!isFinal(task.status)) return { ended: false };
    return task.status === "completed" ? { ended: true } : { ended: true, failure: { taskId: task.taskId, status: task.status } };
  }
}
