/**
 * The Host's metrics without the network: task counts kept in memory agree
 * with a seed read back from the store (as a restarted Host reads it); the
 * wait and run histograms, node states, heartbeat ages, tunnels, commits and
 * runners' figures render as the text format a Prometheus parser reads; the
 * RPC interceptor labels codes as callers see them.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { pino } from "pino";
import { RunnerFiguresSchema } from "../../gen/hakuriver/v1/runner_pb.js";
import { HostMetrics, nodeMetricState } from "../../src/host/metrics/host-metrics.js";
import { codeLabel, rpcMetrics } from "../../src/host/metrics/rpc-metrics.js";
import { TaskCounts } from "../../src/host/metrics/task-counts.js";
import type { NodeState } from "../../src/host/runners/node-registry.js";
import type { NodeStatusName } from "../../src/host/runners/node-status.js";
import { GroupCommitter } from "../../src/host/store/group-commit.js";
import { openDatabase } from "../../src/host/store/open-db.js";
import type { Database } from "../../src/host/store/schema.js";
import { createIdGenerator } from "../../src/host/tasks/ids.js";
import { TaskEvents } from "../../src/host/tasks/task-events.js";
import { TaskManager } from "../../src/host/tasks/task-manager.js";
import type { TaskRecord } from "../../src/host/tasks/task-record.js";
import { NodeRegistry } from "../../src/host/runners/node-registry.js";
import { NodeRepo } from "../../src/host/store/node-repo.js";
import { echoSpec, taskStore } from "../helpers/task-store.js";
import { histogramOf, parseExposition, sampleValue } from "../helpers/prometheus.js";

const noNodes = { all: () => [], status: () => undefined };

function task(taskId: number, patch: Partial<TaskRecord> = {}): TaskRecord {
  return { taskId, kind: "command", status: "pending", submittedAt: 1000, startedAt: null, completedAt: null, ...patch } as TaskRecord;
}

test("the queue: depth and the oldest wait, a requeued task keeping its first submit time", () => {
  const counts = new TaskCounts();
  counts.seed([{ status: "pending", kind: "command", count: 2 }, { status: "completed", kind: "vps", count: 4 }], [
    { taskId: 5, submittedAt: 5000 },
    { taskId: 6, submittedAt: 6000 },
  ]);
  assert.equal(counts.queueDepth, 2);
  assert.equal(counts.oldestWaitMs(9000), 4000);
  counts.changed(task(5, { submittedAt: 5000 }), task(5, { status: "assigning", submittedAt: 5000 }));
  assert.equal(counts.oldestWaitMs(9000), 3000);
  counts.created([task(7, { submittedAt: 8000 })]);
  // Back to pending (its runner never acknowledged): the oldest again.
  counts.changed(task(5, { status: "assigning", submittedAt: 5000 }), task(5, { submittedAt: 5000 }));
  assert.equal(counts.queueDepth, 3);
  assert.equal(counts.oldestWaitMs(9000), 4000);
  const byKey = Object.fromEntries(counts.all().map((c) => [`${c.status}/${c.kind}`, c.count]));
  assert.deepEqual(byKey, { "pending/command": 3, "completed/vps": 4, "assigning/command": 0 });
  assert.equal(new TaskCounts().oldestWaitMs(9000), 0);
});

test("a task waiting for its dependencies is pending but not in the queue until it is released", () => {
  const counts = new TaskCounts();
  counts.seed([], [], [3]);
  assert.equal(counts.awaitingDependencies, 1);
  const waiting = task(9, { submittedAt: 2000, awaitingDependencies: true });
  counts.created([waiting]);
  assert.deepEqual([counts.queueDepth, counts.awaitingDependencies, counts.oldestWaitMs(5000)], [0, 2, 0]);
  counts.changed(waiting, { ...waiting, awaitingDependencies: false });
  assert.deepEqual([counts.queueDepth, counts.awaitingDependencies, counts.oldestWaitMs(5000)], [1, 1, 3000]);
  assert.deepEqual(counts.all(), [{ status: "pending", kind: "command", count: 1 }], "still one pending task: its status never changed");
});

test("counts kept through the TaskManager equal a fresh seed from the store (a restarted Host's)", async () => {
  const store = await taskStore();
  try {
    const metrics = new HostMetrics({ nodes: noNodes, now: Date.now, processMetrics: false });
    const nodes = new NodeRegistry(new NodeRepo(store.db));
    const tasks = new TaskManager({ repo: store.repo, nodes, events: new TaskEvents(), ids: createIdGenerator(), now: Date.now, confirmTimeoutMs: 1000, log: pino({ level: "silent" }), observer: metrics });
    const created = await tasks.create([echoSpec("a"), echoSpec("b"), echoSpec("c"), echoSpec("d")]);
    await tasks.change(created[0]!.taskId, "running");
    await tasks.change(created[0]!.taskId, "completed", { exitCode: 0 });
    await tasks.change(created[1]!.taskId, "killed");
    await tasks.change(created[2]!.taskId, "assigning");
    // A refused move (out of a final status) changes no count.
    await tasks.change(created[1]!.taskId, "running");
    const restarted = new HostMetrics({ nodes: noNodes, now: Date.now, processMetrics: false });
    restarted.seedTasks(await store.repo.countByStatusAndKind(), await store.repo.pendingSubmitTimes(), await store.repo.awaitingDependencyIds());
    const live = parseExposition(await metrics.render());
    const seeded = parseExposition(await restarted.render());
    for (const status of ["pending", "assigning", "running", "completed", "killed"]) {
      assert.equal(sampleValue(live, "hakuriver_tasks", { status, kind: "command" }), sampleValue(seeded, "hakuriver_tasks", { status, kind: "command" }), status);
    }
    assert.equal(sampleValue(live, "hakuriver_tasks", { status: "completed", kind: "command" }), 1);
    assert.equal(sampleValue(live, "hakuriver_tasks", { status: "pending", kind: "command" }), 1);
    assert.equal(sampleValue(live, "hakuriver_queue_depth"), 1);
    assert.equal(sampleValue(seeded, "hakuriver_queue_depth"), 1);
    const text = await metrics.render();
    assert.equal(histogramOf(text, "hakuriver_task_wait_seconds", { kind: "command" })?.count, 1);
    assert.equal(histogramOf(text, "hakuriver_task_run_seconds", { kind: "command", status: "completed" })?.count, 1);
    assert.ok((histogramOf(text, "hakuriver_sqlite_commit_seconds")?.count ?? 0) === 0, "this repo was built without the observer");
  } finally {
    await store.close();
  }
});

test("wait and run times land in the right buckets, in seconds", async () => {
  const metrics = new HostMetrics({ nodes: noNodes, now: () => 0, processMetrics: false });
  metrics.taskChanged(task(1, { status: "assigning" }), task(1, { status: "running", startedAt: 1004 }));
  metrics.taskChanged(task(1, { status: "running", startedAt: 1004 }), task(1, { status: "failed", startedAt: 1004, completedAt: 61_004 }));
  // Killed before it ran: no run time.
  metrics.taskChanged(task(2), task(2, { status: "killed", completedAt: 2000 }));
  const text = await metrics.render();
  const wait = histogramOf(text, "hakuriver_task_wait_seconds", { kind: "command" })!;
  assert.equal(wait.count, 1);
  assert.equal(wait.sum, 0.004);
  assert.equal(wait.buckets["0.0025"], 0);
  assert.equal(wait.buckets["0.005"], 1);
  const run = histogramOf(text, "hakuriver_task_run_seconds", { kind: "command", status: "failed" })!;
  assert.deepEqual([run.count, run.sum, run.buckets["30"], run.buckets["60"]], [1, 60, 0, 1]);
  assert.equal(histogramOf(text, "hakuriver_task_run_seconds", { kind: "command", status: "killed" }), undefined);
});

test("nodes by state, heartbeat ages, tunnels, commits and two runners' figures", async () => {
  const node = (name: string, drained: boolean, lastHeartbeat: number) => ({ name, drained, lastHeartbeat }) as NodeState;
  const statuses: Record<string, NodeStatusName> = { a: "connected", b: "connected", c: "lost", d: "disconnected" };
  const nodes = { all: () => [node("a", false, 9_000), node("b", true, 9_500), node("c", false, 1_000), node("d", true, 8_000)], status: (name: string) => statuses[name] };
  const metrics = new HostMetrics({ nodes, now: () => 10_000, processMetrics: false });
  metrics.tunnelOpened();
  metrics.tunnelOpened();
  metrics.tunnelClosed();
  metrics.tunnelRelayed("to_runner", 100);
  metrics.tunnelRelayed("to_client", 4000);
  metrics.tunnelRelayed("to_client", 96);
  metrics.commitObserved(0.002, 3);
  const figures = (spawns: number, descriptors: number) =>
    create(RunnerFiguresSchema, { spawnBucketBoundsSeconds: [0.01, 1], spawnBucketCounts: [BigInt(spawns - 1), BigInt(spawns)], spawnCount: BigInt(spawns), spawnSecondsSum: 0.5, openDescriptors: descriptors, imageLoads: 2n, cpuSeconds: 1.5 });
  metrics.runnerFigures("a", figures(5, 40));
  metrics.runnerFigures("b", figures(9, -1));
  const text = await metrics.render();
  const families = parseExposition(text);
  assert.deepEqual(["online", "drained", "offline"].map((state) => sampleValue(families, "hakuriver_nodes", { state })), [1, 1, 2]);
  assert.equal(sampleValue(families, "hakuriver_node_heartbeat_age_seconds", { node: "c" }), 9);
  assert.equal(sampleValue(families, "hakuriver_node_heartbeat_age_seconds", { node: "b" }), 0.5);
  assert.equal(sampleValue(families, "hakuriver_tunnel_sessions"), 1);
  assert.equal(sampleValue(families, "hakuriver_tunnel_bytes_total", { direction: "to_client" }), 4096);
  assert.equal(sampleValue(families, "hakuriver_tunnel_bytes_total", { direction: "to_runner" }), 100);
  assert.equal(histogramOf(text, "hakuriver_sqlite_commit_group_size")?.sum, 3);
  assert.deepEqual(histogramOf(text, "hakuriver_runner_spawn_seconds", { node: "b" }), { count: 9, sum: 0.5, buckets: { "0.01": 8, "1": 9, "+Inf": 9 } });
  assert.equal(histogramOf(text, "hakuriver_runner_spawn_seconds", { node: "a" })?.count, 5);
  assert.equal(sampleValue(families, "hakuriver_runner_open_descriptors", { node: "a" }), 40);
  assert.equal(sampleValue(families, "hakuriver_runner_open_descriptors", { node: "b" }), undefined, "-1 (cannot count) is left out");
  assert.equal(sampleValue(families, "hakuriver_runner_image_loads_total", { node: "b" }), 2);
  assert.equal(families.get("hakuriver_runner_cpu_seconds_total")?.type, "COUNTER");
});

test("node states: drained only while connected; every other status is offline", () => {
  assert.equal(nodeMetricState("connected", false), "online");
  assert.equal(nodeMetricState("connected", true), "drained");
  assert.equal(nodeMetricState("lost", true), "offline");
  assert.equal(nodeMetricState("disconnected", false), "offline");
  assert.equal(nodeMetricState(undefined, false), "offline");
});

test("RPCs are counted with the code the caller sees, streams when they end", async () => {
  assert.equal(codeLabel(undefined), "ok");
  assert.equal(codeLabel(Code.InvalidArgument), "invalid_argument");
  assert.equal(codeLabel(Code.DeadlineExceeded), "deadline_exceeded");
  const ended: string[] = [];
  const interceptor = rpcMetrics({ rpcEnded: (service, method, code) => ended.push(`${service}/${method} ${code}`) });
  const request = (method: string) => ({ service: { typeName: "s" }, method: { name: method }, signal: new AbortController().signal }) as never;
  await interceptor(async () => ({ stream: false }) as never)(request("Unary"));
  await assert.rejects(interceptor(async () => { throw new ConnectError("no", Code.NotFound); })(request("Missing")));
  const streamed = (await interceptor(async () => ({ stream: true, message: (async function* () { yield 1; throw new ConnectError("gone", Code.Unavailable); })() }) as never)(request("Stream"))) as unknown as { message: AsyncIterable<number> };
  assert.equal(ended.length, 2, "a stream is counted when it ends, not when it opens");
  await assert.rejects(async () => {
    for await (const _ of streamed.message) void _;
  });
  assert.deepEqual(ended, ["s/Unary ok", "s/Missing not_found", "s/Stream unavailable"]);
});

test("the group committer reports each committed group's time and size", async () => {
  const { db, close } = await openDatabase(":memory:");
  try {
    const seen: [number, number][] = [];
    const committer = new GroupCommitter<Database>(db, { onCommit: (seconds, members) => seen.push([seconds, members]) });
    await Promise.all([1, 2, 3].map((id) => committer.run(async (trx) => void (await trx.insertInto("batches").values({ batch_id: id, kind: "command", task_count: 0, submitted_at: 0 }).execute()))));
    assert.equal(seen.length, 1);
    assert.equal(seen[0]![1], 3);
    assert.ok(seen[0]![0] > 0 && seen[0]![0] < 5);
  } finally {
    await close();
  }
});
