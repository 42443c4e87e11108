/**
 * End to end: GPUs by count (`--gpus N`) with a real Host, two real runners
 * (one whose nvidia-smi is a recorded fake with four H100s, one without
 * GPUs) and the CLI as a user types it. Tasks get distinct free GPUs, see
 * them in CUDA_VISIBLE_DEVICES, wait while none are free and take the ones
 * a task that ended gave back; bad counts are refused before anything is
 * stored.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { TaskStatus, type Task } from "../../gen/hakuriver/v1/types_pb.js";
import { TestCluster, submittedIds, waitUntil } from "../helpers/cluster.js";

/** Recorded output of `nvidia-smi --query-gpu=... --format=csv,noheader,nounits` on a four-H100 machine. */
const FAKE_NVIDIA_SMI = `#!/bin/sh
case "$*" in *--query-gpu=index,name,uuid,memory.total,memory.used,utilization.gpu,temperature.gpu,power.draw,power.limit*) ;; *) echo "unexpected args: $*" >&2; exit 2 ;; esac
cat <<'EOF'
0, NVIDIA H100 80GB HBM3, GPU-2b3c4d5e-6f70-8192-a3b4-c5d6e7f80912, 81559, 0, 0, 33, 71.42, 700.00
1, NVIDIA H100 80GB HBM3, GPU-3c4d5e6f-7081-92a3-b4c5-d6e7f8091234, 81559, 72350, 98, 61, 652.18, 700.00
2, NVIDIA H100 80GB HBM3, GPU-4d5e6f70-8192-a3b4-c5d6-e7f809123456, 81559, 4, 0, 30, 69.80, 700.00
3, NVIDIA H100 80GB HBM3, GPU-5e6f7081-92a3-b4c5-d6e7-f80912345678, 81559, 4, 0, 31, 70.05, 700.00
EOF
`;

const PUBLIC_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl test@gpus";

