/**
 * GPUs by count (`--gpus N`): checking the request, best-fit placement over
 * free GPUs, the GPUs picked, and the scheduler over the real domain
 * (queueing while no node has N free, and each task's GPUs released once,
 * when it ends).
 */
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, test } from "node:test";
import { create } from "@bufbuild/protobuf";
import { SubmitTaskRequestSchema } from "../../gen/hakuriver/v1/client_pb.js";
import { ResourcesSchema } from "../../gen/hakuriver/v1/types_pb.js";
import { DomainError } from "../../src/shared/errors.js";
import { ErrorReason } from "../../src/shared/error-reasons.js";
import { activeLedger } from "../../src/host/scheduling/active-ledger.js";
import { buildLedger, busyReason, decide, freeGpus, hold, neverFitsReason, type Demand, type NodeCapacity } from "../../src/host/scheduling/placement.js";
import { Scheduler } from "../../src/host/scheduling/scheduler.js";
import { planSubmission } from "../../src/host/tasks/submit-spec.js";
import { resubmitRequestOf } from "../../src/host/tasks/resubmit.js";
import type { TaskSpecInput } from "../../src/host/tasks/submit-spec.js";
import type { TaskRecord } from "../../src/host/tasks/task-record.js";
import { gpuCountOption } from "../../src/cli/option-values.js";
import { echoSpec } from "../helpers/task-store.js";
import { hostDomain, RecordingSession, type HostDomain } from "../helpers/host-domain.js";

const GiB = 1024 ** 3;

function node(name: string, gpus: number, extra: Partial<NodeCapacity> = {}): NodeCapacity {
  return { name, online: true, drained: false, cores: 16, memoryBytes: 64 * GiB, numaNodes: [{ id: 0, cores: 16, memoryBytes: 64 * GiB }], gpus: [...Array(gpus).keys()], ...extra };
}

function wants(gpuCount: number, extra: Partial<Demand> = {}): Demand {
  return { cores: 1, memoryBytes: 0, node: null, numaNode: null, gpus: [], gpuCount, ...extra };
}

function errorOf(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof DomainError, `expected a DomainError, got ${String(error)}`);
    return error;
  }
  assert.fail("expected an error");
}

describe("the request", () => {
  const DEFAULTS = { container: "NULL", privileged: false, mounts: [], queue: true };
  const plan = (init: Parameters<typeof create<typeof SubmitTaskRequestSchema>>[1]) => planSubmission(create(SubmitTaskRequestSchema, { command: "true", ...init }), DEFAULTS);

  test("a count of 1 or more reaches every task spec; unset is 0", () => {
    assert.deepEqual(plan({ gpuCount: 2, targets: ["alpha", "beta:0"] }).specs.map((s) => s.gpuCount), [2, 2]);
    assert.equal(plan({}).specs[0]!.gpuCount, 0);
  });

  test("0, a negative count and a count beside a target naming GPUs are INVALID_ARGUMENT at gpu_count", () => {
    for (const gpuCount of [0, -1]) {
      const error = errorOf(() => plan({ gpuCount }));
      assert.equal(error.kind, "invalid_argument");
      assert.equal(error.details.reason, ErrorReason.INVALID_GPU_COUNT);
      assert.deepEqual(error.details.fieldViolations?.map((v) => v.field), ["gpu_count"]);
      assert.match(error.message, new RegExp(`gpu_count must be a whole number of GPUs, 1 or more, got ${gpuCount}`));
    }
    const both = errorOf(() => plan({ gpuCount: 1, targets: ["alpha", "beta::0,1"] }));
    assert.equal(both.details.reason, ErrorReason.INVALID_GPU_COUNT);
    assert.deepEqual(both.details.fieldViolations?.map((v) => v.field), ["gpu_count"]);
    assert.match(both.message, /cannot be combined with target "beta::0,1"/);
  });

  test("a resubmit asks for the count again, not the indexes the task was given", () => {
    const ran: TaskRecord = {
      ...echoSpec("again"), taskId: 1, batchId: 1, status: "completed", target: "alpha", assignedNode: "alpha", numaNode: null, gpus: [2, 3], gpuCount: 2,
      exitCode: 0, message: "", submittedAt: 0, startedAt: 0, completedAt: 1, sshPort: 0, sshHostKeys: [], stdoutFinalBytes: 0, stderrFinalBytes: 0, owner: "",
      dependencies: [], awaitingDependencies: false,
    };
    const request = resubmitRequestOf(ran, DEFAULTS);
    assert.deepEqual([request.gpuCount, request.targets], [2, ["alpha"]]);
    const [again] = plan(request).specs;
    assert.deepEqual([again!.gpuCount, again!.target?.gpus], [2, []]);
    assert.equal(resubmitRequestOf({ ...ran, gpuCount: 0, gpus: [], target: "" }, DEFAULTS).gpuCount, undefined, "none by count stays unset");
  });

  test("the CLI sends whole numbers as they are and refuses what the wire cannot carry", () => {
    assert.equal(gpuCountOption(undefined), undefined);
    assert.equal(gpuCountOption("2"), 2);
    assert.equal(gpuCountOption("0"), 0, "the Host judges 0, so every client hears the same");
    assert.equal(gpuCountOption("-1"), -1);
    for (const bad of ["1.5", "two", "", "99999999999"]) assert.throws(() => gpuCountOption(bad), /--gpus must be a whole number of GPUs, 1 or more/, bad);
  });
});

