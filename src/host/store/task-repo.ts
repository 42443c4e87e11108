/**
 * Task persistence: the only place that reads or writes the tasks table.
 */
import { sql, type Kysely, type Selectable, type SqlBool } from "kysely";
import { FINAL_STATUSES, isFinal, type TaskStatusName } from "../../shared/task-status.js";
import type { TaskDependency } from "../tasks/dependencies.js";
import type { TaskKindName, TaskRecord } from "../tasks/task-record.js";
import { ActiveTasks } from "./active-tasks.js";
import { BatchLoader } from "./batch-loader.js";
import { GroupCommitter, type GroupCommitOptions } from "./group-commit.js";
import { sqliteGlobOf } from "../../shared/task-labels.js";
import type { Database, TaskLabelTable, TaskTable } from "./schema.js";
import { chunkKeys, chunkRows } from "./sql-limits.js";

function toRecord(row: Selectable<TaskTable>): TaskRecord {
  return {
    taskId: row.task_id,
    batchId: row.batch_id,
    kind: row.kind as TaskKindName,
    status: row.status as TaskStatusName,
    command: row.command,
    args: JSON.parse(row.args_json) as string[],
    env: JSON.parse(row.env_json) as Record<string, string>,
    cores: row.cores,
    memoryBytes: row.memory_bytes,
    container: row.container,
    privileged: row.privileged === 1,
    mounts: JSON.parse(row.mounts_json) as string[],
    target: row.target,
    assignedNode: row.assigned_node,
    numaNode: row.numa_node,
    gpus: JSON.parse(row.gpus_json) as number[],
    gpuCount: row.gpu_count,
    exitCode: row.exit_code,
    message: row.message,
    submittedAt: row.submitted_at,
    startedAt: row.started_at,
    completedAt: row.completed_at,
    sshPort: row.ssh_port,
    sshHostKeys: row.ssh_host_keys === "" ? [] : row.ssh_host_keys.split("\n"),
    publicKey: row.public_key,
    stdoutFinalBytes: row.stdout_final_bytes,
    stderrFinalBytes: row.stderr_final_bytes,
    owner: row.owner,
    timeLimitMs: row.time_limit_ms,
    name: row.name,
    labels: JSON.parse(row.labels_json) as Record<string, string>,
    dependencies: JSON.parse(row.dependencies_json) as TaskDependency[],
    awaitingDependencies: row.awaiting_dependencies === 1,
    placementReason: row.placement_reason,
    startOn: row.start_on,
    startFrom: row.start_from,
  };
}

function toRow(task: TaskRecord): TaskTable {
  return {
    task_id: task.taskId,
    batch_id: task.batchId,
    kind: task.kind,
    status: task.status,
    command: task.command,
    args_json: JSON.stringify(task.args),
    env_json: JSON.stringify(task.env),
    cores: task.cores,
    memory_bytes: task.memoryBytes,
    container: task.container,
    privileged: task.privileged ? 1 : 0,
    mounts_json: JSON.stringify(task.mounts),
    target: task.target,
    assigned_node: task.assignedNode,
    numa_node: task.numaNode,
    gpus_json: JSON.stringify(task.gpus),
    gpu_count: task.gpuCount,
    exit_code: task.exitCode,
    message: task.message,
    submitted_at: task.submittedAt,
    started_at: task.startedAt,
    completed_at: task.completedAt,
    ssh_port: task.sshPort,
    ssh_host_keys: task.sshHostKeys.join("\n"),
    public_key: task.publicKey,
    stdout_final_bytes: task.stdoutFinalBytes,
    stderr_final_bytes: task.stderrFinalBytes,
    owner: task.owner,
    time_limit_ms: task.timeLimitMs,
    name: task.name,
    labels_json: JSON.stringify(task.labels),
    dependencies_json: JSON.stringify(task.dependencies),
    awaiting_dependencies: task.awaitingDependencies ? 1 : 0,
    placement_reason: task.placementReason,
    start_on: task.startOn ?? null,
    start_from: task.startFrom ?? "",
  };
}

/** Statuses a task has not ended in. */
const UNFINISHED_STATUSES: readonly TaskStatusName[] = ["pending", "assigning", "running", "paused", "stopped"];
/** Final statuses other than completed: an after_ok dependency ending in one fails its dependants. */
const UNSUCCESSFUL_STATUSES: readonly TaskStatusName[] = [...FINAL_STATUSES].filter((s) => s !== "completed");

