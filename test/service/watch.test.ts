/**
 * The Watch RPC over the in-memory transport, against a real Host core and
 * a scripted runner on the real control stream: the snapshot, live task and
 * node changes, filters, and how a watch ends.
 */
import { afterEach, test } from "node:test";
import assert from "node:assert/strict";
import { Code, ConnectError } from "@connectrpc/connect";
import type { WatchResponse } from "../../gen/hakuriver/v1/client_pb.js";
import { LogStream, NodeStatus, TaskStatus } from "../../gen/hakuriver/v1/types_pb.js";
import { inMemoryHost, ScriptedRunner, type InMemoryHost } from "../helpers/in-memory-host.js";
import { WatchReader } from "../helpers/watch-reader.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function host(): Promise<InMemoryHost> {
  const h = await inMemoryHost();
  cleanups.push(() => h.close());
  return h;
}

async function runner(h: InMemoryHost, name: string): Promise<ScriptedRunner> {
  const r = new ScriptedRunner(h.runnerClient, name);
  cleanups.push(() => r.disconnect());
  assert.equal((await r.next()).message.case, "welcome");
  return r;
}

function watch(client: InMemoryHost["client"], request: ConstructorParameters<typeof WatchReader>[1]): WatchReader {
  const reader = new WatchReader(client, request);
  cleanups.push(() => reader.close());
  return reader;
}

const hasTask = (taskId: string, status?: TaskStatus) => (m: WatchResponse) => m.tasks.some((t) => t.taskId === taskId && (status === undefined || t.status === status));
const hasNode = (name: string, check: (n: WatchResponse["nodes"][number]) => boolean = () => true) => (m: WatchResponse) => m.nodes.some((n) => n.name === name && check(n));

/** Runs a task on the runner: RunTask arrives, then RUNNING. */
async function startOn(r: ScriptedRunner, taskId: string): Promise<void> {
  const run = await r.next();
  assert.equal(run.message.case, "runTask");
  r.send({ message: { case: "taskEvent", value: { taskId, status: TaskStatus.RUNNING } } });
}

test("the snapshot comes in chunks of at most 500 tasks, newest first, the last marked complete", async () => {
  const h = await host();
  const { batchId, tasks } = await h.client.submitTask({ command: "echo", args: ["span:{1..1200}"], sweep: true, cores: 0 });
  const reader = watch(h.client, { tasks: true, taskFilter: { batchId, limit: 5000 } });
  await reader.snapshotDone();
  const snapshot = reader.messages.filter((m) => m.snapshot);
  assert.deepEqual(snapshot.map((m) => m.tasks.length), [500, 500, 200]);
  assert.deepEqual(snapshot.map((m) => m.snapshotComplete), [false, false, true]);
  const ids = snapshot.flatMap((m) => m.tasks.map((t) => t.taskId));
  assert.deepEqual(ids, tasks.map((t) => t.taskId).sort((a, b) => Number(BigInt(b) - BigInt(a))));
  assert.ok(snapshot.every((m) => m.nodes.length === 0), "a tasks-only watch sends no nodes");
});

test("an empty snapshot is one message marked complete; its limit caps the snapshot", async () => {
  const h = await host();
  const empty = watch(h.client, { tasks: true, taskFilter: { batchId: "1" } });
  await empty.snapshotDone();
  assert.equal(empty.messages.length, 1);
  assert.deepEqual([empty.messages[0]!.snapshot, empty.messages[0]!.snapshotComplete, empty.messages[0]!.tasks.length], [true, true, 0]);
  const { tasks } = await h.client.submitTask({ command: "echo", args: ["span:{1..30}"], sweep: true, cores: 0 });
  const capped = watch(h.client, { tasks: true, taskFilter: { limit: 7 } });
  await capped.snapshotDone();
  assert.deepEqual(capped.messages.flatMap((m) => m.tasks.map((t) => t.taskId)), tasks.slice(-7).map((t) => t.taskId).reverse());
});

