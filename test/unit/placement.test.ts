import { test } from "node:test";
import assert from "node:assert/strict";
import { buildLedger, busyReason, decide, emptyUsage, hold, neverFitsReason, type Demand, type NodeCapacity, type NodeUsage } from "../../src/host/scheduling/placement.js";

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
  assert.deepEqual(decide(demand({ node: "b" }), nodes, ledger), { kind: "place", node: "b", reason: "placed on b: its target names it" });
  const wait = decide(demand({ node: "a" }), nodes, ledger);
  assert.equal(wait.kind, "wait");
  assert.equal(decide(demand({ node: "a", cores: 9 }), nodes, ledger).kind, "never");
  assert.match((decide(demand({ node: "zzz" }), nodes, ledger) as { reason: string }).reason, /unknown node zzz/);
});

/** The node an auto-placed demand goes to. */
function placedOn(d: Demand, nodes: readonly NodeCapacity[], ledger: ReadonlyMap<string, NodeUsage>): string {
  const decision = decide(d, nodes, ledger);
  assert.equal(decision.kind, "place", `placed, not ${JSON.stringify(decision)}`);
  return (decision as { node: string }).node;
}

test("decide: auto placement spreads to the largest share of free cores, skipping offline and drained nodes", () => {
  const nodes = [node("a"), node("b", { cores: 4 }), node("c", { cores: 2, online: false }), node("d", { cores: 2, drained: true })];
  // a keeps 6 of 8 cores free after a 2-core task, b 2 of 4: the freer node wins.
  assert.equal(placedOn(demand({ cores: 2 }), nodes, new Map()), "a");
  // a holds 6 of its 8 now (2 free, 25 %), b holds 1 of 4 (3 free): b keeps the larger share free.
  const busyA = buildLedger([{ node: "a", cores: 6, memoryBytes: 0, gpus: [] }, { node: "b", cores: 1, memoryBytes: 0, gpus: [] }]);
  assert.equal(placedOn(demand({ cores: 1 }), nodes, busyA), "b");
  // b holds 3 of its 4: a 2-core task only fits a.
  const ledger = buildLedger([{ node: "b", cores: 3, memoryBytes: 0, gpus: [] }]);
  assert.equal(placedOn(demand({ cores: 2 }), nodes, ledger), "a");
  // Shares compared after taking the task: 4 free of 8 and 1 free of 2 are both half now, but a 1-core task leaves a 3/8 and b nothing.
  const half = buildLedger([{ node: "a", cores: 4, memoryBytes: 0, gpus: [] }, { node: "b", cores: 1, memoryBytes: 0, gpus: [] }]);
  assert.equal(placedOn(demand({ cores: 1 }), [node("a"), node("b", { cores: 2 })], half), "a");
});

test("decide: equal shares of cores go to the node with fewer active tasks, then more free memory, then the first by name", () => {
  const pair = [node("a"), node("b")];
  // Zero-core tasks leave every share as it was: the active tasks decide.
  const aBusier = buildLedger([{ node: "a", cores: 0, memoryBytes: 0, gpus: [], taskId: "1" }]);
  assert.equal(placedOn(demand({ cores: 0 }), pair, aBusier), "b");
  // Unnamed holdings (a --no-queue submission's reservations) count as active tasks too.
  const unnamed = buildLedger([{ node: "b", cores: 0, memoryBytes: 0, gpus: [] }, { node: "b", cores: 0, memoryBytes: 0, gpus: [] }]);
  assert.equal(unnamed.get("b")!.activeTasks, 2);
  assert.equal(placedOn(demand({ cores: 0 }), pair, unnamed), "a");
  // Same cores and tasks: the larger share of free memory wins.
  const memory = buildLedger([{ node: "a", cores: 0, memoryBytes: 8 * GiB, gpus: [], taskId: "1" }, { node: "b", cores: 0, memoryBytes: 0, gpus: [], taskId: "2" }]);
  assert.equal(placedOn(demand({ cores: 0 }), pair, memory), "b");
  // Nothing to tell them apart: the first by the order given (sorted by name).
  assert.equal(placedOn(demand({ cores: 1 }), pair, new Map()), "a");
});

