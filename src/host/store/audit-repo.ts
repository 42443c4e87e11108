/**
 * The audit trail's persistence: the only place that reads or writes the
 * audit_events table.
 */
import type { Kysely } from "kysely";
import type { Database } from "./schema.js";

/** One audited call. */
export interface AuditEntry {
  readonly at: number;
  readonly actor: string;
  readonly action: string;
  readonly target: string;
  readonly outcome: string;
  readonly address: string;
  readonly detail: string;
}

/** A stored audit entry with its id. */
export interface StoredAuditEntry extends AuditEntry {
  readonly id: number;
}

/** Filters for {@link AuditRepo.list}. */
export interface AuditFilter {
  readonly actor?: string;
  readonly since?: number;
  readonly limit: number;
}

/** Appends and lists audit entries. */
export class AuditRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /** Appends entries in one transaction. */
  async append(entries: readonly AuditEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await this.db.transaction().execute(async (trx) => {
      // A few hundred at most per flush; 8 columns each stays under SQLite's variable limit in chunks of 100.
      for (let i = 0; i < entries.length; i += 100) await trx.insertInto("audit_events").values(entries.slice(i, i + 100).map((e) => ({ ...e }))).execute();
    });
  }

  /** Entries matching the filter, newest first. */
  async list(filter: AuditFilter): Promise<StoredAuditEntry[]> {
    let query = this.db.selectFrom("audit_events").selectAll();
    if (filter.actor !== undefined) query = query.where("actor", "=", filter.actor);
    if (filter.since !== undefined) query = query.where("at", ">=", filter.since);
    return query.orderBy("id", "desc").limit(filter.limit).execute();
  }
}
