/**
 * Node persistence: the only place that reads or writes the nodes table.
 */
import type { Kysely, Selectable } from "kysely";
import type { Database, NodeTable } from "./schema.js";

/** A node row with parsed JSON; resources and usage are proto JSON objects. */
export interface NodeRecord {
  readonly name: string;
  readonly resources: unknown;
  readonly usage: unknown;
  readonly lastHeartbeat: number;
  readonly drained: boolean;
  readonly version: string;
  readonly registeredAt: number;
  /** The join token the name is bound to; null = not bound. */
  readonly joinTokenId: string | null;
}

function toRecord(row: Selectable<NodeTable>): NodeRecord {
  return {
    name: row.name,
    resources: JSON.parse(row.resources_json),
    usage: JSON.parse(row.usage_json),
    lastHeartbeat: row.last_heartbeat,
    drained: row.drained === 1,
    version: row.version,
    registeredAt: row.registered_at,
    joinTokenId: row.join_token_id,
  };
}

/** One node's latest heartbeat, as {@link NodeRepo.heartbeats} stores it; usage is a proto JSON object. */
export interface HeartbeatRow {
  readonly name: string;
  readonly usage: unknown;
  /** When the heartbeat arrived (ms since the epoch). */
  readonly at: number;
}

/** Reads and writes node rows. */
export class NodeRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /** Inserts or updates a node when its runner says hello. */
  async upsert(node: NodeRecord): Promise<void> {
    const row = {
      name: node.name,
      resources_json: JSON.stringify(node.resources),
      usage_json: JSON.stringify(node.usage),
      last_heartbeat: node.lastHeartbeat,
      drained: node.drained ? 1 : 0,
      version: node.version,
      registered_at: node.registeredAt,
      join_token_id: node.joinTokenId,
    };
    await this.db
      .insertInto("nodes")
      .values(row)
      .onConflict((oc) => oc.column("name").doUpdateSet({ resources_json: row.resources_json, last_heartbeat: row.last_heartbeat, version: row.version, join_token_id: row.join_token_id }))
      .execute();
  }

  /** Records a heartbeat's usage and time. */
  async heartbeat(name: string, usage: unknown, at: number): Promise<void> {
    await this.db.updateTable("nodes").set({ usage_json: JSON.stringify(usage), last_heartbeat: at }).where("name", "=", name).execute();
  }

  /**
   * Records many heartbeats in one transaction (one row each): what the
   * registry's periodic flush writes. All or none are stored.
   */
  async heartbeats(entries: readonly HeartbeatRow[]): Promise<void> {
    if (entries.length === 0) return;
    await this.db.transaction().execute(async (trx) => {
      for (const entry of entries) {
        await trx.updateTable("nodes").set({ usage_json: JSON.stringify(entry.usage), last_heartbeat: entry.at }).where("name", "=", entry.name).execute();
      }
    });
  }

  /** Sets or clears the drained flag. */
  async setDrained(name: string, drained: boolean): Promise<void> {
    await this.db.updateTable("nodes").set({ drained: drained ? 1 : 0 }).where("name", "=", name).execute();
  }

  /** Every node, by name. */
  async list(): Promise<NodeRecord[]> {
    const rows = await this.db.selectFrom("nodes").selectAll().orderBy("name").execute();
    return rows.map(toRecord);
  }

  /** The node, or undefined. */
  async get(name: string): Promise<NodeRecord | undefined> {
    const row = await this.db.selectFrom("nodes").selectAll().where("name", "=", name).executeTakeFirst();
    return row ? toRecord(row) : undefined;
  }
}
