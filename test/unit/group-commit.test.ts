import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import SQLite from "better-sqlite3";
import { sql } from "kysely";
import { GroupCommitter } from "../../src/host/store/group-commit.js";
import { openDatabase } from "../../src/host/store/open-db.js";
import type { Database } from "../../src/host/store/schema.js";
import { chunkKeys, chunkRows, SQLITE_MAX_VARIABLES } from "../../src/host/store/sql-limits.js";

function batchRow(batchId: number) {
  return { batch_id: batchId, kind: "command", task_count: 0, submitted_at: 0 };
}

test("chunks keep rows × columns under SQLite's variable limit", () => {
  const rows = Array.from({ length: 30_000 }, (_, i) => ({ a: i, b: i, c: i }));
  const chunks = chunkRows(rows);
  assert.ok(chunks.every((c) => c.length * 3 <= SQLITE_MAX_VARIABLES));
  assert.equal(chunks[0]!.length, Math.floor(SQLITE_MAX_VARIABLES / 3));
  assert.deepEqual(chunks.flat(), rows);
  assert.deepEqual(chunkRows([]), []);
  assert.throws(() => chunkRows([{ a: 1 }, { a: 1, b: 2 }], 4), /must all have 1 columns/);
  assert.deepEqual(chunkKeys([1, 2, 3, 4, 5], 2), [[1, 2], [3, 4], [5]]);
});

test("writes arriving together share one commit, and each resolves only after it", async () => {
  const dir = mkdtempSync(join(tmpdir(), "hakuriver-group-"));
  const { db, close } = await openDatabase(join(dir, "host.db"));
  // A second connection sees only committed rows.
  const reader = new SQLite(join(dir, "host.db"), { readonly: true });
  const committed = () => (reader.prepare("select count(*) as n from batches").get() as { n: number }).n;
  try {
    const committer = new GroupCommitter<Database>(db);
    const seenByReader: number[] = [];
    const resolvedWith: number[] = [];
    await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        await committer.run(async (trx) => {
          await trx.insertInto("batches").values(batchRow(i + 1)).execute();
          seenByReader.push(committed());
        });
        resolvedWith.push(committed());
      }),
    );
    assert.deepEqual(new Set(seenByReader), new Set([0]), "nothing was committed while the group ran: one transaction");
    assert.deepEqual(new Set(resolvedWith), new Set([20]), "each caller resolved after the commit of all 20");
  } finally {
    reader.close();
    await close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("one member's failing write rejects only that member; a failed commit rejects all", async () => {
  const { db, close } = await openDatabase(":memory:");
  try {
    const committer = new GroupCommitter<Database>(db);
    const [ok, dup, ok2] = await Promise.allSettled([
      committer.run(async (trx) => void (await trx.insertInto("batches").values(batchRow(1)).execute())),
      committer.run(async (trx) => {
        await trx.insertInto("batches").values(batchRow(2)).execute();
        await trx.insertInto("batches").values(batchRow(1)).execute(); // duplicate key: this member fails
      }),
      committer.run(async (trx) => void (await trx.insertInto("batches").values(batchRow(3)).execute())),
    ]);
    assert.equal(ok.status, "fulfilled");
    assert.equal(dup.status, "rejected");
    assert.equal(ok2.status, "fulfilled");
    const ids = (await db.selectFrom("batches").select("batch_id").orderBy("batch_id").execute()).map((r) => r.batch_id);
    assert.deepEqual(ids, [1, 3], "the failed member's first insert was rolled back with it");

    // A deferred foreign key fails at COMMIT, so the whole group's commit fails.
    await sql`pragma defer_foreign_keys = ON`.execute(db);
    const results = await Promise.allSettled([
      committer.run(async (trx) => void (await trx.insertInto("batches").values(batchRow(4)).execute())),
      committer.run(async (trx) => {
        await sql`pragma defer_foreign_keys = ON`.execute(trx);
        await trx.insertInto("tasks").values(taskRow(99, 12345)).execute();
      }),
    ]);
    assert.deepEqual(results.map((r) => r.status), ["rejected", "rejected"], "no acknowledgement for a group whose commit failed");
    assert.equal((await db.selectFrom("batches").select("batch_id").where("batch_id", "=", 4).execute()).length, 0);
    // The committer keeps working after a failed group.
    await committer.run(async (trx) => void (await trx.insertInto("batches").values(batchRow(5)).execute()));
  } finally {
    await close();
  }
});

test("maxGroupSize 1 commits each caller on its own", async () => {
  const { db, close } = await openDatabase(":memory:");
  try {
    const committer = new GroupCommitter<Database>(db, { maxGroupSize: 1 });
    const counts: number[] = [];
    await Promise.all(
      [1, 2, 3].map((id) =>
        committer.run(async (trx) => {
          await trx.insertInto("batches").values(batchRow(id)).execute();
          counts.push((await trx.selectFrom("batches").select("batch_id").execute()).length);
        }),
      ),
    );
    assert.deepEqual(counts, [1, 2, 3]);
  } finally {
    await close();
  }
});

function taskRow(taskId: number, batchId: number) {
  return {
    task_id: taskId, batch_id: batchId, kind: "command", status: "pending", command: "x", args_json: "[]", env_json: "{}", cores: 1, memory_bytes: 0,
    container: "NULL", privileged: 0, mounts_json: "[]", target: "", assigned_node: null, numa_node: null, gpus_json: "[]", gpu_count: 0, exit_code: null,
    message: "", submitted_at: 0, started_at: null, completed_at: null, ssh_port: 0, ssh_host_keys: "", public_key: "", stdout_final_bytes: -1, stderr_final_bytes: -1, owner: "", time_limit_ms: 0, name: "", labels_json: "{}",
    dependencies_json: "[]", awaiting_dependencies: 0, placement_reason: "", start_from: "",
  };
}