/** The task_labels rows of some tasks, one per label. */
function labelRows(tasks: readonly TaskRecord[]): TaskLabelTable[] {
  return tasks.flatMap((task) => Object.entries(task.labels).map(([key, value]) => ({ task_id: task.taskId, key, value })));
}

/** Filters for {@link TaskRepo.list}. */
export interface TaskFilter {
  readonly kind?: TaskKindName;
  readonly batchId?: number;
  readonly statuses?: readonly TaskStatusName[];
  readonly node?: string;
  readonly owner?: string;
  /** Only tasks whose name matches this glob (`*`, `?`; case-sensitive); see task-labels.ts. */
  readonly nameGlob?: string;
  /** Only tasks carrying every one of these labels (AND). */
  readonly labels?: Readonly<Record<string, string>>;
  /** Only tasks with smaller ids (keyset paging, newest first). */
  readonly beforeTaskId?: number;
  /** At most this many; default 200. */
  readonly limit?: number;
}

/** A page of {@link TaskRepo.listByStatus}. */
export interface QueuePage {
  readonly afterTaskId: number;
  readonly limit: number;
  /** Leave out tasks waiting for their dependencies (the scheduler's read; an index keeps it from touching them). */
  readonly skipAwaitingDependencies?: boolean;
}

/** A batch's progress as a dependency sees it. */
export interface BatchProgress {
  /** Every task of the batch has ended. */
  readonly ended: boolean;
  /** Its first task (by id) that ended other than completed, if any. */
  readonly failure?: { readonly taskId: number; readonly status: TaskStatusName };
}

/** The edge rows of the tasks' dependencies. */
function dependencyRows(tasks: readonly TaskRecord[]): { task_id: number; on_id: number; on_batch: number; require_ok: number }[] {
  return tasks.flatMap((task) => task.dependencies.map((d) => ({ task_id: task.taskId, on_id: d.onId, on_batch: d.batch ? 1 : 0, require_ok: d.requireOk ? 1 : 0 })));
}

/** Options of {@link TaskRepo}. */
export interface TaskRepoOptions {
  /** How submissions are grouped into commits (default: every concurrent one in one commit). */
  readonly groupCommit?: GroupCommitOptions;
}

/** The columns of `after` whose values differ from `before`'s (all of them without `before`). */
function changedColumns(after: TaskRecord, before: TaskRecord | undefined): Partial<TaskTable> {
  const { task_id: _id, ...next } = toRow(after);
  if (!before) return next;
  const { task_id: _was, ...previous } = toRow(before);
  const changed: Partial<Record<keyof TaskTable, unknown>> = {};
  for (const key of Object.keys(next) as (keyof typeof next)[]) {
    if (next[key] !== previous[key]) changed[key] = next[key];
  }
  return changed as Partial<TaskTable>;
}

/** A task's saves that are not committed yet. */
interface UnsettledSaves {
  /** The state of the last save (what reads see). */
  latest: TaskRecord;
  /** The last state known to be in the store (undefined: not known). */
  stored: TaskRecord | undefined;
  /** Saves not settled yet. */
  pending: number;
}

/**
 * Reads and writes task rows. Unfinished tasks are also kept in memory
 * (active-tasks.ts), loaded from the store at first use: reads of them
 * (get, listByStatus of unfinished statuses, activityCounts) never query
 * the store, and a status change is visible to them as soon as it is saved,
 * while its write joins the next group commit.
 */
export class TaskRepo {
  private readonly commits: GroupCommitter<Database>;
  private readonly byId = new BatchLoader<number, TaskRecord>((ids) => this.fetchMany(ids));
  private active: ActiveTasks | undefined;
  private loadingActive: Promise<ActiveTasks> | undefined;
  /** Tasks with saves not committed yet: the store is behind on them. */
  private readonly unsettled = new Map<number, UnsettledSaves>();
  /** Tasks whose last write failed: their next save writes every column, as the store may hold none of the changes since. */
  private readonly needsFullWrite = new Set<number>();

  constructor(
    private readonly db: Kysely<Database>,
    options: TaskRepoOptions = {},
  ) {
    this.commits = new GroupCommitter(db, options.groupCommit);
  }

