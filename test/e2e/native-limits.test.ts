/**
 * End to end: native (`--container NULL`) tasks get real limits on a machine
 * without systemd: a memory limit through the task's own cgroup (OOM →
 * killed_oom), a CPU quota, and NUMA binding through numactl.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { TaskSpecSchema } from "../../gen/hakuriver/v1/runner_pb.js";
import { TaskStatus, type Task } from "../../gen/hakuriver/v1/types_pb.js";
import { NativeExecutor } from "../../src/runner/executors/native.js";
import { findExecutable } from "../../src/runner/limits/numa-binding.js";
import { TestCluster, submittedIds, waitUntil } from "../helpers/cluster.js";

/** Run inside a task: finds the task's cgroups from /proc/self/cgroup and prints their limits as JSON. */
const PROBE = `
import { readFileSync, existsSync } from "node:fs";
const out = { cgroups: readFileSync("/proc/self/cgroup", "utf8") };
const mounts = readFileSync("/proc/self/mountinfo", "utf8").split("\\n").map((l) => l.split(" - ")).filter(([a, b]) => b && /^cgroup2? /.test(b));
for (const line of out.cgroups.trim().split("\\n")) {
  const [, ctrls, path] = /^\\d+:([^:]*):(.*)$/.exec(line);
  for (const [left, right] of mounts) {
    const [fs, , opts] = right.split(" ");
    const mountPoint = left.split(" ")[4];
    const matches = fs === "cgroup2" ? ctrls === "" : opts.split(",").some((o) => ctrls.split(",").includes(o));
    if (!matches) continue;
    const dir = mountPoint + path;
    for (const file of ["cpu.max", "cpu.cfs_quota_us", "cpu.cfs_period_us", "memory.max", "memory.limit_in_bytes"]) {
      if (existsSync(dir + "/" + file) && path.includes("hakuriver-task-")) out[file] = readFileSync(dir + "/" + file, "utf8").trim();
    }
    out.dirs = [...(out.dirs ?? []), dir];
  }
}
console.log(JSON.stringify(out));
`;

describe("native limits end to end", { timeout: 180_000 }, () => {
  const cluster = new TestCluster();
  const work = join(cluster.dir, "work");

  before(async () => {
    mkdirSync(work, { recursive: true });
    writeFileSync(join(work, "probe.mjs"), PROBE);
    await cluster.startHost();
    await cluster.startRunner("alpha");
  });

  after(() => cluster.cleanup());

  async function submit(args: string[]): Promise<string> {
    const result = await cluster.cli(["task", "submit", "--json", "--container", "NULL", "--target", ...args]);
    assert.equal(result.code, 0, result.stderr);
    return submittedIds(result.stdout)[0]!;
  }

  async function finished(taskId: string): Promise<Task> {
    let task: Task | undefined;
    await waitUntil(async () => {
      task = (await cluster.client.getTask({ taskId })).task;
      return task !== undefined && task.status >= TaskStatus.COMPLETED;
    }, 60_000, () => `task ${taskId} never ended: ${TaskStatus[task?.status ?? 0]}`);
    return task!;
  }

  async function stdout(taskId: string): Promise<string> {
    const result = await cluster.cli(["logs", taskId]);
    assert.equal(result.code, 0, result.stderr);
    return result.stdout;
  }

  test("--memory 32M with a memory hog ends killed_oom", async () => {
    const hog = 'a=$(head -c 100000000 /dev/zero | tr "\\0" x); echo ${#a}';
    const id = await submit(["alpha", "--cores", "0", "--memory", "32M", "--", "sh", "-c", hog]);
    const task = await finished(id);
    assert.equal(TaskStatus[task.status], "KILLED_OOM", `message: ${task.message}`);
    assert.match(task.message, /out-of-memory/);
    assert.doesNotMatch(await stdout(id), /100000000/);
  });

  test("the same hog without a limit completes (the limit is what killed it)", async () => {
    const id = await submit(["alpha", "--cores", "0", "--", "sh", "-c", 'a=$(head -c 50000000 /dev/zero | tr "\\0" x); echo ${#a}']);
    const task = await finished(id);
    assert.equal(TaskStatus[task.status], "COMPLETED", task.message);
    assert.equal((await stdout(id)).trim(), "50000000");
  });

  test("--cores 0.5 and --memory 64Mi are written into the task's own cgroup, removed afterwards", async () => {
    const id = await submit(["alpha", "--cores", "0.5", "--memory", "64Mi", "--", process.execPath, join(work, "probe.mjs")]);
    const task = await finished(id);
    assert.equal(TaskStatus[task.status], "COMPLETED", task.message);
    const probe = JSON.parse(await stdout(id)) as Record<string, string> & { dirs: string[] };
    assert.match(probe.cgroups, new RegExp(`hakuriver-task-${id}`), "the task runs inside its own cgroup");
    if (probe["cpu.max"] !== undefined) assert.equal(probe["cpu.max"], "50000 100000");
    else {
      assert.equal(probe["cpu.cfs_quota_us"], "50000");
      assert.equal(probe["cpu.cfs_period_us"], "100000");
    }
    assert.equal(probe["memory.max"] ?? probe["memory.limit_in_bytes"], String(64 * 1024 * 1024));
    const taskDirs = probe.dirs.filter((dir) => dir.includes(`hakuriver-task-${id}`));
    assert.ok(taskDirs.length >= 1);
    await waitUntil(() => taskDirs.every((dir) => !existsSync(dir)), 10_000, () => `cgroups left behind: ${taskDirs.join(", ")}`);
    assert.doesNotMatch(task.message, /not enforced/);
  });

  test("a NUMA target's task is bound with numactl (numactl --show inside the task)", async () => {
    const id = await submit(["alpha:0", "--cores", "0", "--", "numactl", "--show"]);
    const task = await finished(id);
    assert.equal(TaskStatus[task.status], "COMPLETED", task.message);
    assert.equal(task.numaNode, 0);
    const shown = await stdout(id);
    assert.match(shown, /^cpubind: 0\s*$/m);
    assert.match(shown, /^membind: 0\s*$/m);
    assert.match(shown, /^policy: bind/m);
  });

  test("kill reaches the whole process group of a limited task", async () => {
    const pidFile = join(work, "child.pid");
    const id = await submit(["alpha", "--cores", "0.5", "--memory", "64M", "--", "sh", "-c", 'sleep 300 & echo $! > "$0"; wait', pidFile]);
    await waitUntil(() => existsSync(pidFile) && readFileSync(pidFile, "utf8").trim() !== "", 20_000, () => "the task never started its child");
    const child = Number(readFileSync(pidFile, "utf8").trim());
    const killed = await cluster.cli(["task", "kill", id]);
    assert.equal(killed.code, 0, killed.stderr);
    const task = await finished(id);
    assert.equal(TaskStatus[task.status], "KILLED", task.message);
    await waitUntil(() => !existsSync(`/proc/${child}`) || /^State:\s+Z/m.test(readFileSync(`/proc/${child}/status`, "utf8")), 10_000, () => `child ${child} survived the kill`);
  });
});

