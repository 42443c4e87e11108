/**
 * Opens the Host's SQLite database (WAL, synchronous FULL, foreign keys)
 * and migrates it.
 */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import SQLite from "better-sqlite3";
import { Kysely, Migrator } from "kysely";
import { GuardedSqliteDialect } from "./guarded-sqlite.js";
import { migrationProvider } from "./migrations.js";
import type { Database } from "./schema.js";

/** An open database with the raw handle kept for closing. */
export interface OpenDatabase {
  readonly db: Kysely<Database>;
  close(): Promise<void>;
}

/**
 * Opens (creating if needed) the SQLite file at `path` — `:memory:` works
 * for tests — applies the pragmas and every pending migration.
 */
export async function openDatabase(path: string): Promise<OpenDatabase> {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const raw = new SQLite(path);
  raw.pragma("journal_mode = WAL");
  // FULL: every commit fsyncs the WAL before it returns, so an acknowledged
  // submission or state change survives a power cut. NORMAL syncs only at
  // checkpoints: a simulated power cut lost every acknowledged task (20 of 20
  // in issue 9; 40 of 40 in test/e2e/power-cut.test.ts). TaskRepo groups concurrent submissions
  // into one commit to keep the throughput.
  raw.pragma("synchronous = FULL");
  raw.pragma("busy_timeout = 5000");
  raw.pragma("foreign_keys = ON");
  const db = new Kysely<Database>({ dialect: new GuardedSqliteDialect(raw, path) });
  const { error, results } = await new Migrator({ db, provider: migrationProvider }).migrateToLatest();
  const failed = results?.find((r) => r.status === "Error");
  if (error || failed) {
    await db.destroy();
    throw new Error(`database migration failed (${failed?.migrationName ?? "unknown"}): ${String(error)}`);
  }
  return { db, close: () => db.destroy() };
}
