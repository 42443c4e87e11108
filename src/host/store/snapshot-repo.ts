/**
 * VPS snapshots' persistence: the only place that reads or writes the
 * vps_snapshots table. The tarballs themselves live in shared storage; a
 * row says which VPS a tarball of that name was taken of, and by whom.
 */
import type { Kysely, Selectable } from "kysely";
import type { Database, VpsSnapshotTable } from "./schema.js";

/** One snapshot as the Host keeps it. Times are Unix milliseconds. */
export interface SnapshotRecord {
  /** Its name, also its environment name (tarball `<name>-<ts>.tar`, image `hakuriver/<name>:base`). */
  readonly name: string;
  readonly taskId: number;
  /** The node whose runner took it. */
  readonly node: string;
  /** The VPS's owner; empty when auth was off. */
  readonly owner: string;
  /** The tarball's file name in shared_dir/<container_dir>. */
  readonly tarball: string;
  readonly sizeBytes: number;
  readonly createdAt: number;
}

function toRecord(row: Selectable<VpsSnapshotTable>): SnapshotRecord {
  return { name: row.name, taskId: row.task_id, node: row.node, owner: row.owner, tarball: row.tarball, sizeBytes: row.size_bytes, createdAt: row.created_at };
}

/** Reads and writes snapshot rows. */
export class SnapshotRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /** The snapshot of this name, if any. */
  async get(name: string): Promise<SnapshotRecord | undefined> {
    const row = await this.db.selectFrom("vps_snapshots").selectAll().where("name", "=", name).executeTakeFirst();
    return row && toRecord(row);
  }

  /** Snapshots, newest first; of one VPS when `taskId` is given. */
  async list(taskId?: number): Promise<SnapshotRecord[]> {
    let query = this.db.selectFrom("vps_snapshots").selectAll();
    if (taskId !== undefined) query = query.where("task_id", "=", taskId);
    return (await query.orderBy("created_at", "desc").orderBy("name", "asc").execute()).map(toRecord);
  }

  /** The newest snapshot of a VPS, if it has one. */
  async latestOf(taskId: number): Promise<SnapshotRecord | undefined> {
    return (await this.list(taskId))[0];
  }

  /** Stores a snapshot, replacing one of the same name. */
  async put(record: SnapshotRecord): Promise<void> {
    const row = { name: record.name, task_id: record.taskId, node: record.node, owner: record.owner, tarball: record.tarball, size_bytes: record.sizeBytes, created_at: record.createdAt };
    await this.db
      .insertInto("vps_snapshots")
      .values(row)
      .onConflict((c) => c.column("name").doUpdateSet({ task_id: row.task_id, node: row.node, owner: row.owner, tarball: row.tarball, size_bytes: row.size_bytes, created_at: row.created_at }))
      .execute();
  }

  /** Forgets a snapshot; returns whether there was one. */
  async delete(name: string): Promise<boolean> {
    const result = await this.db.deleteFrom("vps_snapshots").where("name", "=", name).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}
