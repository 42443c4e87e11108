/**
 * The Scheduler over the real domain (in-memory SQLite, fake clock): queue
 * order, kick coalescing, and its life cycle on capacity events.
 */
import assert from "node:assert/strict";
import { afterEach, beforeEach, test } from "node:test";
import { Scheduler, demandOf } from "../../src/host/scheduling/scheduler.js";
import { assignmentCommand } from "../../src/host/runners/runner-commands.js";
import type { TaskRecord } from "../../src/host/tasks/task-record.js";
import type { TaskSpecInput } from "../../src/host/tasks/submit-spec.js";
import { echoSpec } from "../helpers/task-store.js";
import { hostDomain, type HostDomain } from "../helpers/host-domain.js";

let d: HostDomain;
let dispatched: TaskRecord[];
let pendingReads: number;
let scheduler: Scheduler;

beforeEach(async () => {
  d = await hostDomain();
  dispatched = [];
  pendingReads = 0;
  const listByStatus = d.repo.listByStatus.bind(d.repo);
  // Counts scheduling passes: each pass reads the pending queue once (it is short here).
  const repo = Object.create(d.repo) as typeof d.repo;
  repo.listByStatus = (statuses, options) => {
    if (statuses[0] === "pending") pendingReads++;
    return listByStatus(statuses, options);
  };
  scheduler = new Scheduler({ repo, tasks: d.tasks, nodes: d.nodes, log: d.captured.log, watch: { dispatch: (t) => void dispatched.push(t) }, events: d.events });
});
afterEach(async () => {
  await scheduler.stop();
  await d.close();
});

function spec(cores: number, targetText = ""): TaskSpecInput {
  return { ...echoSpec(`${cores}`), cores, targetText, target: targetText === "" ? null : { node: targetText, numaNode: null, gpus: [] } };
}

test("an auto-placed task that must wait blocks the tasks behind it, in submission order", async () => {
  await d.addNode("alpha", 4);
  const [big, waits, small] = await d.tasks.create([spec(3), spec(2), spec(1)]);
  scheduler.kick();
  await scheduler.idle();
  assert.deepEqual(dispatched.map((t) => t.taskId), [big!.taskId]);
  const second = await d.repo.get(waits!.taskId);
  assert.equal(second?.status, "pending");
  assert.match(second?.message ?? "", /^waiting: no node has room now \(not enough free cores on alpha/);
  const third = await d.repo.get(small!.taskId);
  assert.equal(third?.status, "pending");
  assert.equal(third?.message, "queued", "not considered: it is behind a waiting auto-placed task");
});

test("a task waiting for a named node does not block tasks for other nodes", async () => {
  await d.addNode("alpha", 2);
  await d.addNode("beta", 2);
  const [fillsAlpha, waitsAlpha, goesBeta] = await d.tasks.create([spec(2, "alpha"), spec(1, "alpha"), spec(1)]);
  scheduler.kick();
  await scheduler.idle();
  assert.deepEqual(dispatched.map((t) => [t.taskId, t.assignedNode]), [
    [fillsAlpha!.taskId, "alpha"],
    [goesBeta!.taskId, "beta"],
  ]);
  assert.equal((await d.repo.get(waitsAlpha!.taskId))?.status, "pending");
});

test("kicks during a pass coalesce into one more pass", async () => {
  await d.addNode("alpha", 4);
  await d.tasks.create([spec(1)]);
  for (let i = 0; i < 5; i++) scheduler.kick();
  await scheduler.idle();
  assert.equal(pendingReads, 2, "the first pass, then one for all the kicks it saw");
  assert.equal(dispatched.length, 1);
});

test("started, it runs a pass on every capacity change; stopped, it no longer listens", async () => {
  await d.addNode("alpha", 1);
  scheduler.start();
  await scheduler.idle();
  const first = pendingReads;
  const [a, b] = await d.tasks.create([spec(1), spec(1)]); // announces a capacity change
  await scheduler.idle();
  assert.ok(pendingReads > first);
  assert.deepEqual(dispatched.map((t) => t.taskId), [a!.taskId]);
  await d.tasks.change(a!.taskId, "completed", { exitCode: 0 }); // frees alpha
  await scheduler.idle();
  assert.deepEqual(dispatched.map((t) => t.taskId), [a!.taskId, b!.taskId]);
  await scheduler.stop();
  const reads = pendingReads;
  d.events.capacityChanged();
  await scheduler.idle();
  assert.equal(pendingReads, reads);
});

test("zero-core tasks in one pass alternate over equal nodes, and each stored task says why it went there", async () => {
  await d.addNode("alpha", 4);
  await d.addNode("beta", 4);
  const created = await d.tasks.create(Array.from({ length: 10 }, () => spec(0)));
  scheduler.kick();
  await scheduler.idle();
  assert.deepEqual(dispatched.map((t) => t.assignedNode), ["alpha", "beta", "alpha", "beta", "alpha", "beta", "alpha", "beta", "alpha", "beta"]);
  const [first, second] = await Promise.all([d.repo.get(created[0]!.taskId), d.repo.get(created[1]!.taskId)]);
  assert.equal(first?.placementReason, "placed on alpha: tied with beta (4 of 4 cores free, 0 active tasks), first by name");
  assert.equal(second?.placementReason, "placed on beta: fewest active tasks (0; alpha 1), 4 of 4 cores free (alpha 4 of 4 cores free)");
  // A task placed by its target says so.
  const [named] = await d.tasks.create([spec(1, "alpha")]);
  scheduler.kick();
  await scheduler.idle();
  assert.equal((await d.repo.get(named!.taskId))?.placementReason, "placed on alpha: its target names it");
});

test("a start of a stopped VPS asks for its own node (and, in its kept container, the very GPUs it had)", () => {
  const vps = { cores: 2, memoryBytes: 1024, target: "", numaNode: null, gpus: [1, 3], gpuCount: 2 };
  assert.deepEqual(demandOf({ ...vps, startOn: "alpha", startFrom: "" }), { cores: 2, memoryBytes: 1024, node: "alpha", numaNode: null, gpus: [1, 3] });
  const moved = demandOf({ ...vps, startOn: "beta", startFrom: "box" });
  assert.equal(moved.node, "beta");
  assert.equal(moved.gpuCount, 2, "a new container on another node gets any free GPUs by count");
  assert.equal(demandOf({ ...vps, target: "gamma", startOn: null }).node, "gamma", "no start queued: the target as submitted");
  const record = { taskId: 5, kind: "vps", command: "", args: [], env: {}, cores: 1, memoryBytes: 0, container: "env", privileged: false, mounts: [], gpus: [], numaNode: null, timeLimitMs: 0, publicKey: "k" } as unknown as TaskRecord;
  assert.equal(assignmentCommand(record).message?.case, "runTask");
  const start = assignmentCommand({ ...record, startOn: "alpha", startFrom: "box" }).message;
  assert.equal(start?.case, "startVps");
  assert.equal(start?.case === "startVps" ? start.value.snapshot : undefined, "box");
});
