/**
 * Dependencies at submit: what each requested id is (a task, or a batch of
 * several tasks), and the refusals, all INVALID_ARGUMENT naming the request
 * field (`after[1]`, `after_ok[0]`): an id no task or batch has, a task
 * waiting for itself, or a loop.
 *
 * Ids are assigned at submit, so a fresh submission can only name tasks that
 * already exist and cannot close a loop. Tasks that join an existing batch
 * can: a task of batch B that waits (through any chain) for something that
 * waits for all of B would wait for itself. {@link resolveDependencies}
 * walks the chains of unfinished tasks to refuse that.
 */
import { invalidArgument } from "../../shared/errors.js";
import { ErrorReason } from "../../shared/error-reasons.js";
import { isFinal, type TaskStatusName } from "../../shared/task-status.js";
import { dependencyKey, type RequestedDependency, type TaskDependency } from "./dependencies.js";

/** What resolution reads from the store. */
export interface DependencyLookup {
  /** The task's status and own dependencies; undefined when there is no such task. */
  get(taskId: number): Promise<{ readonly status: TaskStatusName; readonly dependencies: readonly TaskDependency[] } | undefined>;
  /** How many tasks the batch has; undefined when there is no such batch. */
  batchSize(batchId: number): Promise<number | undefined>;
  /** What the batch's unfinished tasks wait for. */
  unfinishedDependenciesOfBatch(batchId: number): Promise<readonly TaskDependency[]>;
}

/** Tasks that join an existing batch (a resubmission into it), for the loop check. */
export interface JoiningBatch {
  readonly batchId: number;
}

function dependencyError(reason: ErrorReason, field: string, id: number, message: string, description: string) {
  return invalidArgument(message, { reason, fieldViolations: [{ field, description }], metadata: { id: String(id) } });
}

/**
 * Resolves each requested id: a batch of more than one task becomes a batch
 * dependency (it waits for every task of it); any other id must be a task.
 * With `joining`, refuses a dependency on that batch itself or one whose
 * unfinished chain leads back to it.
 */
export async function resolveDependencies(lookup: DependencyLookup, requested: readonly RequestedDependency[], joining?: JoiningBatch): Promise<TaskDependency[]> {
  const resolved: TaskDependency[] = [];
  for (const { id, requireOk, field } of requested) {
    const size = await lookup.batchSize(id);
    const batch = size !== undefined && size > 1;
    if (!batch && (await lookup.get(id)) === undefined) {
      throw dependencyError(ErrorReason.DEPENDENCY_NOT_FOUND, field, id, `${field.replace(/\[\d+\]$/, "")} ${id}: no task or batch has this id`, "no task or batch has this id (task list shows the ones there are)");
    }
    resolved.push({ onId: id, batch, requireOk });
  }
  if (joining) {
    for (const [index, dependency] of resolved.entries()) {
      const field = requested[index]!.field;
      if (await leadsTo(lookup, dependency, joining.batchId)) {
        const self = dependency.batch && dependency.onId === joining.batchId;
        throw dependencyError(
          ErrorReason.DEPENDENCY_CYCLE,
          field,
          dependency.onId,
          self
            ? `${field}: a task of batch ${joining.batchId} cannot wait for its own batch`
            : `${field}: ${dependency.onId} waits (through its own dependencies) for all of batch ${joining.batchId}, so this would be a dependency loop`,
          "a dependency loop: the tasks would wait for themselves",
        );
      }
    }
  }
  return resolved;
}

/**
 * Whether `start` is, or waits for (through unfinished tasks only: an ended
 * task waits for nothing), the whole of batch `batchId`. Nothing can name a
 * task not created yet, so only a wait for the whole batch can come back to it.
 */
async function leadsTo(lookup: DependencyLookup, start: TaskDependency, batchId: number): Promise<boolean> {
  const seen = new Set<string>();
  const stack: TaskDependency[] = [start];
  while (stack.length > 0) {
    const next = stack.pop()!;
    const key = dependencyKey(next);
    if (seen.has(key)) continue;
    seen.add(key);
    if (next.batch) {
      if (next.onId === batchId) return true;
      stack.push(...(await lookup.unfinishedDependenciesOfBatch(next.onId)));
      continue;
    }
    const task = await lookup.get(next.onId);
    if (task && !isFinal(task.status)) stack.push(...task.dependencies);
  }
  return false;
}
