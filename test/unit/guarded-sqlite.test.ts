/**
 * The guarded SQLite dialect over a real database file: SQLITE_FULL (forced
 * with max_page_count) surfaces as "disk full at <dir>" instead of Kysely's
 * "cannot rollback", and a removed file refuses writes.
 */
import { mkdtempSync, rmSync, unlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import assert from "node:assert/strict";
import SQLite from "better-sqlite3";
import { Kysely } from "kysely";
import { GuardedSqliteDialect } from "../../src/host/store/guarded-sqlite.js";
import { StorageFault, storageFault } from "../../src/shared/storage-errors.js";

interface Db {
  items: { id: number; body: string };
}

const dir = mkdtempSync(join(tmpdir(), "hakuriver-guarded-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function open(name: string): { db: Kysely<Db>; raw: SQLite.Database; path: string } {
  const path = join(dir, name);
  const raw = new SQLite(path);
  raw.pragma("journal_mode = WAL");
  raw.exec("create table items (id integer primary key, body text not null)");
  return { db: new Kysely<Db>({ dialect: new GuardedSqliteDialect(raw, path) }), raw, path };
}

test("SQLITE_FULL in a transaction is reported as disk full at the database's directory", async () => {
  const { db, raw } = open("full.db");
  raw.pragma(`max_page_count = ${Number(raw.pragma("page_count", { simple: true })) + 1}`);
  const write = db.transaction().execute(async (trx) => {
    for (let i = 0; i < 20; i++) await trx.insertInto("items").values({ id: i, body: "x".repeat(8192) }).execute();
  });
  await assert.rejects(write, (error: unknown) => {
    assert.ok(error instanceof StorageFault, String(error));
    assert.equal(error.kind, "resource_exhausted");
    assert.match(error.message, new RegExp(`^disk full at ${dir}: writing the database failed \\(SQLITE_FULL`));
    return true;
  });
  assert.equal(raw.inTransaction, false);
  // Still usable once there is room.
  raw.pragma("max_page_count = 100000");
  await db.insertInto("items").values({ id: 1, body: "ok" }).execute();
  await db.destroy();
});

test("a database file removed under the handle refuses writes with UNAVAILABLE; reads still work", async () => {
  const { db, path } = open("removed.db");
  await db.insertInto("items").values({ id: 1, body: "kept" }).execute();
  unlinkSync(path);
  await assert.rejects(db.insertInto("items").values({ id: 2, body: "lost" }).execute(), (error: unknown) => {
    assert.ok(error instanceof StorageFault);
    assert.equal(error.kind, "unavailable");
    assert.match(error.message, /database file .*removed\.db was removed while the Host was running/);
    return true;
  });
  await assert.rejects(db.transaction().execute(async (trx) => trx.deleteFrom("items").execute()), /was removed/);
  assert.equal((await db.selectFrom("items").selectAll().execute()).length, 1);
  await db.destroy();
});

test("fs errors map by errno; other errors are no storage fault", () => {
  const enospc = Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
  assert.equal(storageFault(enospc, "/logs/task_outputs/1.out", "storing stdout")?.message, "disk full at /logs/task_outputs: storing stdout failed (ENOSPC: no space left on device, write); free space there and retry");
  const eio = Object.assign(new Error("EIO: i/o error, read"), { code: "EIO" });
  assert.equal(storageFault(eio, "/logs/a", "reading")?.kind, "unavailable");
  const constraint = Object.assign(new Error("UNIQUE constraint failed"), { code: "SQLITE_CONSTRAINT_PRIMARYKEY" });
  assert.equal(storageFault(constraint, "/db/host.db", "writing"), undefined);
  assert.equal(storageFault("nope", "/x", "y"), undefined);
});
