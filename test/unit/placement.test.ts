import { test } from "node:test";
import assert from "node:assert/strict";
import { buildLedger, busyReason, decide, emptyUsage, hold, neverFitsReason, type Demand, type NodeCapacity } from "../../src/host/scheduling/placement.js";

const GiB = 1024 ** 3;

function node(name: string, extra: Partial<NodeCapacity> = {}): NodeCapacity {
  return {
    name,
    online: true,
    drained: false,
    cores: 8,
    memoryBytes: 16 * GiB,
    numaNodes: [
      { id: 0, cores: 4, memoryBytes: 8 * GiB },
      { id: 1, cores: 4, memoryBytes: 8 * GiB },
    ],
    gpus: [0, 1],
    ...extra,
  };
}

function demand(extra: Partial<Demand> = {}): Demand {
  return { cores: 1, memoryBytes: 0, node: null, numaNode: null, gpus: [], ...extra };
}

test("buildLedger sums cores, memory, GPUs and NUMA holdings per node", () => {
  const ledger = buildLedger([
    { node: "a", cores: 2, memoryBytes: GiB, gpus: [0], taskId: "7" },
    { node: "a", cores: 1.5, memoryBytes: 2 * GiB, gpus: [], numaNode: 1 },
    { node: "b", cores: 4, memoryBytes: 0, gpus: [1] },
  ]);
  const a = ledger.get("a")!;
  assert.equal(a.cores, 3.5);
  assert.equal(a.memoryBytes, 3 * GiB);
  assert.deepEqual([...a.gpus], [0]);
  assert.equal(a.gpuHolders.get(0), "7");
  assert.deepEqual(a.numa.get(1), { cores: 1.5, memoryBytes: 2 * GiB });
  assert.equal(a.numa.get(0), undefined);
  assert.deepEqual([...ledger.get("b")!.gpus], [1]);
  assert.equal(ledger.get("c"), undefined);
});

test("ledger: a task's holding is released by leaving it out (derived from active tasks only)", () => {
  const holdings = [
    { node: "a", cores: 8, memoryBytes: 0, gpus: [0, 1] },
    { node: "a", cores: 0, memoryBytes: 0, gpus: [] },
  ];
  assert.match(busyReason(node("a"), demand({ node: "a" }), buildLedger(holdings).get("a")) ?? "", /not enough free cores/);
  assert.equal(busyReason(node("a"), demand({ node: "a", gpus: [0, 1] }), buildLedger(holdings.slice(1)).get("a")), undefined);
});

test("neverFitsReason: NUMA id out of range, GPU out of range, too many cores or memory", () => {
  const n = node("a");
  assert.match(neverFitsReason(n, demand({ numaNode: 2 }))!, /node a has no NUMA node 2 \(valid: 0, 1\)/);
  assert.match(neverFitsReason(node("x", { numaNodes: [] }), demand({ numaNode: 0 }))!, /valid: none detected/);
  assert.match(neverFitsReason(n, demand({ gpus: [1, 2, 5] }))!, /node a has no GPU 2, 5 \(GPUs: 0, 1\)/);
  assert.match(neverFitsReason(node("y", { gpus: [] }), demand({ gpus: [0] }))!, /GPUs: none detected/);
  assert.match(neverFitsReason(n, demand({ cores: 9 }))!, /node a has 8 cores, the task asks for 9/);
  assert.match(neverFitsReason(n, demand({ memoryBytes: 17 * GiB }))!, /node a has 16 GiB of memory/);
  assert.match(neverFitsReason(n, demand({ numaNode: 0, cores: 5 }))!, /NUMA node 0 of a has 4 cores/);
  assert.match(neverFitsReason(n, demand({ numaNode: 1, memoryBytes: 9 * GiB }))!, /NUMA node 1 of a has 8.0 GiB of memory/);
  assert.equal(neverFitsReason(n, demand({ numaNode: 1, cores: 4, memoryBytes: 8 * GiB, gpus: [0, 1] })), undefined);
});

