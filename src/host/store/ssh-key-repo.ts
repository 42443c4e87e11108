/**
 * Registered SSH keys: the only place that reads or writes the ssh_keys
 * table (migration 0011).
 */
import type { Kysely, Selectable } from "kysely";
import type { Database, SshKeyTable } from "./schema.js";

/** A stored key. */
export interface SshKeyRow {
  readonly keyId: string;
  /** "" when added with auth off and no user named. */
  readonly user: string;
  readonly type: string;
  /** The key blob, base64. */
  readonly keyBase64: string;
  readonly fingerprint: string;
  readonly comment: string;
  readonly createdAt: number;
}

function rowOf(row: Selectable<SshKeyTable>): SshKeyRow {
  return { keyId: row.key_id, user: row.user_name, type: row.type, keyBase64: row.key_base64, fingerprint: row.fingerprint, comment: row.comment, createdAt: row.created_at };
}

/** Reads and writes registered SSH keys. */
export class SshKeyRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /** Every key, oldest first, for the in-memory copy the jump host checks against. */
  async loadAll(): Promise<SshKeyRow[]> {
    return (await this.db.selectFrom("ssh_keys").selectAll().orderBy("created_at", "asc").orderBy("key_id", "asc").execute()).map(rowOf);
  }

  /** Inserts a key (the fingerprint is unique: a second insert of one key fails). */
  async insert(key: SshKeyRow): Promise<void> {
    await this.db
      .insertInto("ssh_keys")
      .values({ key_id: key.keyId, user_name: key.user, type: key.type, key_base64: key.keyBase64, fingerprint: key.fingerprint, comment: key.comment, created_at: key.createdAt })
      .execute();
  }

  /** Deletes a key. */
  async delete(keyId: string): Promise<void> {
    await this.db.deleteFrom("ssh_keys").where("key_id", "=", keyId).execute();
  }
}
