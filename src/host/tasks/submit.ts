/**
 * A submission from plan to answer: dependencies resolved, admission (named
 * nodes exist and can hold it; with the queue off, it fits now), one batch
 * stored, then one scheduling pass awaited, so the answer says which node
 * each task went to.
 */
import type { TaskRepo } from "../store/task-repo.js";
import { resolveDependencies } from "./dependency-resolution.js";
import type { DependencyTracker } from "./dependency-tracker.js";
import type { SubmitPlan, TaskSpecInput } from "./submit-spec.js";
import type { TaskManager } from "./task-manager.js";
import type { TaskRecord } from "./task-record.js";

/** What a submission needs of the scheduler (kept structural: tasks/ does not import scheduling/). */
export interface SubmitScheduler {
  /** Refuses a submission that cannot be placed (throws a DomainError). */
  admit(specs: readonly TaskSpecInput[], queue: boolean): Promise<void>;
  /** Resolves once no scheduling pass runs. */
  idle(): Promise<void>;
}

/** What {@link submit} needs. */
export interface SubmitDeps {
  readonly scheduler: SubmitScheduler;
  readonly tasks: Pick<TaskManager, "create">;
  readonly repo: Pick<TaskRepo, "get" | "batchSize" | "unfinishedDependenciesOfBatch">;
  /** Decides tasks that wait for others. */
  readonly dependencies: Pick<DependencyTracker, "verdict" | "decide">;
}

/** The stored batch after its first scheduling pass. */
export interface Submitted {
  readonly batchId: number;
  /** The tasks as stored after the pass (assigned ones name their node). */
  readonly tasks: readonly TaskRecord[];
}

/**
 * Admits, stores and schedules the tasks of one submission, owned by
 * `owner` ("" with auth off): as a new batch, or added to the stored batch
 * `intoBatch` (a resubmit; its dependencies may then not lead back to that batch).
 */
export async function submit(deps: SubmitDeps, plan: SubmitPlan, owner: string, intoBatch?: number): Promise<Submitted> {
  let specs = plan.specs;
  let waits = false;
  if (plan.dependencies.length > 0) {
    const dependencies = await resolveDependencies(deps.repo, plan.dependencies, intoBatch === undefined ? undefined : { batchId: intoBatch });
    // Met already (every one ended, none failed an after_ok): the tasks are queued at once.
    waits = (await deps.dependencies.verdict(dependencies)).kind !== "ready";
    specs = specs.map((spec) => ({ ...spec, dependencies, awaitingDependencies: waits }));
  }
  await deps.scheduler.admit(specs, plan.queue);
  const created = await deps.tasks.create(specs, owner, intoBatch);
  // A dependency that ended between the verdict and the commit found no dependant to decide: decide them now.
  if (waits && (await deps.dependencies.verdict(specs[0]!.dependencies!)).kind !== "wait") await deps.dependencies.decide(created.map((t) => t.taskId));
  // Creating announced a capacity change; the pass it started places what fits.
  await deps.scheduler.idle();
  const fresh = await Promise.all(created.map(async (t) => (await deps.repo.get(t.taskId)) ?? t));
  return { batchId: created[0]!.batchId, tasks: fresh };
}
