/**
 * Task dependencies, as pure functions: reading `after` / `after_ok` from a
 * request, the message a waiting task shows, and the verdict on a waiting
 * task once the state of each thing it waits for is known.
 *
 * A waiting task is PENDING with `awaitingDependencies` set (the scheduler
 * skips it: it holds nothing) until its verdict is `ready` (it joins the
 * queue) or `fail` (it ends FAILED without running, which in turn decides
 * its own dependants):
 *
 *   waiting ──every dependency ended (after) / completed (after_ok)──▶ queued
 *      └──────an after_ok dependency ended otherwise──────────────────▶ failed
 */
import { badField, invalidArgument } from "../../shared/errors.js";
import { ErrorReason } from "../../shared/error-reasons.js";
import type { TaskStatusName } from "../../shared/task-status.js";
import { parseTaskId } from "./ids.js";

/** Ids a submission may name in `after` and `after_ok` together. */
export const MAX_DEPENDENCIES = 1000;

/** One thing a task waits for. */
export interface TaskDependency {
  /** A task id, or a batch id when `batch` is set. */
  readonly onId: number;
  /** True: every task of batch `onId` (a batch of more than one task). */
  readonly batch: boolean;
  /** True (`after_ok`): it must complete; false (`after`): any end will do. */
  readonly requireOk: boolean;
}

/** An id as a request named it, before the store says what it is. */
export interface RequestedDependency {
  readonly id: number;
  readonly requireOk: boolean;
  /** Where it was in the request (`after[0]`, `after_ok[2]`), for errors. */
  readonly field: string;
}

/**
 * The ids of `after` and `after_ok`, parsed and deduplicated (an id in both
 * counts as `after_ok`, the stricter); INVALID_ARGUMENT naming the field for
 * an id that is not a decimal number, or more than {@link MAX_DEPENDENCIES}.
 */
export function parseDependencyIds(after: readonly string[], afterOk: readonly string[]): RequestedDependency[] {
  if (after.length + afterOk.length > MAX_DEPENDENCIES) {
    const field = afterOk.length > after.length ? "after_ok" : "after";
    throw invalidArgument(`at most ${MAX_DEPENDENCIES} dependencies per submission (got ${after.length + afterOk.length})`, {
      reason: ErrorReason.TOO_MANY_DEPENDENCIES,
      fieldViolations: [{ field, description: `at most ${MAX_DEPENDENCIES} ids in after and after_ok together` }],
      metadata: { limit: String(MAX_DEPENDENCIES) },
    });
  }
  const byId = new Map<number, RequestedDependency>();
  const read = (texts: readonly string[], name: "after" | "after_ok") =>
    texts.forEach((text, index) => {
      const field = `${name}[${index}]`;
      const id = parseTaskId(text.trim());
      if (id === undefined) {
        throw badField(field, ErrorReason.INVALID_DEPENDENCY, `${name} "${text.slice(0, 64)}" is not a task or batch id (ids are decimal numbers)`, "a task or batch id: a decimal number, as SubmitTask and ListTasks give it");
      }
      const requireOk = name === "after_ok";
      const seen = byId.get(id);
      if (!seen || (requireOk && !seen.requireOk)) byId.set(id, { id, requireOk, field });
    });
  read(after, "after");
  read(afterOk, "after_ok");
  return [...byId.values()];
}

/** The request fields of a task's dependencies: ids as decimal strings, in the order given. */
export function dependencyFields(dependencies: readonly TaskDependency[]): { after: string[]; afterOk: string[] } {
  return {
    after: dependencies.filter((d) => !d.requireOk).map((d) => String(d.onId)),
    afterOk: dependencies.filter((d) => d.requireOk).map((d) => String(d.onId)),
  };
}

/** `waiting: after task 123`, `waiting: after tasks 1, 2`, `waiting: after task 1 and batch 7`. */
export function waitingMessage(dependencies: readonly TaskDependency[]): string {
  const list = (noun: string, ids: number[]) => (ids.length === 0 ? [] : [`${noun}${ids.length > 1 ? (noun === "batch" ? "es" : "s") : ""} ${ids.join(", ")}`]);
  const tasks = dependencies.filter((d) => !d.batch).map((d) => d.onId);
  const batches = dependencies.filter((d) => d.batch).map((d) => d.onId);
  return `waiting: after ${[...list("task", tasks), ...list("batch", batches)].join(" and ")}`;
}

/** What the store says about one dependency now. */
export interface DependencyState {
  /** True once it has ended (a batch: once every task of it has). */
  readonly ended: boolean;
  /** A task of it that ended other than COMPLETED (the first by id), if any: enough to fail an `after_ok`. */
  readonly failure?: { readonly taskId: number; readonly status: TaskStatusName };
}

/** The verdict on a waiting task. */
export type DependencyVerdict =
  | { readonly kind: "wait" }
  | { readonly kind: "ready" }
  | { readonly kind: "fail"; readonly message: string };

/** `dependency task 123 failed`, `dependency task 124 (of batch 123) ended killed`. */
export function dependencyFailureMessage(dependency: TaskDependency, failure: NonNullable<DependencyState["failure"]>): string {
  const of = dependency.batch ? ` (of batch ${dependency.onId})` : "";
  const how = failure.status === "failed" ? "failed" : `ended ${failure.status}`;
  return `dependency task ${failure.taskId}${of} ${how}, so this task never ran (after_ok needs it completed)`;
}

/**
 * Decides a waiting task: `fail` as soon as an `after_ok` dependency has a
 * task that ended other than COMPLETED (the first such dependency, in the
 * task's order, is named), `ready` once every dependency has ended, else
 * `wait`. Pure; `stateOf` reports each dependency's state.
 */
export function dependencyVerdict(dependencies: readonly TaskDependency[], stateOf: (dependency: TaskDependency) => DependencyState): DependencyVerdict {
  let allEnded = true;
  for (const dependency of dependencies) {
    const state = stateOf(dependency);
    if (dependency.requireOk && state.failure) return { kind: "fail", message: dependencyFailureMessage(dependency, state.failure) };
    if (!state.ended) allEnded = false;
  }
  return allEnded ? { kind: "ready" } : { kind: "wait" };
}

/** The key of a dependency's target (a task and a batch may share an id). */
export function dependencyKey(dependency: Pick<TaskDependency, "onId" | "batch">): string {
  return `${dependency.batch ? "batch" : "task"}:${dependency.onId}`;
}
