/**
 * Opens the Host's SQLite database (WAL, synchronous FULL, foreign keys)
 * and migrates it.
 */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import SQLite from "better-sqlite3";
import { Kysely, Migrator } from "kysely";
import { DomainError } from "../../shared/errors.js";
import { GuardedSqliteDialect } from "./guarded-sqlite.js";
import { migrationProvider } from "./migrations.js";
import type { Database } from "./schema.js";

/** An open database with the raw handle kept for closing. */
export interface OpenDatabase {
  readonly db: Kysely<Database>;
  close(): Promise<void>;
}

/**
 * Creates the file's directory and opens it, naming the path in any failure:
 * SQLite's own words ("unable to open database file") do not say which file.
 */
function openFile(path: string): SQLite.Database {
  try {
    if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
    const raw = new SQLite(path);
    // The first read, so a file that is not a database fails here too.
    raw.pragma("user_version", { simple: true });
    return raw;
  } catch (error) {
    throw new DomainError("failed_precondition", `cannot open the database ${path}: ${error instanceof Error ? error.message : String(error)} (set another with --db or database.db_file)`);
  }
}

/**
 * Opens (creating if needed) the SQLite file at `path` — `:memory:` works
 * for tests — applies the pragmas and every pending migration.
 */
export async function openDatabase(path: string): Promise<OpenDatabase> {
  const raw = openFile(path);
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
  // Migrations are independent additive changes, numbered when the work starts, so a database may
  // have run a later one (0006) before it meets an earlier one (0005) that landed after it.
  const { error, results } = await new Migrator({ db, provider: migrationProvider, allowUnorderedMigrations: true }).migrateToLatest();
  const failed = results?.find((r) => r.status === "Error");
  if (error || failed) {
    await db.destroy();
    throw new Error(`database migration failed (${failed?.migrationName ?? "unknown"}): ${String(error)}`);
  }
  return { db, close: () => db.destroy() };
}