test("busyReason: offline, drained, GPU busy (naming the holder), cores, memory, NUMA share", () => {
  const usage = emptyUsage();
  assert.match(busyReason(node("a", { online: false }), demand(), usage)!, /node a is offline/);
  assert.match(busyReason(node("a", { drained: true }), demand(), usage)!, /node a is drained/);
  const ledger = buildLedger([{ node: "a", cores: 3, memoryBytes: 10 * GiB, gpus: [1], numaNode: 0, taskId: "42" }]);
  const a = ledger.get("a");
  assert.match(busyReason(node("a"), demand({ gpus: [1] }), a)!, /GPU 1 of a in use by task 42/);
  assert.equal(busyReason(node("a"), demand({ gpus: [0] }), a), undefined);
  assert.match(busyReason(node("a"), demand({ cores: 6 }), a)!, /not enough free cores on a \(5 of 8 free, the task asks for 6\)/);
  assert.equal(busyReason(node("a"), demand({ cores: 5 }), a), undefined);
  assert.match(busyReason(node("a"), demand({ memoryBytes: 7 * GiB }), a)!, /not enough free memory on a/);
  assert.match(busyReason(node("a"), demand({ numaNode: 0, cores: 2 }), a)!, /NUMA node 0 of a \(1 of 4 free\)/);
  assert.equal(busyReason(node("a"), demand({ numaNode: 1, cores: 4 }), a), undefined);
});

test("decide: a named node places, waits (busy) or never fits; unknown node never", () => {
  const nodes = [node("a"), node("b")];
  const ledger = buildLedger([{ node: "a", cores: 8, memoryBytes: 0, gpus: [] }]);
  assert.deepEqual(decide(demand({ node: "b" }), nodes, ledger), { kind: "place", node: "b" });
  const wait = decide(demand({ node: "a" }), nodes, ledger);
  assert.equal(wait.kind, "wait");
  assert.equal(decide(demand({ node: "a", cores: 9 }), nodes, ledger).kind, "never");
  assert.match((decide(demand({ node: "zzz" }), nodes, ledger) as { reason: string }).reason, /unknown node zzz/);
});

test("decide: auto placement is best fit by free cores, then memory, skipping offline and drained nodes", () => {
  const nodes = [node("a"), node("b", { cores: 4 }), node("c", { cores: 2, online: false }), node("d", { cores: 2, drained: true })];
  // b has 4 cores, a has 8: b leaves fewer cores over.
  assert.deepEqual(decide(demand({ cores: 2 }), nodes, new Map()), { kind: "place", node: "b" });
  // b holds 3 of its 4 now: a 2-core task only fits a.
  const ledger = buildLedger([{ node: "b", cores: 3, memoryBytes: 0, gpus: [] }]);
  assert.deepEqual(decide(demand({ cores: 2 }), nodes, ledger), { kind: "place", node: "a" });
  // Same free cores: less free memory wins.
  const tie = [node("a"), node("b", { memoryBytes: 4 * GiB })];
  assert.deepEqual(decide(demand({ cores: 1 }), tie, new Map()), { kind: "place", node: "b" });
});

test("decide: auto placement waits when every node is busy and never fits when no node is big enough", () => {
  const nodes = [node("a", { cores: 2 }), node("b", { cores: 2 })];
  const full = buildLedger([
    { node: "a", cores: 2, memoryBytes: 0, gpus: [] },
    { node: "b", cores: 2, memoryBytes: 0, gpus: [] },
  ]);
  const wait = decide(demand({ cores: 2 }), nodes, full);
  assert.equal(wait.kind, "wait");
  assert.match((wait as { reason: string }).reason, /no node has room now.*a.*b/);
  const never = decide(demand({ cores: 3 }), nodes, full);
  assert.equal(never.kind, "never");
  assert.match((never as { reason: string }).reason, /node a has 2 cores, the task asks for 3/);
  assert.equal(decide(demand(), [], new Map()).kind, "wait");
});

test("hold: reservations within one pass stop double booking of cores and GPUs", () => {
  const nodes = [node("a", { cores: 2 })];
  const ledger = buildLedger([]);
  const first = decide(demand({ node: "a", cores: 2, gpus: [1] }), nodes, ledger);
  assert.deepEqual(first, { kind: "place", node: "a" });
  hold(ledger, { node: "a", cores: 2, memoryBytes: 0, gpus: [1], taskId: "1" });
  const again = decide(demand({ node: "a", cores: 0, gpus: [1] }), nodes, ledger);
  assert.equal(again.kind, "wait");
  assert.match((again as { reason: string }).reason, /GPU 1 of a in use by task 1/);
  assert.equal(decide(demand({ cores: 1 }), nodes, ledger).kind, "wait");
});