  /** The unfinished tasks, read from the store once (later callers share the first read). */
  private activeTasks(): Promise<ActiveTasks> {
    if (this.active) return Promise.resolve(this.active);
    this.loadingActive ??= (async () => {
      const rows = await this.db.selectFrom("tasks").selectAll().where("status", "not in", [...FINAL_STATUSES]).orderBy("task_id", "asc").execute();
      const active = new ActiveTasks();
      for (const row of rows) active.put(toRecord(row));
      this.active = active;
      return active;
    })();
    // A failed read (a storage fault) is not kept: the next caller tries again.
    this.loadingActive.catch(() => (this.loadingActive = undefined));
    return this.loadingActive;
  }

  /**
   * Inserts a batch and its tasks, all or nothing, and resolves only once
   * they are committed (on disk, with the `synchronous = FULL` that
   * openDatabase sets): the caller may then acknowledge the submission.
   * Any number of tasks: the rows go in as several INSERTs sized to stay
   * under SQLite's variable limit, inside the one transaction. Concurrent
   * calls share a commit (see GroupCommitter).
   */
  async insertBatch(batchId: number, kind: TaskKindName, submittedAt: number, tasks: readonly TaskRecord[]): Promise<void> {
    const active = await this.activeTasks();
    const chunks = chunkRows(tasks.map(toRow));
    const labelChunks = chunkRows(labelRows(tasks));
    const edges = chunkRows(dependencyRows(tasks));
    await this.commits.run(async (trx) => {
      await trx.insertInto("batches").values({ batch_id: batchId, kind, task_count: tasks.length, submitted_at: submittedAt }).execute();
      for (const chunk of chunks) await trx.insertInto("tasks").values(chunk).execute();
      for (const chunk of labelChunks) await trx.insertInto("task_labels").values(chunk).execute();
      for (const chunk of edges) await trx.insertInto("task_dependencies").values(chunk).execute();
    });
    for (const task of tasks) active.put(task);
  }

  /**
   * Adds tasks to a batch stored before (a resubmit), all or nothing, and
   * counts them in its task_count; resolves once committed, as
   * {@link insertBatch} does.
   * @throws Error when the batch does not exist (the transaction is rolled back).
   */
  async insertIntoBatch(batchId: number, tasks: readonly TaskRecord[]): Promise<void> {
    const active = await this.activeTasks();
    const chunks = chunkRows(tasks.map(toRow));
    const labelChunks = chunkRows(labelRows(tasks));
    const edges = chunkRows(dependencyRows(tasks));
    await this.commits.run(async (trx) => {
      const updated = await trx.updateTable("batches").set((eb) => ({ task_count: eb("task_count", "+", tasks.length) })).where("batch_id", "=", batchId).executeTakeFirst();
      if (updated.numUpdatedRows === 0n) throw new Error(`batch ${batchId} is not stored`);
      for (const chunk of chunks) await trx.insertInto("tasks").values(chunk).execute();
      for (const chunk of labelChunks) await trx.insertInto("task_labels").values(chunk).execute();
      for (const chunk of edges) await trx.insertInto("task_dependencies").values(chunk).execute();
    });
    for (const task of tasks) active.put(task);
  }

  /**
   * The task, or undefined: an unfinished or just-saved one from memory,
   * else from the store (concurrent calls share one query, see BatchLoader).
   */
  async get(taskId: number): Promise<TaskRecord | undefined> {
    const active = await this.activeTasks();
    return active.get(taskId) ?? this.unsettled.get(taskId)?.latest ?? (await this.byId.load(taskId));
  }

  private async fetchMany(taskIds: readonly number[]): Promise<Map<number, TaskRecord>> {
    const found = new Map<number, TaskRecord>();
    for (const chunk of chunkKeys(taskIds)) {
      const rows = await this.db.selectFrom("tasks").selectAll().where("task_id", "in", chunk).execute();
      for (const row of rows) found.set(row.task_id, toRecord(row));
    }
    return found;
  }

