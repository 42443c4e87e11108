/**
 * Submissions far larger than one SQL statement can carry: a sweep past
 * SQLite's bound-variable limit through the client service, and the
 * documented 100,000-task limit through TaskManager, both on a real SQLite
 * file. (The service's own cost for 100,000 tasks is in
 * test/bench/large-submit.ts; it re-reads and renders every task.)
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { TaskStatus } from "../../gen/hakuriver/v1/types_pb.js";
import { MAX_COMBINATIONS } from "../../src/shared/spans.js";
import { inMemoryHost, type InMemoryHost } from "../helpers/in-memory-host.js";
import { echoSpec, taskStore } from "../helpers/task-store.js";
import { listAllTasks } from "../helpers/list-all.js";

let host: InMemoryHost;

before(async () => {
  host = await inMemoryHost();
});

after(async () => {
  await host.close();
});

/** Counts the stored tasks of a batch by listing them all, page by page. */
async function storedCount(batchId: string): Promise<number> {
  return (await listAllTasks(host.client, { batchId })).length;
}

test("a 5,000-task sweep (past one statement's variable limit) is stored whole", async () => {
  const count = 5_000;
  const { batchId, tasks } = await host.client.submitTask({ command: "echo", args: [`span:{1..${count}}`], sweep: true });
  assert.equal(tasks.length, count);
  assert.ok(tasks.every((t) => t.batchId === batchId && t.status === TaskStatus.PENDING));
  assert.deepEqual(tasks.map((t) => t.args[0]).slice(0, 3), ["1", "2", "3"]);
  assert.equal(tasks.at(-1)?.args[0], String(count));
  assert.equal(await storedCount(batchId), count);
});

test("the documented limit, 100,000 tasks in one submission, is stored whole and listed as one batch", async () => {
  const store = await taskStore();
  try {
    const specs = Array.from({ length: MAX_COMBINATIONS }, (_, i) => echoSpec(String(i + 1)));
    const created = await store.tasks.create(specs);
    assert.equal(created.length, MAX_COMBINATIONS);
    const batchId = created[0]!.batchId;
    const stored = await store.db
      .selectFrom("tasks")
      .select((eb) => [eb.fn.countAll<number>().as("rows"), eb.fn.count<number>("task_id").distinct().as("ids")])
      .where("batch_id", "=", batchId)
      .executeTakeFirstOrThrow();
    assert.equal(Number(stored.rows), MAX_COMBINATIONS);
    assert.equal(Number(stored.ids), MAX_COMBINATIONS);
    const batch = await store.db.selectFrom("batches").selectAll().where("batch_id", "=", batchId).executeTakeFirstOrThrow();
    assert.equal(batch.task_count, MAX_COMBINATIONS);
    const listed = await store.tasks.list({ batchId, limit: 3 });
    assert.deepEqual(listed.map((t) => t.args[0]), [String(MAX_COMBINATIONS), String(MAX_COMBINATIONS - 1), String(MAX_COMBINATIONS - 2)], "newest first, the last of the sweep on top");
  } finally {
    await store.close();
  }
});
