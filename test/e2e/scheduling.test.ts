/**
 * End to end: targets, batches, GPUs from a fake nvidia-smi, the queue, drain
 * and --no-queue, with a real Host, two real runners and the CLI.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { TaskStatus, type Task } from "../../gen/hakuriver/v1/types_pb.js";
import { TestCluster, submittedIds, waitUntil } from "../helpers/cluster.js";

/** Recorded-style output of the real query (two H100s, one reading unknown). */
const FAKE_NVIDIA_SMI = `#!/bin/sh
case "$*" in *--query-gpu=index,name,uuid,memory.total,memory.used,utilization.gpu,temperature.gpu,power.draw,power.limit*) ;; *) echo "unexpected args: $*" >&2; exit 2 ;; esac
cat <<'EOF'
0, NVIDIA H100 80GB HBM3, GPU-2b3c4d5e-6f70-8192-a3b4-c5d6e7f80912, 81559, 0, 0, 33, 71.42, 700.00
1, NVIDIA H100 80GB HBM3, GPU-3c4d5e6f-7081-92a3-b4c5-d6e7f8091234, 81559, 512, [N/A], 35, 90.10, 700.00
EOF
`;

interface NodeJson {
  name: string;
  drained: boolean;
  resources: { cores: number; numaNodes: { id: number; cores: number[] }[]; gpus: { index: number; name: string; uuid: string; memoryTotalMib: string; utilizationPercent: number }[] };
  usage: { gpus: { index: number; memoryUsedMib: string }[] };
  gpusInUse: number[];
}

