/**
 * One watch: a snapshot of the matching tasks and of the nodes, then every
 * change as it happens, coalesced. It subscribes before it reads the
 * snapshot, so a change made while the snapshot is read is sent after it
 * (perhaps twice: clients replace a task or node by its id).
 */
import type { Clock } from "../../shared/clock.js";
import type { NodeRegistry, NodeState } from "../runners/node-registry.js";
import type { NodeStatusName } from "../runners/node-status.js";
import type { NodeUsage } from "../scheduling/placement.js";
import type { TaskFilter, TaskRepo } from "../store/task-repo.js";
import type { TaskRecord } from "../tasks/task-record.js";
import type { ChangeFeed } from "./change-feed.js";
import { PendingChanges, type TakenChanges } from "./pending-changes.js";
import type { SharedLedger } from "./shared-ledger.js";
import { matchesFilter } from "./task-match.js";

/** A node as a watcher shows it: its state, status and what active tasks hold on it. */
export interface NodeView {
  readonly node: NodeState;
  readonly status: NodeStatusName;
  readonly holdings: NodeUsage | undefined;
}

/** One message of a watch, before it is mapped to the wire (see WatchResponse in client.proto). */
export interface WatchBatch {
  readonly snapshot: boolean;
  readonly snapshotComplete: boolean;
  readonly tasks: readonly TaskRecord[];
  readonly removedTaskIds: readonly number[];
  readonly nodes: readonly NodeView[];
}

/** Tasks per message, in the snapshot and after it. */
export const WATCH_CHUNK_TASKS = 500;

/** Default window in which changes are gathered into one message (ms); well under the 250 ms a change may take to reach a browser. */
export const DEFAULT_COALESCE_MS = 25;

/** What a watch reads from. */
export interface WatchDeps {
  readonly feed: ChangeFeed;
  readonly repo: Pick<TaskRepo, "list" | "get">;
  readonly nodes: Pick<NodeRegistry, "all" | "get" | "status">;
  readonly ledger: Pick<SharedLedger, "current">;
  readonly clock: Pick<Clock, "after">;
  /** Window of coalescing (ms); default {@link DEFAULT_COALESCE_MS}. */
  readonly coalesceMs?: number;
  /** Aborts when the Host stops: every watch then ends cleanly. */
  readonly hostStopping: AbortSignal;
}

/** What one watch asks for. */
export interface WatchPlan {
  /** Which tasks; its `limit` caps the snapshot. */
  readonly filter: TaskFilter;
  readonly tasks: boolean;
  readonly nodes: boolean;
}

/**
 * Yields the snapshot (chunks of at most {@link WATCH_CHUNK_TASKS} tasks,
 * nodes in the first, the last marked complete), then one message per
 * coalescing window with changes, until `signal` or the Host stops.
 */
export async function* watchStream(deps: WatchDeps, plan: WatchPlan, signal: AbortSignal): AsyncGenerator<WatchBatch> {
  const stop = AbortSignal.any([signal, deps.hostStopping]);
  const pending = new PendingChanges();
  const unsubscribe = deps.feed.subscribe((change) => {
    if (change.kind === "task" ? plan.tasks : plan.nodes) pending.add(change);
  });
  /** Tasks this watcher has shown as matching: only these can be removed. */
  const shown = new Set<number>();
  try {
    yield* snapshot(deps, plan, shown);
    for (;;) {
      await pending.due(deps.coalesceMs ?? DEFAULT_COALESCE_MS, deps.clock, stop);
      if (stop.aborted) return;
      yield* changes(deps, plan, shown, pending.take());
    }
  } finally {
    unsubscribe();
  }
}

async function* snapshot(deps: WatchDeps, plan: WatchPlan, shown: Set<number>): AsyncGenerator<WatchBatch> {
  const nodes = plan.nodes ? await nodeViews(deps, deps.nodes.all().map((n) => n.name)) : [];
  const tasks = plan.tasks ? await deps.repo.list(plan.filter) : [];
  for (const task of tasks) shown.add(task.taskId);
  let start = 0;
  do {
    const chunk = tasks.slice(start, start + WATCH_CHUNK_TASKS);
    start += WATCH_CHUNK_TASKS;
    yield { snapshot: true, snapshotComplete: start >= tasks.length, tasks: chunk, removedTaskIds: [], nodes: start === WATCH_CHUNK_TASKS ? nodes : [] };
  } while (start < tasks.length);
}

async function* changes(deps: WatchDeps, plan: WatchPlan, shown: Set<number>, taken: TakenChanges): AsyncGenerator<WatchBatch> {
  const tasks: TaskRecord[] = [];
  const removedTaskIds: number[] = [];
  // Newest first, as in the snapshot.
  const ids = [...taken.taskIds].sort((a, b) => b - a);
  const records = await Promise.all(ids.map((id) => deps.repo.get(id)));
  for (const task of records) {
    if (!task) continue;
    if (matchesFilter(task, plan.filter)) {
      shown.add(task.taskId);
      tasks.push(task);
    } else if (shown.delete(task.taskId)) removedTaskIds.push(task.taskId);
  }
  const nodes = taken.nodeNames.size > 0 ? await nodeViews(deps, [...taken.nodeNames].sort()) : [];
  if (tasks.length === 0 && removedTaskIds.length === 0 && nodes.length === 0) return;
  let start = 0;
  do {
    const first = start === 0;
    yield { snapshot: false, snapshotComplete: false, tasks: tasks.slice(start, start + WATCH_CHUNK_TASKS), removedTaskIds: first ? removedTaskIds : [], nodes: first ? nodes : [] };
    start += WATCH_CHUNK_TASKS;
  } while (start < tasks.length);
}

async function nodeViews(deps: WatchDeps, names: readonly string[]): Promise<NodeView[]> {
  const ledger = await deps.ledger.current();
  const views: NodeView[] = [];
  for (const name of names) {
    const node = deps.nodes.get(name);
    if (node) views.push({ node, status: deps.nodes.status(name) ?? "disconnected", holdings: ledger.get(name) });
  }
  return views;
}
