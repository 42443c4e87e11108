/**
 * User and token persistence: the only place that reads or writes the
 * users and tokens tables. Tokens are stored as hashes only.
 */
import type { Kysely, Selectable } from "kysely";
import type { Database, TokenTable, UserTable } from "./schema.js";

/** A stored user. */
export interface UserRow {
  readonly name: string;
  readonly role: string;
  readonly createdAt: number;
}

/** A stored token (no secret; only its hash). */
export interface TokenRow {
  readonly tokenId: string;
  readonly kind: "user" | "join";
  readonly user: string | null;
  readonly label: string;
  readonly secretHash: string;
  readonly createdAt: number;
  readonly expiresAt: number | null;
  readonly revokedAt: number | null;
  readonly lastUsedAt: number | null;
}

function userOf(row: Selectable<UserTable>): UserRow {
  return { name: row.name, role: row.role, createdAt: row.created_at };
}

function tokenOf(row: Selectable<TokenTable>): TokenRow {
  return {
    tokenId: row.token_id,
    kind: row.kind === "join" ? "join" : "user",
    user: row.user_name,
    label: row.label,
    secretHash: row.secret_hash,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    lastUsedAt: row.last_used_at,
  };
}

/** Reads and writes users and tokens. */
export class AuthRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /** Every user and token, for the in-memory copy the Host checks calls against. */
  async loadAll(): Promise<{ users: UserRow[]; tokens: TokenRow[] }> {
    const users = (await this.db.selectFrom("users").selectAll().execute()).map(userOf);
    const tokens = (await this.db.selectFrom("tokens").selectAll().execute()).map(tokenOf);
    return { users, tokens };
  }

  /** Inserts a user and their first token in one transaction. */
  async insertUser(user: UserRow, token: TokenRow | undefined): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.insertInto("users").values({ name: user.name, role: user.role, created_at: user.createdAt }).execute();
      if (token) await trx.insertInto("tokens").values(tokenRow(token)).execute();
    });
  }

  /** Inserts a token. */
  async insertToken(token: TokenRow): Promise<void> {
    await this.db.insertInto("tokens").values(tokenRow(token)).execute();
  }

  /** Sets a user's role. */
  async setRole(name: string, role: string): Promise<void> {
    await this.db.updateTable("users").set({ role }).where("name", "=", name).execute();
  }

  /** Deletes a user and marks their tokens revoked, in one transaction. */
  async deleteUser(name: string, at: number): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.updateTable("tokens").set({ revoked_at: at }).where("user_name", "=", name).where("revoked_at", "is", null).execute();
      await trx.deleteFrom("users").where("name", "=", name).execute();
    });
  }

  /** Marks a token revoked. */
  async revokeToken(tokenId: string, at: number): Promise<void> {
    await this.db.updateTable("tokens").set({ revoked_at: at }).where("token_id", "=", tokenId).execute();
  }

  /** Records when a token was last used. */
  async touchToken(tokenId: string, at: number): Promise<void> {
    await this.db.updateTable("tokens").set({ last_used_at: at }).where("token_id", "=", tokenId).execute();
  }
}

function tokenRow(token: TokenRow): TokenTable {
  return {
    token_id: token.tokenId,
    kind: token.kind,
    user_name: token.user,
    label: token.label,
    secret_hash: token.secretHash,
    created_at: token.createdAt,
    expires_at: token.expiresAt,
    revoked_at: token.revokedAt,
    last_used_at: token.lastUsedAt,
  };
}