  /** Tasks matching the filter, newest first. */
  async list(filter: TaskFilter): Promise<TaskRecord[]> {
    let query = this.db.selectFrom("tasks").selectAll();
    if (filter.kind) query = query.where("kind", "=", filter.kind);
    if (filter.batchId !== undefined) query = query.where("batch_id", "=", filter.batchId);
    if (filter.statuses && filter.statuses.length > 0) query = query.where("status", "in", [...filter.statuses]);
    if (filter.node) query = query.where("assigned_node", "=", filter.node);
    if (filter.owner !== undefined) query = query.where("owner", "=", filter.owner);
    if (filter.nameGlob) query = query.where(sql<SqlBool>`name GLOB ${sqliteGlobOf(filter.nameGlob)}`);
    // One indexed lookup in task_labels per label asked for; together they AND.
    for (const [key, value] of Object.entries(filter.labels ?? {})) {
      query = query.where("task_id", "in", (eb) => eb.selectFrom("task_labels").select("task_id").where("key", "=", key).where("value", "=", value));
    }
    if (filter.beforeTaskId !== undefined) query = query.where("task_id", "<", filter.beforeTaskId);
    const rows = await query.orderBy("task_id", "desc").limit(filter.limit ?? 200).execute();
    return rows.map(toRecord);
  }

  /**
   * Tasks in the given statuses, oldest first (queue order). With `page`,
   * only up to `limit` of them with ids above `afterTaskId`, so a reader
   * that may stop early (the scheduler, at the first task that must wait)
   * never loads a 100,000-task queue whole.
   */
  async listByStatus(statuses: readonly TaskStatusName[], page?: QueuePage): Promise<TaskRecord[]> {
    if (statuses.every((status) => !isFinal(status))) return (await this.activeTasks()).list(statuses, page);
    let query = this.db.selectFrom("tasks").selectAll().where("status", "in", [...statuses]);
    if (page?.skipAwaitingDependencies) query = query.where("awaiting_dependencies", "=", 0);
    if (page) query = query.where("task_id", ">", page.afterTaskId).limit(page.limit);
    const rows = await query.orderBy("task_id", "asc").execute();
    return rows.map(toRecord);
  }

  /**
   * Saves a task's new state: at once in memory (every read sees it), and in
   * the store with the next group commit, writing only the columns that
   * differ from `before` (the state it was read in), or every column when
   * an earlier save of the task is still uncommitted or failed (the store
   * may hold neither). Resolves once that commit holds it. If the commit
   * fails and no later save replaced this one, memory goes back to the
   * task's last committed state, so what reads see stays what the store
   * holds, and the error is thrown; a later save that commits puts its own
   * state back.
   */
  async save(task: TaskRecord, before?: TaskRecord): Promise<void> {
    // Synchronous once loaded (it is after any get): the new state is visible before save returns its promise.
    const active = this.active ?? (await this.activeTasks());
    let chain = this.unsettled.get(task.taskId);
    const overlapping = chain !== undefined;
    if (!chain) this.unsettled.set(task.taskId, (chain = { latest: task, stored: before, pending: 0 }));
    const failedBefore = this.needsFullWrite.delete(task.taskId);
    const columns = changedColumns(task, before === undefined || overlapping || failedBefore ? undefined : before);
    chain.latest = task;
    chain.pending++;
    active.put(task);
    try {
      if (Object.keys(columns).length > 0) {
        await this.commits.run(async (trx) => {
          await trx.updateTable("tasks").set(columns).where("task_id", "=", task.taskId).execute();
        });
      }
      // Groups commit in the order they were asked for: every earlier save of the task has settled.
      chain.stored = task;
      if (chain.latest === task) active.put(task);
    } catch (error) {
      this.needsFullWrite.add(task.taskId);
      if (chain.latest === task) {
        if (chain.stored) active.put(chain.stored);
        else active.remove(task.taskId);
      }
      throw error;
    } finally {
      if (--chain.pending === 0) this.unsettled.delete(task.taskId);
    }
  }

  /** Tasks running now, and tasks waiting to run (pending or assigning), for health reports. */
  async activityCounts(): Promise<{ running: number; pending: number }> {
    const active = await this.activeTasks();
    return { running: active.count("running"), pending: active.count("pending") + active.count("assigning") };
  }

  /** Tasks by status and kind (one grouped count; the metrics' seed at start). */
  async countByStatusAndKind(): Promise<{ status: TaskStatusName; kind: TaskKindName; count: number }[]> {
    const rows = await this.db
      .selectFrom("tasks")
      .select(["status", "kind", (eb) => eb.fn.countAll<number>().as("count")])
      .groupBy(["status", "kind"])
      .execute();
    return rows.map((row) => ({ status: row.status as TaskStatusName, kind: row.kind as TaskKindName, count: Number(row.count) }));
  }