test("a submitted task appears, its status changes arrive in order, and its final state and output size arrive", async () => {
  const h = await host();
  const r = await runner(h, "node-a");
  const reader = watch(h.client, {});
  const from = await reader.snapshotDone();
  assert.ok(reader.messages[0]!.nodes.some((n) => n.name === "node-a" && n.status === NodeStatus.ONLINE), "the snapshot holds the nodes");
  const { tasks } = await h.client.submitTask({ command: "echo", args: ["hi"], cores: 1 });
  const taskId = tasks[0]!.taskId;
  await reader.until(hasTask(taskId), "the new task appears", from);
  await startOn(r, taskId);
  await reader.until(hasTask(taskId, TaskStatus.RUNNING), "the task runs", from);
  await reader.until(hasNode("node-a", (n) => n.coresInUse === 1 && n.activeTaskIds.includes(taskId)), "node-a shows the task's core in use", from);
  for (let i = 0; i < 20; i++) r.send({ message: { case: "logChunk", value: { taskId, stream: LogStream.STDOUT, offset: BigInt(i * 3), data: Buffer.from("hi\n") } } });
  r.send({ message: { case: "taskEvent", value: { taskId, status: TaskStatus.COMPLETED, exitCode: 0, stdoutSize: 60n } } });
  const final = await reader.until(hasTask(taskId, TaskStatus.COMPLETED), "the task completes", from);
  assert.equal(final.tasks.find((t) => t.taskId === taskId)!.stdoutBytes, 60n);
  await reader.until(hasNode("node-a", (n) => n.coresInUse === 0), "node-a's core is free again", from);
  const order = [TaskStatus.PENDING, TaskStatus.ASSIGNING, TaskStatus.RUNNING, TaskStatus.COMPLETED];
  const seen = reader.messages.slice(from).flatMap((m) => m.tasks.filter((t) => t.taskId === taskId).map((t) => order.indexOf(t.status)));
  assert.deepEqual(seen, [...seen].sort((a, b) => a - b), `statuses out of order: ${seen.join(",")}`);
  // 20 chunks and two events in a burst are coalesced: far fewer messages than changes.
  const afterRunning = reader.messages.findIndex((m, i) => i >= from && hasTask(taskId, TaskStatus.RUNNING)(m));
  const burst = reader.messages.slice(afterRunning + 1).filter(hasTask(taskId)).length;
  assert.ok(burst <= 5, `the burst of 21 changes took ${burst} messages`);
  assert.ok(reader.messages.every((m, i) => i < from || !m.snapshot), "changes are not marked as snapshot");
});

test("a task that leaves a status filter is sent as removed", async () => {
  const h = await host();
  const r = await runner(h, "node-a");
  const reader = watch(h.client, { tasks: true, taskFilter: { statuses: [TaskStatus.RUNNING] } });
  const from = await reader.snapshotDone();
  const taskId = (await h.client.submitTask({ command: "sleep", args: ["1"], cores: 1 })).tasks[0]!.taskId;
  await startOn(r, taskId);
  const running = await reader.until(hasTask(taskId), "the running task appears", from);
  assert.equal(running.tasks.find((t) => t.taskId === taskId)!.status, TaskStatus.RUNNING);
  assert.ok(reader.messages.slice(from).every((m) => m.tasks.every((t) => t.status === TaskStatus.RUNNING)), "only running tasks are sent");
  r.send({ message: { case: "taskEvent", value: { taskId, status: TaskStatus.COMPLETED, exitCode: 0 } } });
  await reader.until((m) => m.removedTaskIds.includes(taskId), "the completed task is removed", from);
});

