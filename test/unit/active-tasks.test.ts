/**
 * The Host's in-memory model of unfinished tasks (ActiveTasks inside
 * TaskRepo) against the store: its order is the queue's, a restart rebuilds
 * exactly the same queue and ledger from the file, a failed commit undoes
 * the change in memory, a crash between group commits loses nothing that
 * was acknowledged, and prepared statements are reused.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "node:test";
import Database from "better-sqlite3";
import { sql } from "kysely";
import { activeLedger } from "../../src/host/scheduling/active-ledger.js";
import { ActiveTasks } from "../../src/host/store/active-tasks.js";
import { openDatabase } from "../../src/host/store/open-db.js";
import { cachingDatabase } from "../../src/host/store/statement-cache.js";
import { TaskRepo } from "../../src/host/store/task-repo.js";
import type { TaskRecord } from "../../src/host/tasks/task-record.js";
import { echoSpec, taskStore } from "../helpers/task-store.js";

function record(taskId: number, status: TaskRecord["status"], extra: Partial<TaskRecord> = {}): TaskRecord {
  return { taskId, status, awaitingDependencies: false, ...extra } as TaskRecord;
}

test("ActiveTasks lists a status in id order, also after a task comes back to it, and drops ended tasks", () => {
  const active = new ActiveTasks();
  for (const id of [1, 2, 3, 4]) active.put(record(id, "pending"));
  active.put(record(2, "assigning"));
  assert.deepEqual(active.list(["pending"]).map((t) => t.taskId), [1, 3, 4]);
  active.put(record(2, "pending")); // back to the queue: its place is by id, not arrival
  assert.deepEqual(active.list(["pending"]).map((t) => t.taskId), [1, 2, 3, 4]);
  active.put(record(3, "completed"));
  assert.equal(active.get(3), undefined);
  assert.equal(active.count("pending"), 3);
  assert.equal(active.size(), 3);
  assert.deepEqual(active.list(["pending"], { afterTaskId: 1, limit: 1 }).map((t) => t.taskId), [2]);
  active.put(record(4, "pending", { awaitingDependencies: true }));
  assert.deepEqual(active.list(["pending"], { skipAwaitingDependencies: true }).map((t) => t.taskId), [1, 2]);
});

test("a restart rebuilds exactly the same queue and ledger from the file", async () => {
  const store = await taskStore();
  try {
    const created = await store.tasks.create(Array.from({ length: 30 }, (_, i) => echoSpec(String(i))));
    const ids = created.map((t) => t.taskId);
    // A mix: some placed, some running on two nodes, some ended, some sent back to the queue.
    await Promise.all(ids.slice(0, 20).map((id, i) => store.tasks.change(id, "assigning", { assignedNode: i % 2 ? "alpha" : "beta" })));
    await Promise.all(ids.slice(0, 14).map((id) => store.tasks.change(id, "running")));
    await Promise.all(ids.slice(0, 6).map((id) => store.tasks.change(id, "completed", { exitCode: 0 })));
    await Promise.all(ids.slice(16, 18).map((id) => store.tasks.change(id, "pending", { assignedNode: null })));
    const statuses = ["pending", "assigning", "running"] as const;
    const before = { queue: await store.repo.listByStatus(["pending"]), all: await store.repo.listByStatus(statuses), ledger: await activeLedger(store.repo) };
    assert.equal(before.queue.length, 12, "10 never placed + 2 sent back");
    assert.deepEqual(before.queue.map((t) => t.taskId), [...ids.slice(16, 18), ...ids.slice(20)], "the queue is in submission order");

    const reopened = await openDatabase(store.dbFile);
    try {
      const repo = new TaskRepo(reopened.db);
      assert.deepEqual(await repo.listByStatus(["pending"]), before.queue);
      assert.deepEqual(await repo.listByStatus(statuses), before.all);
      assert.deepEqual(await activeLedger(repo), before.ledger);
      assert.equal((await repo.get(ids[0]!))?.status, "completed", "an ended task is read from the store");
    } finally {
      await reopened.close();
    }
  } finally {
    await store.close();
  }
});

test("a failed commit undoes the change in memory, and the next save writes the whole row", async () => {
  const store = await taskStore();
  try {
    const [task] = await store.tasks.create([echoSpec("x")]);
    const id = task!.taskId;
    await store.tasks.change(id, "assigning", { assignedNode: "alpha" });
    // A real SQLite failure of the update (not a mock): a trigger that aborts it.
    await sql`create trigger refuse_boom before update on tasks when new.message = 'boom' begin select raise(abort, 'injected failure'); end`.execute(store.db);
    await assert.rejects(store.tasks.change(id, "running", { message: "boom" }), /injected failure/);
    const after = await store.repo.get(id);
    assert.equal(after?.status, "assigning", "memory went back to what the store holds");
    assert.deepEqual((await store.repo.listByStatus(["running"])).map((t) => t.taskId), []);
    assert.deepEqual((await store.repo.listByStatus(["assigning"])).map((t) => t.taskId), [id], "and the queue views see it where it was");
    await sql`drop trigger refuse_boom`.execute(store.db);
    await store.tasks.change(id, "running", { message: "started" });
    const row = await store.db.selectFrom("tasks").selectAll().where("task_id", "=", id).executeTakeFirstOrThrow();
    assert.equal(row.status, "running");
    assert.equal(row.message, "started");
    assert.equal(row.assigned_node, "alpha");
  } finally {
    await store.close();
  }
});

test("of two changes in flight, the first failing and the second committing, the store holds both", async () => {
  const store = await taskStore();
  try {
    const [task] = await store.tasks.create([echoSpec("x")]);
    const id = task!.taskId;
    await store.tasks.change(id, "assigning", { assignedNode: "alpha" });
    await sql`create trigger refuse_boom before update on tasks when new.message = 'boom' begin select raise(abort, 'injected failure'); end`.execute(store.db);
    // Both staged before either commits (as a runner's running and completed events are).
    const running = await store.tasks.stage(id, "running", { message: "boom" });
    const completed = await store.tasks.stage(id, "completed", { exitCode: 0, message: "done" });
    const [first, second] = await Promise.allSettled([running!.committed, completed!.committed]);
    assert.equal(first.status, "rejected");
    assert.equal(second.status, "fulfilled");
    const row = await store.db.selectFrom("tasks").selectAll().where("task_id", "=", id).executeTakeFirstOrThrow();
    assert.equal(row.status, "completed");
    assert.equal(row.message, "done");
    assert.ok(row.started_at !== null, "the running change's start time is in the store, written with the later change");
    assert.equal((await store.repo.get(id))?.status, "completed");
    assert.deepEqual(await store.repo.listByStatus(["running", "assigning"]), []);
  } finally {
    await store.close();
  }
});

test("a crash between group commits loses nothing that was acknowledged", async () => {
  const dir = mkdtempSync(join(tmpdir(), "hakuriver-crash-"));
  const dbFile = join(dir, "host.db");
  try {
    const writer = spawn(process.execPath, [fileURLToPath(new URL("../helpers/ack-writer.js", import.meta.url)), dbFile], { stdio: ["ignore", "pipe", "inherit"] });
    const acked = new Map<number, string>();
    let buffered = "";
    await new Promise<void>((resolve, reject) => {
      writer.on("error", reject);
      writer.on("exit", (code, signal) => (signal === "SIGKILL" ? resolve() : reject(new Error(`writer exited early: ${code}`))));
      writer.stdout!.on("data", (data: Buffer) => {
        buffered += data.toString();
        const lines = buffered.split("\n");
        buffered = lines.pop()!;
        for (const line of lines) {
          const [, id, status] = line.split(" ");
          acked.set(Number(id), status!);
        }
        // Kill it mid-flight, with changes in every state of being written.
        if (acked.size >= 300) writer.kill("SIGKILL");
      });
    });
    assert.ok(acked.size >= 300);
    const order = ["pending", "assigning", "running", "completed"];
    const raw = new Database(dbFile, { readonly: true });
    try {
      const stored = new Map((raw.prepare("select task_id, status from tasks").all() as { task_id: number; status: string }[]).map((r) => [r.task_id, r.status]));
      for (const [id, status] of acked) {
        const found = stored.get(id);
        assert.ok(found !== undefined, `task ${id} was acknowledged ${status} but is not in the file`);
        assert.ok(order.indexOf(found) >= order.indexOf(status), `task ${id} was acknowledged ${status}, the file says ${found}`);
      }
    } finally {
      raw.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the statement cache prepares each SQL text once and evicts the least recently used", () => {
  const raw = new Database(":memory:");
  let prepared = 0;
  const prepare = raw.prepare.bind(raw);
  raw.prepare = ((text: string) => {
    prepared += 1;
    return prepare(text);
  }) as typeof raw.prepare;
  const db = cachingDatabase(raw, 2);
  for (let i = 0; i < 5; i++) db.prepare("select 1");
  assert.equal(prepared, 1);
  db.prepare("select 2");
  db.prepare("select 1"); // still cached, now most recent
  db.prepare("select 3"); // evicts "select 2"
  assert.equal(prepared, 3);
  db.prepare("select 1");
  assert.equal(prepared, 3);
  db.prepare("select 2");
  assert.equal(prepared, 4, "the least recently used one was evicted");
  db.close();
});