describe("placement", () => {
  test("a count past a node's GPUs never fits there; past every node's, never anywhere", () => {
    assert.equal(neverFitsReason(node("a", 4), wants(4)), undefined);
    assert.equal(neverFitsReason(node("a", 4), wants(5)), "node a has 4 GPUs, the task asks for 5");
    assert.equal(neverFitsReason(node("b", 0), wants(1)), "node b has no GPUs, the task asks for 1");
    const never = decide(wants(5), [node("a", 4), node("b", 2)], new Map());
    assert.equal(never.kind, "never");
    assert.match((never as { reason: string }).reason, /no node can ever fit 1 cores, 0 B of memory and 5 GPUs: node a has 4 GPUs, .*; node b has 2 GPUs/);
  });

  test("best fit: the node whose free GPUs are used most tightly wins, before cores and memory", () => {
    // b has more cores free, but 2 GPUs left over on a against 0 on b.
    const nodes = [node("a", 4, { cores: 2 }), node("b", 2, { cores: 64 })];
    assert.deepEqual(decide(wants(2), nodes, new Map()), { kind: "place", node: "b", gpus: [0, 1] });
    // With b's GPUs held, a is the only node with two free.
    const ledger = buildLedger([{ node: "b", cores: 0, memoryBytes: 0, gpus: [1], taskId: "7" }]);
    assert.deepEqual(decide(wants(2), nodes, ledger), { kind: "place", node: "a", gpus: [0, 1] });
    // Counted in free GPUs, not totals: c has 8 but only 2 free, so it fits as tightly as b and the tie goes by cores.
    const c = node("c", 8, { cores: 8 });
    const busyC = buildLedger([{ node: "c", cores: 0, memoryBytes: 0, gpus: [0, 2, 3, 4, 6, 7] }]);
    assert.deepEqual(decide(wants(2), [node("a", 4), node("b", 2), c], busyC), { kind: "place", node: "c", gpus: [1, 5] });
    // Without a count, GPUs play no part: cores decide as before.
    assert.deepEqual(decide(wants(0), nodes, new Map()), { kind: "place", node: "a" });
  });

  test("the picked GPUs are the lowest free indexes; a named node is used as named", () => {
    const a = node("a", 4);
    const ledger = buildLedger([{ node: "a", cores: 1, memoryBytes: 0, gpus: [0, 2], taskId: "9" }]);
    assert.deepEqual(freeGpus(a, ledger.get("a")), [1, 3]);
    assert.deepEqual(decide(wants(2, { node: "a" }), [a, node("b", 2)], ledger), { kind: "place", node: "a", gpus: [1, 3] });
    const wait = decide(wants(3, { node: "a" }), [a], ledger);
    assert.deepEqual(wait, { kind: "wait", reason: "2 of 4 GPUs of a free, the task asks for 3 (in use by task 9)" });
    assert.equal(busyReason(a, wants(2), ledger.get("a")), undefined);
  });

  test("when no node has N free now it waits, saying for how many GPUs and who holds them", () => {
    const nodes = [node("a", 2), node("b", 2)];
    const ledger = buildLedger([
      { node: "a", cores: 0, memoryBytes: 0, gpus: [0, 1], taskId: "1" },
      { node: "b", cores: 0, memoryBytes: 0, gpus: [1], taskId: "2" },
    ]);
    const wait = decide(wants(2), nodes, ledger);
    assert.equal(wait.kind, "wait");
    assert.equal((wait as { reason: string }).reason, "no node has room now for 2 GPUs (0 of 2 GPUs of a free, the task asks for 2 (in use by task 1); 1 of 2 GPUs of b free, the task asks for 2 (in use by task 2))");
    assert.deepEqual(decide(wants(1), nodes, ledger), { kind: "place", node: "b", gpus: [0] });
  });

  test("GPUs reserved within one pass are not given twice", () => {
    const nodes = [node("a", 4)];
    const ledger = buildLedger([]);
    const given: number[] = [];
    for (let i = 0; i < 2; i++) {
      const decision = decide(wants(2), nodes, ledger);
      assert.equal(decision.kind, "place");
      const gpus = (decision as { gpus: readonly number[] }).gpus;
      given.push(...gpus);
      hold(ledger, { node: "a", cores: 1, memoryBytes: 0, gpus, taskId: String(i) });
    }
    assert.deepEqual(given, [0, 1, 2, 3]);
    assert.equal(decide(wants(1), nodes, ledger).kind, "wait");
  });
});