test("decide: 1,000 zero-core tasks over two equal nodes split evenly; over unequal ones, cores tasks favour the bigger", () => {
  const pair = [node("alpha"), node("beta")];
  const ledger = buildLedger([]);
  const counts = new Map<string, number>();
  for (let i = 0; i < 1000; i++) {
    const on = placedOn(demand({ cores: 0 }), pair, ledger);
    hold(ledger, { node: on, cores: 0, memoryBytes: 0, gpus: [], taskId: String(i) });
    counts.set(on, (counts.get(on) ?? 0) + 1);
  }
  assert.deepEqual([counts.get("alpha"), counts.get("beta")], [500, 500]);
  // Ending tasks on one node sends the next ones there until it catches up.
  const ended = buildLedger(ledger.get("alpha")!.taskIds.slice(0, 400).map((taskId) => ({ node: "alpha", cores: 0, memoryBytes: 0, gpus: [], taskId })));
  for (const taskId of ledger.get("beta")!.taskIds) hold(ended, { node: "beta", cores: 0, memoryBytes: 0, gpus: [], taskId });
  const next = Array.from({ length: 100 }, () => {
    const on = placedOn(demand({ cores: 0 }), pair, ended);
    hold(ended, { node: on, cores: 0, memoryBytes: 0, gpus: [] });
    return on;
  });
  assert.ok(next.every((on) => on === "alpha"), "alpha (400 active) takes the next 100 before beta (500)");
  // One-core tasks on 8 and 4 cores: the 8-core node takes two for each one of the other.
  const unequal = [node("big", { cores: 8 }), node("small", { cores: 4 })];
  const fill = buildLedger([]);
  const placed = new Map<string, number>();
  for (let i = 0; i < 6; i++) {
    const on = placedOn(demand({ cores: 1 }), unequal, fill);
    hold(fill, { node: on, cores: 1, memoryBytes: 0, gpus: [] });
    placed.set(on, (placed.get(on) ?? 0) + 1);
  }
  assert.deepEqual([placed.get("big"), placed.get("small")], [4, 2]);
});

test("decide: the reason names the rule that beat the runner-up, with the figures", () => {
  const pair = [node("alpha"), node("beta")];
  const cores = buildLedger([{ node: "alpha", cores: 3, memoryBytes: 0, gpus: [], taskId: "1" }, { node: "beta", cores: 2, memoryBytes: 0, gpus: [], taskId: "2" }, { node: "beta", cores: 0, memoryBytes: 0, gpus: [], taskId: "3" }]);
  assert.deepEqual(decide(demand(), pair, cores), {
    kind: "place",
    node: "beta",
    reason: "placed on beta: most free cores (6 of 8 cores free; alpha 5 of 8 cores free), 2 active tasks (alpha 1)",
  });
  const tasks = buildLedger([{ node: "alpha", cores: 0, memoryBytes: 0, gpus: [], taskId: "1" }]);
  assert.equal((decide(demand({ cores: 0 }), pair, tasks) as { reason: string }).reason, "placed on beta: fewest active tasks (0; alpha 1), 8 of 8 cores free (alpha 8 of 8 cores free)");
  const memory = buildLedger([{ node: "alpha", cores: 0, memoryBytes: 4 * GiB, gpus: [], taskId: "1" }, { node: "beta", cores: 0, memoryBytes: 0, gpus: [], taskId: "2" }]);
  assert.equal(
    (decide(demand({ cores: 0 }), pair, memory) as { reason: string }).reason,
    "placed on beta: most free memory (16 GiB of 16 GiB free; alpha 12 GiB of 16 GiB free), 1 active task and 8 of 8 cores free as on alpha",
  );
  assert.equal((decide(demand(), pair, new Map()) as { reason: string }).reason, "placed on alpha: tied with beta (8 of 8 cores free, 0 active tasks), first by name");
  const onlyBeta = buildLedger([{ node: "alpha", cores: 8, memoryBytes: 0, gpus: [], taskId: "1" }]);
  assert.equal((decide(demand(), pair, onlyBeta) as { reason: string }).reason, "placed on beta: the only node with room now (8 of 8 cores free, 0 active tasks)");
  assert.equal((decide(demand({ cores: 0.5 }), [node("solo", { cores: 2 })], buildLedger([{ node: "solo", cores: 0.25, memoryBytes: 0, gpus: [] }])) as { reason: string }).reason, "placed on solo: the only node with room now (1.75 of 2 cores free, 1 active task)");
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
  assert.deepEqual(first, { kind: "place", node: "a", reason: "placed on a: its target names it" });
  hold(ledger, { node: "a", cores: 2, memoryBytes: 0, gpus: [1], taskId: "1" });
  const again = decide(demand({ node: "a", cores: 0, gpus: [1] }), nodes, ledger);
  assert.equal(again.kind, "wait");
  assert.match((again as { reason: string }).reason, /GPU 1 of a in use by task 1/);
  assert.equal(decide(demand({ cores: 1 }), nodes, ledger).kind, "wait");
});