test("mine shows only the caller's own tasks, in the snapshot and after it", async () => {
  const h = await host();
  const alice = h.clientWithToken((await h.core.authStore.addUser("alice", "user", "", 0)).issued.text);
  const bob = h.clientWithToken((await h.core.authStore.addUser("bob", "user", "", 0)).issued.text);
  const bobsOld = (await bob.submitTask({ command: "true", cores: 0 })).tasks[0]!.taskId;
  const alicesOld = (await alice.submitTask({ command: "true", cores: 0 })).tasks[0]!.taskId;
  const reader = watch(alice, { tasks: true, taskFilter: { mine: true } });
  const from = await reader.snapshotDone();
  assert.deepEqual(reader.messages.flatMap((m) => m.tasks.map((t) => t.taskId)), [alicesOld]);
  const bobsNew = (await bob.submitTask({ command: "true", cores: 0 })).tasks[0]!.taskId;
  const alicesNew = (await alice.submitTask({ command: "true", cores: 0 })).tasks[0]!.taskId;
  await reader.until(hasTask(alicesNew), "alice's new task appears", from);
  const sent = reader.messages.flatMap((m) => m.tasks.map((t) => t.taskId));
  assert.ok(!sent.includes(bobsOld) && !sent.includes(bobsNew), `bob's tasks were sent to alice: ${sent.join(",")}`);
  assert.ok(reader.messages.flatMap((m) => m.tasks).every((t) => t.owner === "alice"));
});

test("nodes appear, drain and go offline as node changes", async () => {
  const h = await host();
  await runner(h, "node-a");
  const reader = watch(h.client, { nodes: true });
  const from = await reader.snapshotDone();
  assert.deepEqual(reader.messages[0]!.nodes.map((n) => n.name), ["node-a"]);
  assert.ok(reader.messages.every((m) => m.tasks.length === 0), "a nodes-only watch sends no tasks");
  const b = await runner(h, "node-b");
  await reader.until(hasNode("node-b", (n) => n.status === NodeStatus.ONLINE && n.resources?.cores === 4), "node-b joins", from);
  await reader.until(hasNode("node-b", (n) => n.usage?.cpuPercent === 1), "node-b's heartbeat usage", from);
  await h.client.drainNode({ node: "node-b" });
  await reader.until(hasNode("node-b", (n) => n.drained), "node-b drained", from);
  await h.client.undrainNode({ node: "node-b" });
  const drainedAt = reader.messages.findIndex(hasNode("node-b", (n) => n.drained));
  await reader.until(hasNode("node-b", (n) => !n.drained), "node-b undrained", drainedAt + 1);
  await b.disconnect();
  await reader.until(hasNode("node-b", (n) => n.status === NodeStatus.OFFLINE), "node-b offline", from);
});

test("the Host shutting down ends the watch cleanly", async () => {
  const h = await inMemoryHost();
  const reader = new WatchReader(h.client, {});
  await reader.snapshotDone();
  await h.close();
  await reader.ended;
  assert.equal(reader.ending, "ok");
});

test("a revoked token ends the watch UNAUTHENTICATED", async () => {
  const h = await host();
  const { issued } = await h.core.authStore.addUser("vera", "viewer", "", 0);
  const reader = new WatchReader(h.clientWithToken(issued.text), {});
  await reader.snapshotDone();
  await h.core.authStore.revoke(issued.token.tokenId);
  await reader.ended;
  assert.ok(reader.ending instanceof Error);
  assert.equal(ConnectError.from(reader.ending).code, Code.Unauthenticated);
});

test("a snapshot limit over 100,000 (or below 0) is INVALID_ARGUMENT", async () => {
  const h = await host();
  for (const limit of [100_001, -1]) {
    const reader = new WatchReader(h.client, { taskFilter: { limit } });
    await reader.ended;
    assert.ok(reader.ending instanceof Error, `limit ${limit} was accepted`);
    const error = ConnectError.from(reader.ending);
    assert.equal(error.code, Code.InvalidArgument);
    assert.match(error.rawMessage, /100,000/);
  }
  const ok = watch(h.client, { taskFilter: { limit: 100_000 } });
  await ok.snapshotDone();
});