describe("scheduling end to end", { timeout: 240_000 }, () => {
  const cluster = new TestCluster();
  const binDir = join(cluster.dir, "fake-bin");
  const work = join(cluster.dir, "work");

  before(async () => {
    mkdirSync(binDir, { recursive: true });
    mkdirSync(work, { recursive: true });
    writeFileSync(join(binDir, "nvidia-smi"), FAKE_NVIDIA_SMI);
    chmodSync(join(binDir, "nvidia-smi"), 0o755);
    await cluster.startHost();
    await cluster.startRunner("alpha", { env: { PATH: `${binDir}:${process.env.PATH ?? "/usr/bin:/bin"}` } });
    await cluster.startRunner("beta");
  });

  after(() => cluster.cleanup());

  async function nodesJson(): Promise<NodeJson[]> {
    const result = await cluster.cli(["nodes", "--json"]);
    assert.equal(result.code, 0, result.stderr);
    return JSON.parse(result.stdout) as NodeJson[];
  }

  async function submit(args: string[]): Promise<{ batchId: string; ids: string[] }> {
    const result = await cluster.cli(["task", "submit", "--json", "--container", "NULL", ...args]);
    assert.equal(result.code, 0, `submit ${args.join(" ")} failed: ${result.stderr}`);
    return { batchId: (JSON.parse(result.stdout) as { batchId: string }).batchId, ids: submittedIds(result.stdout) };
  }

  async function task(taskId: string): Promise<Task> {
    const { task } = await cluster.client.getTask({ taskId });
    return task!;
  }

  async function waitStatus(taskId: string, status: TaskStatus, timeoutMs = 30_000): Promise<Task> {
    let last: Task | undefined;
    await waitUntil(async () => (last = await task(taskId)).status === status, timeoutMs, () => `task ${taskId} never reached ${TaskStatus[status]}: ${TaskStatus[last?.status ?? 0]} ${last?.message}`);
    return last!;
  }

  /** A command that runs until `file` exists. */
  function blocker(file: string): string[] {
    return ["--", "sh", "-c", 'while [ ! -e "$0" ]; do sleep 0.1; done', file];
  }

  test("a batch with two targets runs once on each node, listed together", async () => {
    const out = join(work, "batch");
    mkdirSync(out);
    const { batchId, ids } = await submit(["--cores", "0", "--target", "alpha", "--target", "beta", "--", "sh", "-c", 'echo "$HAKURIVER_TASK_ID" > "$0/$HAKURIVER_TASK_ID"', out]);
    assert.equal(ids.length, 2);
    for (const id of ids) await waitStatus(id, TaskStatus.COMPLETED);
    const listed = await cluster.cli(["task", "list", "--batch", batchId, "--json"]);
    assert.equal(listed.code, 0, listed.stderr);
    const tasks = JSON.parse(listed.stdout) as { taskId: string; batchId: string; assignedNode: string }[];
    assert.deepEqual(tasks.map((t) => t.taskId).sort(), [...ids].sort());
    assert.ok(tasks.every((t) => t.batchId === batchId));
    assert.deepEqual(tasks.map((t) => t.assignedNode).sort(), ["alpha", "beta"]);
    for (const id of ids) assert.equal(readFileSync(join(out, id), "utf8").trim(), id);
  });

  test("20 auto-placed zero-core tasks spread over both equal nodes, each saying why it went where it did", async () => {
    const { batchId, ids } = await submit(["--cores", "0", "--sweep", "--", "sh", "-c", "sleep 1", "span:{1..20}"]);
    assert.equal(ids.length, 20);
    for (const id of ids) await waitStatus(id, TaskStatus.COMPLETED);
    const listed = await cluster.cli(["task", "list", "--batch", batchId, "--json"]);
    assert.equal(listed.code, 0, listed.stderr);
    const tasks = JSON.parse(listed.stdout) as { taskId: string; assignedNode: string; placementReason: string }[];
    const on = (node: string) => tasks.filter((t) => t.assignedNode === node).length;
    assert.deepEqual([on("alpha") + on("beta"), on("alpha") >= 5, on("beta") >= 5], [20, true, true], `spread: alpha ${on("alpha")}, beta ${on("beta")}`);
    for (const t of tasks) assert.match(t.placementReason, new RegExp(`^placed on ${t.assignedNode}: (fewest active tasks|tied with|most free)`), `task ${t.taskId}`);
    const status = await cluster.cli(["task", "status", ids[1]!]);
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /^Placement:\s+placed on (alpha|beta): /m);
  });

  test("GPUs from nvidia-smi show in nodes --json (detection and heartbeat readings)", async () => {
    const nodes = await nodesJson();
    const alpha = nodes.find((n) => n.name === "alpha")!;
    const beta = nodes.find((n) => n.name === "beta")!;
    assert.deepEqual(alpha.resources.gpus.map((g) => g.index), [0, 1]);
    assert.equal(alpha.resources.gpus[0]!.name, "NVIDIA H100 80GB HBM3");
    assert.equal(alpha.resources.gpus[1]!.uuid, "GPU-3c4d5e6f-7081-92a3-b4c5-d6e7f8091234");
    assert.equal(alpha.resources.gpus[1]!.memoryTotalMib, "81559");
    assert.equal(alpha.resources.gpus[1]!.utilizationPercent, -1, "[N/A] is -1");
    assert.deepEqual(beta.resources.gpus, []);
    assert.ok(alpha.resources.numaNodes.length >= 1 && alpha.resources.numaNodes[0]!.id === 0, "NUMA node 0 is listed with its id");
    await waitUntil(async () => (await nodesJson()).find((n) => n.name === "alpha")!.usage.gpus.length === 2, 20_000, () => "GPU readings never arrived in heartbeats");
    const table = await cluster.cli(["nodes"]);
    assert.match(table.stdout, /alpha GPU 1: NVIDIA H100 80GB HBM3 .* util - /);
  });

  test("GPU targets: out of range is rejected, a held GPU queues the next task until it ends", async () => {
    const bad = await cluster.cli(["task", "submit", "--container", "NULL", "--target", "alpha::5", "--", "true"]);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /no GPU 5 \(GPUs: 0, 1\)/);
    const none = await cluster.cli(["task", "submit", "--container", "NULL", "--target", "beta::0", "--", "true"]);
    assert.notEqual(none.code, 0);
    assert.match(none.stderr, /GPUs: none detected/);

    const release = join(work, "gpu-release");
    const [first] = (await submit(["--cores", "0", "--target", "alpha::1", ...blocker(release)])).ids;
    const running = await waitStatus(first!, TaskStatus.RUNNING);
    assert.deepEqual(running.gpus, [1]);
    assert.deepEqual((await nodesJson()).find((n) => n.name === "alpha")!.gpusInUse, [1]);

    const envFile = join(work, "gpu-env");
    const [second] = (await submit(["--cores", "0", "--target", "alpha::1", "--", "sh", "-c", 'echo "$CUDA_VISIBLE_DEVICES" > "$0"', envFile])).ids;
    // GPU 0 is free: a task on it starts while GPU 1 is held.
    const [other] = (await submit(["--cores", "0", "--target", "alpha::0", "--", "true"])).ids;
    await waitStatus(other!, TaskStatus.COMPLETED);
    const waiting = await task(second!);
    assert.equal(waiting.status, TaskStatus.PENDING);
    assert.match(waiting.message, /waiting: GPU 1 of alpha in use by task/);

    const busy = await cluster.cli(["task", "submit", "--container", "NULL", "--no-queue", "--cores", "0", "--target", "alpha::1", "--", "true"]);
    assert.notEqual(busy.code, 0, "--no-queue must not queue");
    assert.match(busy.stderr, /resource.exhausted/i);
    assert.match(busy.stderr, /GPU 1 of alpha in use/);

    writeFileSync(release, "");
    await waitStatus(first!, TaskStatus.COMPLETED);
    await waitStatus(second!, TaskStatus.COMPLETED);
    assert.equal(readFileSync(envFile, "utf8").trim(), "1");
  });

  test("three tasks each asking for all cores of a node run one after another, in order", async () => {
    const cores = (await nodesJson()).find((n) => n.name === "beta")!.resources.cores;
    assert.ok(cores >= 1);
    const log = join(work, "all-cores.log");
    const script = 'echo "start $HAKURIVER_TASK_ID $(date +%s%N)" >> "$0"; sleep 1; echo "end $HAKURIVER_TASK_ID $(date +%s%N)" >> "$0"';
    // One batch, three targets on the same node: one task per target, in submission order.
    const { ids } = await submit(["--cores", String(cores), "--target", "beta", "--target", "beta", "--target", "beta", "--", "sh", "-c", script, log]);
    assert.equal(ids.length, 3);
    const statuses = await Promise.all(ids.map((id) => task(id)));
    assert.ok(statuses.filter((t) => t.status === TaskStatus.PENDING).length >= 1, "later tasks wait in the queue");
    for (const id of ids) await waitStatus(id, TaskStatus.COMPLETED, 60_000);
    const events = readFileSync(log, "utf8").trim().split("\n").map((line) => line.split(" ") as [string, string, string]);
    const time = (kind: string, id: string) => BigInt(events.find(([k, i]) => k === kind && i === id)![2]);
    for (let i = 0; i + 1 < ids.length; i++) {
      assert.ok(time("end", ids[i]!) <= time("start", ids[i + 1]!), `task ${ids[i + 1]} started before ${ids[i]} ended`);
    }
    assert.deepEqual(events.map(([kind, id]) => `${kind} ${id}`), ids.flatMap((id) => [`start ${id}`, `end ${id}`]));
  });

  test("drain stops new placements; undrain lets the waiting task run", async () => {
    for (const name of ["alpha", "beta"]) {
      const drained = await cluster.cli(["node", "drain", name]);
      assert.equal(drained.code, 0, drained.stderr);
    }
    assert.ok((await nodesJson()).every((n) => n.drained));
    const named = await cluster.cli(["task", "submit", "--container", "NULL", "--target", "beta", "--", "true"]);
    assert.notEqual(named.code, 0);
    assert.match(named.stderr, /node beta is drained/);

    const marker = join(work, "after-drain");
    const [id] = (await submit(["--cores", "1", "--", "touch", marker])).ids;
    await waitUntil(async () => /waiting: .*drained/.test((await task(id!)).message), 10_000, () => "no waiting message");
    assert.equal((await task(id!)).status, TaskStatus.PENDING);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    assert.equal((await task(id!)).status, TaskStatus.PENDING, "a drained cluster places nothing");
    assert.ok(!existsSync(marker));

    const undrained = await cluster.cli(["node", "undrain", "beta"]);
    assert.equal(undrained.code, 0, undrained.stderr);
    const done = await waitStatus(id!, TaskStatus.COMPLETED);
    assert.equal(done.assignedNode, "beta");
    assert.ok(existsSync(marker));
    assert.equal((await cluster.cli(["node", "undrain", "alpha"])).code, 0);
  });

  test("unknown node, NUMA id out of range and never-fitting demands are rejected at once", async () => {
    const unknown = await cluster.cli(["task", "submit", "--container", "NULL", "--target", "gamma", "--", "true"]);
    assert.notEqual(unknown.code, 0);
    assert.match(unknown.stderr, /unknown node "gamma" \(known nodes: alpha, beta\)/);
    const numa = await cluster.cli(["task", "submit", "--container", "NULL", "--target", "alpha:7", "--", "true"]);
    assert.notEqual(numa.code, 0);
    assert.match(numa.stderr, /node alpha has no NUMA node 7 \(valid: 0/);
    const cores = await cluster.cli(["task", "submit", "--container", "NULL", "--cores", "4096", "--", "true"]);
    assert.notEqual(cores.code, 0);
    assert.match(cores.stderr, /no node can ever fit 4096 cores/);
    const memory = await cluster.cli(["task", "submit", "--container", "NULL", "--target", "beta", "--memory", "64Ti", "--", "true"]);
    assert.notEqual(memory.code, 0);
    assert.match(memory.stderr, /node beta has .* of memory, the task asks for 64 TiB/);
  });
});
