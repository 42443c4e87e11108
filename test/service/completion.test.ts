/**
 * Task-id completion: which words take an id, ids from a real in-memory
 * Host, and none (quickly, without an error) from a Host that never answers.
 */
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Socket } from "node:net";
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { createClient } from "@connectrpc/connect";
import { ClientService } from "../../gen/hakuriver/v1/client_pb.js";
import { TaskKind, TaskStatus } from "../../gen/hakuriver/v1/types_pb.js";
import { taskIdCompletions, taskIdSlot } from "../../src/cli/completion.js";
import { createHostConnection } from "../../src/shared/transport.js";
import { inMemoryHost } from "../helpers/in-memory-host.js";

test("a task id is completed after the commands that take one, and nowhere else", () => {
  assert.deepEqual(taskIdSlot(["hakuriver", "task", "status", ""], ""), { kind: TaskKind.COMMAND });
  assert.deepEqual(taskIdSlot(["hakuriver", "task", "kill", "12"], "12")?.statuses, [TaskStatus.PENDING, TaskStatus.ASSIGNING, TaskStatus.RUNNING, TaskStatus.PAUSED]);
  assert.deepEqual(taskIdSlot(["hakuriver", "task", "resume", ""], ""), { kind: TaskKind.COMMAND, statuses: [TaskStatus.PAUSED] });
  assert.deepEqual(taskIdSlot(["hakuriver", "logs", ""], ""), {});
  assert.deepEqual(taskIdSlot(["hakuriver", "ssh"], ""), { kind: TaskKind.VPS, statuses: [TaskStatus.RUNNING] });
  assert.equal(taskIdSlot(["hakuriver", "task", ""], ""), undefined, "a subcommand, not an id");
  assert.equal(taskIdSlot(["hakuriver", "task", "status", "12", ""], ""), undefined, "the id is given already");
  assert.equal(taskIdSlot(["hakuriver", "logs"], "--fo"), undefined, "an option");
  assert.equal(taskIdSlot(["hakuriver", "task", "submit", ""], ""), undefined);
});

test("ids come from the Host, newest first, filtered as the command needs", async () => {
  const host = await inMemoryHost();
  try {
    // No runner: both wait in the queue.
    const ids: string[] = [];
    for (let i = 0; i < 2; i++) ids.unshift((await host.client.submitTask({ kind: TaskKind.COMMAND, command: "true", container: "NULL" })).tasks[0]!.taskId);
    assert.deepEqual(await taskIdCompletions(host.client, { kind: TaskKind.COMMAND }), ids);
    assert.deepEqual(await taskIdCompletions(host.client, { kind: TaskKind.COMMAND, statuses: [TaskStatus.PAUSED] }), []);
    const [zsh] = await taskIdCompletions(host.client, { kind: TaskKind.COMMAND }, 300, true);
    assert.match(zsh!, new RegExp(`^${ids[0]}:pending true$`));
  } finally {
    await host.close();
  }
});

const silent: Socket[] = [];
const blackHole = createServer((socket) => silent.push(socket)); // Accepts, reads nothing, answers nothing.
after(() => {
  for (const socket of silent) socket.destroy();
  blackHole.close();
});

test("a Host that accepts the connection but never answers gives no ids, within the deadline", async () => {
  blackHole.listen(0, "127.0.0.1");
  await once(blackHole, "listening");
  const { port } = blackHole.address() as AddressInfo;
  const connection = createHostConnection(`127.0.0.1:${port}`);
  try {
    const started = performance.now();
    const ids = await taskIdCompletions(createClient(ClientService, connection.transport), {}, 300);
    const tookMs = performance.now() - started;
    assert.deepEqual(ids, []);
    assert.ok(tookMs >= 250 && tookMs < 1000, `took ${tookMs} ms`);
  } finally {
    connection.close();
  }
});
