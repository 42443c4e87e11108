/**
 * Submissions far larger than one SQL statement can carry: a sweep past
 * SQLite's bound-variable limit, and the documented 100,000-task limit,
 * through the client service with a real SQLite file.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { TaskStatus } from "../../gen/hakuriver/v1/types_pb.js";
import { MAX_COMBINATIONS } from "../../src/shared/spans.js";
import { inMemoryHost, type InMemoryHost } from "../helpers/in-memory-host.js";

let host: InMemoryHost;

before(async () => {
  host = await inMemoryHost();
});

after(async () => {
  await host.close();
});

/** Counts the stored tasks of a batch by listing them all. */
async function storedCount(batchId: string, expected: number): Promise<number> {
  const { tasks } = await host.client.listTasks({ batchId, limit: expected + 1 });
  return tasks.length;
}

test("a 5,000-task sweep (past one statement's variable limit) is stored whole", async () => {
  const count = 5_000;
  const { batchId, tasks } = await host.client.submitTask({ command: "echo", args: [`span:{1..${count}}`], sweep: true });
  assert.equal(tasks.length, count);
  assert.ok(tasks.every((t) => t.batchId === batchId && t.status === TaskStatus.PENDING));
  assert.deepEqual(tasks.map((t) => t.args[0]).slice(0, 3), ["1", "2", "3"]);
  assert.equal(tasks.at(-1)?.args[0], String(count));
  assert.equal(await storedCount(batchId, count), count);
});

test("the documented limit, a 100,000-task sweep, is stored whole and listed as one batch", async () => {
  const { batchId, tasks } = await host.client.submitTask({ command: "echo", args: [`span:{1..${MAX_COMBINATIONS}}`], sweep: true });
  assert.equal(tasks.length, MAX_COMBINATIONS);
  assert.equal(new Set(tasks.map((t) => t.taskId)).size, MAX_COMBINATIONS, "every task has its own id");
  assert.equal(await storedCount(batchId, MAX_COMBINATIONS), MAX_COMBINATIONS);
});
