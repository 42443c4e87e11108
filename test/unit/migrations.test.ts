/**
 * Migrations are numbered when work starts and land in any order: a
 * database that already ran a later one (here 0006, 0007) still opens when an
 * earlier one (0005) arrives afterwards, and ends with every table.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { Kysely, Migrator, SqliteDialect, type Migration } from "kysely";
import { migrationProvider } from "../../src/host/store/migrations.js";
import { openDatabase } from "../../src/host/store/open-db.js";

test("a database that ran later migrations first opens and gets the earlier one that landed after them", async () => {
  const dir = mkdtempSync(join(tmpdir(), "hakuriver-migrations-"));
  try {
    const path = join(dir, "host.db");
    const all = await migrationProvider.getMigrations();
    const names = Object.keys(all).sort();
    const skipped = names.find((name) => name.startsWith("0005-"));
    assert.ok(skipped && names.indexOf(skipped) < names.length - 1, `0005 comes before a later one: ${names.join(", ")}`);
    const withoutIt: Record<string, Migration> = Object.fromEntries(Object.entries(all).filter(([name]) => name !== skipped));
    const early = new Kysely<unknown>({ dialect: new SqliteDialect({ database: new Database(path) }) });
    const first = await new Migrator({ db: early, provider: { getMigrations: async () => withoutIt } }).migrateToLatest();
    assert.equal(first.error, undefined);
    await early.destroy();

    const opened = await openDatabase(path);
    await opened.close();
    const raw = new Database(path, { readonly: true });
    const ran = raw.prepare("SELECT name FROM kysely_migration ORDER BY name").pluck().all();
    const tables = raw.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all();
    raw.close();
    assert.deepEqual(ran, names);
    assert.ok(tables.includes("task_dependencies"), `tables: ${tables.join(", ")}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