describe("native limits on machines of other kinds (executor level)", () => {
  const cluster = new TestCluster();
  after(() => cluster.cleanup());

  async function runDirect(probes: ConstructorParameters<typeof NativeExecutor>[0], spec: Omit<MessageInitShape<typeof TaskSpecSchema>, "$typeName">, env: Record<string, string> = {}) {
    const notes: string[] = [];
    let out = "";
    const executor = new NativeExecutor(probes);
    const handle = await executor.start(
      create(TaskSpecSchema, { taskId: "9001", command: "true", ...spec, env }),
      { stdout: (d) => (out += Buffer.from(d).toString()), stderr: (d) => (out += Buffer.from(d).toString()) },
      { sharedDir: cluster.sharedDir, localTempDir: join(cluster.dir, "temp"), note: (text) => notes.push(text) },
    );
    return { exit: await handle.wait(), notes, out };
  }

  test("without systemd or a writable cgroup the task runs and says plainly that limits are not enforced", async () => {
    const { exit, notes, out } = await runDirect({ systemd: () => false, cgroups: () => ({}), which: findExecutable }, { command: "echo", args: ["ran"], cores: 1, memoryBytes: 32n * 1024n * 1024n });
    assert.equal(exit.exitCode, 0);
    assert.equal(out.trim(), "ran");
    assert.equal(notes.length, 1);
    assert.match(notes[0]!, /limits are not enforced/);
  });

  test("with systemd the task runs through systemd-run --scope with CPUQuota, MemoryMax and no swap", async () => {
    const bin = join(cluster.dir, "fake-systemd");
    mkdirSync(bin, { recursive: true });
    const argsFile = join(bin, "args");
    // Records its argv, then runs what follows "--" as systemd-run --scope would.
    writeFileSync(join(bin, "systemd-run"), `#!/bin/sh\nprintf '%s\\n' "$@" > ${JSON.stringify(argsFile)}\nwhile [ "$1" != "--" ]; do shift; done; shift; exec "$@"\n`);
    chmodSync(join(bin, "systemd-run"), 0o755);
    const { exit, notes, out } = await runDirect(
      { systemd: () => true, cgroups: () => ({}), which: findExecutable },
      { command: "echo", args: ["scoped"], cores: 1.5, memoryBytes: 64n * 1024n * 1024n },
      { PATH: `${bin}:${process.env.PATH ?? "/usr/bin:/bin"}` },
    );
    assert.equal(exit.exitCode, 0, out);
    assert.equal(out.trim(), "scoped");
    assert.deepEqual(notes, []);
    const args = readFileSync(argsFile, "utf8").trim().split("\n");
    assert.ok(args.includes("--scope"));
    assert.ok(args.includes("--unit=hakuriver-task-9001.scope"));
    assert.ok(args.includes("--property=CPUQuota=150%"));
    assert.ok(args.includes(`--property=MemoryMax=${64 * 1024 * 1024}`));
    assert.ok(args.includes("--property=MemorySwapMax=0"));
    assert.deepEqual(args.slice(args.indexOf("--") + 1), ["echo", "scoped"]);
  });
});