  /** Id and submit time (Unix ms) of every pending task not waiting for dependencies (the metrics' queue at start). */
  async pendingSubmitTimes(): Promise<{ taskId: number; submittedAt: number }[]> {
    const rows = await this.db.selectFrom("tasks").select(["task_id", "submitted_at"]).where("status", "=", "pending").where("awaiting_dependencies", "=", 0).execute();
    return rows.map((row) => ({ taskId: row.task_id, submittedAt: row.submitted_at }));
  }

  /** How many tasks batch `batchId` has; undefined when there is no such batch. */
  async batchSize(batchId: number): Promise<number | undefined> {
    const row = await this.db.selectFrom("batches").select("task_count").where("batch_id", "=", batchId).executeTakeFirst();
    return row?.task_count;
  }

  /**
   * Whether every task of the batch has ended, and its first unsuccessful
   * one. Two index seeks on (batch_id, status): cheap enough to ask at each
   * of a big batch's task ends.
   */
  async batchProgress(batchId: number): Promise<BatchProgress> {
    const open = await this.db.selectFrom("tasks").select("task_id").where("batch_id", "=", batchId).where("status", "in", [...UNFINISHED_STATUSES]).limit(1).executeTakeFirst();
    const failed = await this.db
      .selectFrom("tasks")
      .select(["task_id", "status"])
      .where("batch_id", "=", batchId)
      .where("status", "in", [...UNSUCCESSFUL_STATUSES])
      .orderBy("task_id", "asc")
      .limit(1)
      .executeTakeFirst();
    return { ended: open === undefined, ...(failed ? { failure: { taskId: failed.task_id, status: failed.status as TaskStatusName } } : {}) };
  }

  /** Ids of the tasks waiting for dependencies (pending, awaiting), oldest first: what a restarted Host looks at again. */
  async awaitingDependencyIds(): Promise<number[]> {
    const rows = await this.db.selectFrom("tasks").select("task_id").where("status", "=", "pending").where("awaiting_dependencies", "=", 1).orderBy("task_id", "asc").execute();
    return rows.map((r) => r.task_id);
  }

  /**
   * Waiting tasks (pending, awaiting) with an edge on task `onId` (or, with
   * `batch`, batch `onId`); with `requireOkOnly`, only after_ok edges.
   * Uses the edges' index: never reads waiting tasks that wait for something else.
   */
  async dependantsOf(onId: number, batch: boolean, requireOkOnly = false): Promise<number[]> {
    let query = this.db
      .selectFrom("task_dependencies as d")
      .innerJoin("tasks as t", "t.task_id", "d.task_id")
      .select("d.task_id")
      .where("d.on_id", "=", onId)
      .where("d.on_batch", "=", batch ? 1 : 0)
      .where("t.status", "=", "pending")
      .where("t.awaiting_dependencies", "=", 1);
    if (requireOkOnly) query = query.where("d.require_ok", "=", 1);
    const rows = await query.orderBy("d.task_id", "asc").execute();
    return rows.map((r) => r.task_id);
  }

  /** Whether any task at all has an edge on task (or batch) `onId`: lets a task's end skip the rest when none does. */
  async hasDependants(onId: number, batch: boolean): Promise<boolean> {
    const row = await this.db.selectFrom("task_dependencies").select("task_id").where("on_id", "=", onId).where("on_batch", "=", batch ? 1 : 0).limit(1).executeTakeFirst();
    return row !== undefined;
  }

  /**
   * The distinct dependencies of batch `batchId`'s unfinished tasks (for the
   * loop check: what a batch that is still running waits for).
   */
  async unfinishedDependenciesOfBatch(batchId: number): Promise<TaskDependency[]> {
    const rows = await this.db
      .selectFrom("task_dependencies as d")
      .innerJoin("tasks as t", "t.task_id", "d.task_id")
      .select(["d.on_id", "d.on_batch"])
      .distinct()
      .where("t.batch_id", "=", batchId)
      .where("t.status", "in", [...UNFINISHED_STATUSES])
      .execute();
    return rows.map((r) => ({ onId: r.on_id, batch: r.on_batch === 1, requireOk: false }));
  }

  /** The largest id stored, so a restarted Host never reuses one. */
  async maxId(): Promise<number> {
    const row = await this.db.selectFrom("tasks").select((eb) => eb.fn.max("task_id").as("max")).executeTakeFirst();
    return Number(row?.max ?? 0);
  }
}
