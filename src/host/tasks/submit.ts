/**
 * A submission from plan to answer: admission (named nodes exist and can
 * hold it; with the queue off, it fits now), one batch stored, then one
 * scheduling pass awaited, so the answer says which node each task went to.
 */
import type { TaskRepo } from "../store/task-repo.js";
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
  readonly repo: Pick<TaskRepo, "get">;
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
 * `intoBatch` (a resubmit).
 */
export async function submit(deps: SubmitDeps, plan: SubmitPlan, owner: string, intoBatch?: number): Promise<Submitted> {
  await deps.scheduler.admit(plan.specs, plan.queue);
  const created = await deps.tasks.create(plan.specs, owner, intoBatch);
  // Creating announced a capacity change; the pass it started places what fits.
  await deps.scheduler.idle();
  const fresh = await Promise.all(created.map(async (t) => (await deps.repo.get(t.taskId)) ?? t));
  return { batchId: created[0]!.batchId, tasks: fresh };
}