describe("GPUs by count end to end", { timeout: 240_000 }, () => {
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

  async function task(taskId: string): Promise<Task> {
    const { task } = await cluster.client.getTask({ taskId });
    return task!;
  }

  async function waitStatus(taskId: string, status: TaskStatus, timeoutMs = 30_000): Promise<Task> {
    let last: Task | undefined;
    await waitUntil(async () => (last = await task(taskId)).status === status, timeoutMs, () => `task ${taskId} never reached ${TaskStatus[status]}: ${TaskStatus[last?.status ?? 0]} ${last?.message}`);
    return last!;
  }

  async function gpusInUse(node: string): Promise<number[]> {
    const result = await cluster.cli(["nodes", "--json"]);
    assert.equal(result.code, 0, result.stderr);
    return (JSON.parse(result.stdout) as { name: string; gpusInUse: number[] }[]).find((n) => n.name === node)!.gpusInUse.sort();
  }

  /**
   * Submits a native task with `--gpus 2` that writes its CUDA_VISIBLE_DEVICES
   * to work/<id>.gpus and then runs until work/<id>.release exists.
   */
  async function submitHolder(): Promise<string> {
    const script = 'echo "$CUDA_VISIBLE_DEVICES" > "$0/$HAKURIVER_TASK_ID.gpus"; while [ ! -e "$0/$HAKURIVER_TASK_ID.release" ]; do sleep 0.1; done';
    const result = await cluster.cli(["task", "submit", "--json", "--container", "NULL", "--cores", "0", "--gpus", "2", "--", "sh", "-c", script, work]);
    assert.equal(result.code, 0, result.stderr);
    return submittedIds(result.stdout)[0]!;
  }

  /** What the task saw in CUDA_VISIBLE_DEVICES, once it wrote it. */
  async function visibleDevices(taskId: string): Promise<number[]> {
    const file = join(work, `${taskId}.gpus`);
    await waitUntil(() => existsSync(file) && readFileSync(file, "utf8").endsWith("\n"), 20_000, () => `task ${taskId} never wrote ${file}`);
    return readFileSync(file, "utf8").trim().split(",").map(Number);
  }

  async function release(taskId: string): Promise<void> {
    writeFileSync(join(work, `${taskId}.release`), "");
    await waitStatus(taskId, TaskStatus.COMPLETED);
  }

  test("bad counts are refused through the CLI, naming the field, and nothing is submitted", async () => {
    const cases: [string[], RegExp][] = [
      [["--gpus", "0"], /gpu_count must be a whole number of GPUs, 1 or more, got 0[^\n]*\n {2}gpu_count: /],
      [["--gpus", "-1"], /gpu_count must be a whole number of GPUs, 1 or more, got -1[^\n]*\n {2}gpu_count: /],
      [["--gpus", "5"], /no node can ever fit .* and 5 GPUs: node alpha has 4 GPUs, the task asks for 5; node beta has no GPUs[^\n]*\n {2}gpu_count: 5 GPUs asked; the most any node has is 4/],
      [["--target", "beta", "--gpus", "1"], /node beta has no GPUs, the task asks for 1\n {2}gpu_count: 1 GPU asked; node beta has none/],
      [["--target", "alpha::0", "--gpus", "1"], /cannot be combined with target "alpha::0"[^\n]*\n {2}gpu_count: /],
    ];
    for (const [args, expected] of cases) {
      const result = await cluster.cli(["task", "submit", "--container", "NULL", ...args, "--", "true"]);
      assert.equal(result.code, 2, `${args.join(" ")}: ${result.stderr}`);
      assert.match(result.stderr, /^error \(invalid argument\): /, args.join(" "));
      assert.match(result.stderr, expected, args.join(" "));
      assert.doesNotMatch(result.stderr, /\n\s+at /, "no stack trace");
    }
    for (const value of ["1.5", "two"]) {
      const result = await cluster.cli(["task", "submit", "--container", "NULL", "--gpus", value, "--", "true"]);
      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, new RegExp(`--gpus must be a whole number of GPUs, 1 or more, got "${value.replace(".", "\\.")}"`));
    }
    const vps = await cluster.cli(["vps", "submit", "--container", "gpubox", "--public-key-string", PUBLIC_KEY, "--gpus", "0"]);
    assert.equal(vps.code, 2, vps.stderr);
    assert.match(vps.stderr, /gpu_count must be a whole number of GPUs, 1 or more, got 0/);
    const vpsTooMany = await cluster.cli(["vps", "submit", "--container", "gpubox", "--public-key-string", PUBLIC_KEY, "--gpus", "8"]);
    assert.equal(vpsTooMany.code, 2, vpsTooMany.stderr);
    assert.match(vpsTooMany.stderr, /gpu_count: 8 GPUs asked; the most any node has is 4/);

    const listed = await cluster.cli(["task", "list", "--json"]);
    assert.deepEqual(JSON.parse(listed.stdout), [], "nothing was submitted");
    const vpsListed = await cluster.cli(["vps", "list", "--all", "--json"]);
    assert.deepEqual(JSON.parse(vpsListed.stdout), []);
  });

  test("--gpus 2 gets two distinct free GPUs in CUDA_VISIBLE_DEVICES; a third waits until one ends and takes its GPUs", async () => {
    const first = await submitHolder();
    const second = await submitHolder();
    const [one, two] = await Promise.all([waitStatus(first, TaskStatus.RUNNING), waitStatus(second, TaskStatus.RUNNING)]);
    for (const t of [one!, two!]) {
      assert.equal(t.assignedNode, "alpha", "beta has no GPUs");
      assert.equal(t.gpuCount, 2);
      assert.equal(t.gpus.length, 2);
      assert.equal(new Set(t.gpus).size, 2, `distinct GPUs: ${t.gpus.join(",")}`);
      assert.deepEqual(await visibleDevices(t.taskId), t.gpus, "the task sees exactly the GPUs it was given");
    }
    assert.deepEqual([...one!.gpus, ...two!.gpus].sort(), [0, 1, 2, 3], "no GPU given twice");
    assert.deepEqual(await gpusInUse("alpha"), [0, 1, 2, 3]);

    const third = await submitHolder();
    await waitUntil(async () => /^waiting: no node has room now for 2 GPUs/.test((await task(third)).message), 10_000, () => `no waiting message: ${TaskStatus[0]}`);
    let waiting = await task(third);
    assert.equal(waiting.status, TaskStatus.PENDING);
    assert.deepEqual(waiting.gpus, []);
    assert.match(waiting.message, /0 of 4 GPUs of alpha free, the task asks for 2 \(in use by task \d+, \d+\)/);
    const status = await cluster.cli(["task", "status", third]);
    assert.match(status.stdout, /GPUs:\s+none given yet \(2 asked for by count\)/);
    const table = await cluster.cli(["task", "list"]);
    assert.match(table.stdout, /^ID\s+STATUS\s+NODE\s+OWNER\s+NAME\s+GPUS\s/m);
    assert.match(table.stdout, new RegExp(`^${third}\\s+pending\\s+-\\s+\\S+\\s+-\\s+\\(2\\)\\s`, "m"));
    assert.match(table.stdout, new RegExp(`^${first}\\s+running\\s+alpha\\s+\\S+\\s+-\\s+${one!.gpus.join(",")}\\s`, "m"));

    // Asked on the named node with the queue off, while all four are held: refused now, nothing queued.
    const busy = await cluster.cli(["task", "submit", "--container", "NULL", "--no-queue", "--target", "alpha", "--gpus", "1", "--", "true"]);
    assert.notEqual(busy.code, 0);
    assert.match(busy.stderr, /resource exhausted.*0 of 4 GPUs of alpha free, the task asks for 1/);

    await new Promise((resolve) => setTimeout(resolve, 500));
    waiting = await task(third);
    assert.equal(waiting.status, TaskStatus.PENDING, "still waiting while all four are held");

    await release(first);
    const started = await waitStatus(third, TaskStatus.RUNNING);
    assert.deepEqual([...started.gpus].sort(), [...one!.gpus].sort(), "it takes the GPUs the ended task gave back");
    assert.deepEqual(await visibleDevices(third), started.gpus);
    assert.deepEqual(await gpusInUse("alpha"), [...two!.gpus, ...started.gpus].sort());

    // `--target alpha --gpus 1` waits for the named node, then runs there on a freed GPU.
    const envFile = join(work, "named.gpus");
    const named = await cluster.cli(["task", "submit", "--json", "--container", "NULL", "--cores", "0", "--target", "alpha", "--gpus", "1", "--", "sh", "-c", 'echo "$CUDA_VISIBLE_DEVICES" > "$0"', envFile]);
    assert.equal(named.code, 0, named.stderr);
    const [namedId] = submittedIds(named.stdout);
    assert.equal((await task(namedId!)).status, TaskStatus.PENDING);
    await release(second);
    const done = await waitStatus(namedId!, TaskStatus.COMPLETED);
    assert.equal(done.assignedNode, "alpha");
    assert.equal(done.gpus.length, 1);
    assert.ok(two!.gpus.includes(done.gpus[0]!), `a GPU the second task gave back (${two!.gpus.join(",")}), got ${done.gpus[0]}`);
    assert.equal(readFileSync(envFile, "utf8").trim(), String(done.gpus[0]));

    await release(third);
    await waitUntil(async () => (await gpusInUse("alpha")).length === 0, 10_000, () => "GPUs still held after every task ended");
    // Ended tasks keep the indexes they were given, for the record.
    assert.deepEqual((await task(first)).gpus, one!.gpus);
  });
});