describe("the scheduler", () => {
  let d: HostDomain;
  let dispatched: TaskRecord[];
  let scheduler: Scheduler;

  beforeEach(async () => {
    d = await hostDomain();
    dispatched = [];
    scheduler = new Scheduler({ repo: d.repo, tasks: d.tasks, nodes: d.nodes, log: d.captured.log, watch: { dispatch: (t) => void dispatched.push(t) }, events: d.events });
    scheduler.start();
  });
  afterEach(async () => {
    await scheduler.stop();
    await d.close();
  });

  async function addGpuNode(name: string, gpus: number, cores = 16): Promise<void> {
    const resources = create(ResourcesSchema, { cores, memoryBytes: 64n * 1024n ** 3n, gpus: [...Array(gpus).keys()].map((index) => ({ index, name: "H100" })) });
    await d.nodes.attach(name, resources, "test", new RecordingSession(), d.clock.now());
  }

  function spec(gpuCount: number, node = ""): TaskSpecInput {
    return { ...echoSpec(`gpus ${gpuCount}`), gpuCount, targetText: node, target: node === "" ? null : { node, numaNode: null, gpus: [] } };
  }

  async function submit(...specs: TaskSpecInput[]): Promise<TaskRecord[]> {
    await scheduler.admit(specs, true);
    const created = await d.tasks.create(specs);
    await scheduler.idle();
    return Promise.all(created.map(async (t) => (await d.repo.get(t.taskId))!));
  }

  async function gpusInUse(name: string): Promise<number[]> {
    return [...((await activeLedger(d.repo)).get(name)?.gpus ?? [])].sort();
  }

  test("two tasks get distinct GPUs, stored with them and sent to the runner; a third queues until one ends, then takes its GPUs", async () => {
    await addGpuNode("alpha", 4);
    const [first, second, third] = await submit(spec(2), spec(2), spec(2));
    assert.deepEqual([first!.status, first!.assignedNode, first!.gpus], ["assigning", "alpha", [0, 1]]);
    assert.deepEqual([second!.status, second!.gpus], ["assigning", [2, 3]]);
    assert.deepEqual(dispatched.map((t) => t.gpus), [[0, 1], [2, 3]], "the runner is sent the picked GPUs");
    assert.equal(third!.status, "pending");
    assert.deepEqual(third!.gpus, []);
    assert.match(third!.message, /^waiting: no node has room now for 2 GPUs \(0 of 4 GPUs of alpha free, the task asks for 2 \(in use by task \d+, \d+\)\)$/);

    await d.tasks.change(second!.taskId, "running");
    await scheduler.idle();
    assert.equal((await d.repo.get(third!.taskId))!.status, "pending", "a start frees nothing");
    await d.tasks.change(second!.taskId, "completed", { exitCode: 0 });
    await scheduler.idle();
    const placed = (await d.repo.get(third!.taskId))!;
    assert.deepEqual([placed.status, placed.gpus], ["assigning", [2, 3]]);
    assert.deepEqual(await gpusInUse("alpha"), [0, 1, 2, 3]);
  });

  test("GPUs are released once: a second final report of an ended task frees nothing more", async () => {
    await addGpuNode("alpha", 2);
    const [first, waiting, later] = await submit(spec(2), spec(2), spec(2));
    assert.deepEqual([first!.status, waiting!.status, later!.status], ["assigning", "pending", "pending"]);
    await d.tasks.change(first!.taskId, "completed", { exitCode: 0 });
    await scheduler.idle();
    assert.deepEqual((await d.repo.get(waiting!.taskId))!.gpus, [0, 1]);
    // A late, repeated report of the first task: refused by the status machine, no capacity announced.
    await d.tasks.change(first!.taskId, "lost", { message: "late report" });
    await d.tasks.change(first!.taskId, "completed", { exitCode: 0 });
    d.events.capacityChanged();
    await scheduler.idle();
    assert.equal((await d.repo.get(first!.taskId))!.status, "completed");
    assert.equal((await d.repo.get(later!.taskId))!.status, "pending", "the GPUs of the first task were given once, to the second");
    assert.deepEqual(await gpusInUse("alpha"), [0, 1]);
    // Ending the holder frees them for the last one, which gets exactly them.
    await d.tasks.change(waiting!.taskId, "killed", { message: "killed by user" });
    await scheduler.idle();
    assert.deepEqual((await d.repo.get(later!.taskId))!.gpus, [0, 1]);
    // The ended tasks keep the GPUs they were given, for the record; only active ones count.
    assert.deepEqual((await d.repo.get(first!.taskId))!.gpus, [0, 1]);
    assert.deepEqual(await gpusInUse("alpha"), [0, 1]);
  });

  test("best fit across nodes, and a named node's free GPUs wait for the task that named it", async () => {
    await addGpuNode("alpha", 4);
    await addGpuNode("beta", 2);
    const [tight] = await submit(spec(2));
    assert.deepEqual([tight!.assignedNode, tight!.gpus], ["beta", [0, 1]], "beta has just 2 free: they fit it most tightly");
    const [one] = await submit(spec(1, "alpha"));
    assert.deepEqual([one!.assignedNode, one!.gpus], ["alpha", [0]]);
    const [big] = await submit(spec(4, "alpha"));
    assert.equal(big!.status, "pending");
    assert.match(big!.message, /^waiting: 3 of 4 GPUs of alpha free, the task asks for 4 \(in use by task \d+\)$/);
    // GPUs 1-3 are kept for the waiting 4-GPU task, so a later 1-GPU task on alpha cannot take them.
    const [small] = await submit(spec(1, "alpha"));
    assert.equal(small!.status, "pending");
    await d.tasks.change(one!.taskId, "completed", { exitCode: 0 });
    await scheduler.idle();
    assert.deepEqual((await d.repo.get(big!.taskId))!.gpus, [0, 1, 2, 3]);
    assert.equal((await d.repo.get(small!.taskId))!.status, "pending");
  });

  test("admission: more GPUs than any node has is INVALID_ARGUMENT at gpu_count; busy ones queue", async () => {
    await addGpuNode("alpha", 4);
    await addGpuNode("beta", 2);
    const anywhere = await scheduler.admit([spec(5)], true).then(() => undefined, (error: unknown) => error);
    assert.ok(anywhere instanceof DomainError);
    assert.equal(anywhere.kind, "invalid_argument");
    assert.equal(anywhere.details.reason, ErrorReason.EXCEEDS_NODE_CAPACITY);
    assert.deepEqual(anywhere.details.fieldViolations, [{ field: "gpu_count", description: "5 GPUs asked; the most any node has is 4 (ListNodes shows each node's GPUs)" }]);
    assert.match(anywhere.message, /no node can ever fit .* and 5 GPUs/);
    const named = await scheduler.admit([spec(3, "beta")], true).then(() => undefined, (error: unknown) => error);
    assert.ok(named instanceof DomainError);
    assert.deepEqual(named.details.fieldViolations?.map((v) => [v.field, v.description]), [["gpu_count", "3 GPUs asked; node beta has 2 (ListNodes shows each node's GPUs)"]]);
    assert.equal(named.message, "node beta has 2 GPUs, the task asks for 3");
    await submit(spec(4));
    await scheduler.admit([spec(4)], true); // all four held now, but alpha has four: it queues
    const noQueue = await scheduler.admit([spec(4)], false).then(() => undefined, (error: unknown) => error);
    assert.ok(noQueue instanceof DomainError);
    assert.equal(noQueue.kind, "resource_exhausted");
    // Two in one submission with the queue off must fit beside each other.
    const pair = await scheduler.admit([spec(1, "beta"), spec(2, "beta")], false).then(() => undefined, (error: unknown) => error);
    assert.ok(pair instanceof DomainError, "beta cannot hold 1 + 2 GPUs at once");
  });
});
