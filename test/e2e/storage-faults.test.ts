/**
 * Storage faults with real processes and real full disks: the database on a
 * small tmpfs filled to the last byte, the Host's log directory on another,
 * and the database file deleted under a running Host. Needs root (mount).
 */
import { execFileSync } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { FAST_TIMING, TestCluster, sleep, submittedIds, waitUntil } from "../helpers/cluster.js";

const isRoot = process.getuid?.() === 0;
const mounted: string[] = [];
const clusters: TestCluster[] = [];

after(async () => {
  // Lazy unmounts first, so cleanup's rm never meets a busy mount point.
  for (const dir of mounted) execFileSync("umount", ["-l", dir]);
  for (const cluster of clusters) await cluster.cleanup();
});

function mountTmpfs(dir: string, sizeBytes: number): void {
  mkdirSync(dir, { recursive: true });
  execFileSync("mount", ["-t", "tmpfs", "-o", `size=${sizeBytes}`, "tmpfs", dir]);
  mounted.push(dir);
}

/** Fills the file system holding `dir` to the last byte; returns the filler's path. */
function fillUp(dir: string): string {
  const path = join(dir, "filler");
  const fd = openSync(path, "w");
  try {
    for (const size of [1 << 20, 64 << 10, 4096, 1]) {
      const block = Buffer.alloc(size);
      for (;;) {
        try {
          if (writeSync(fd, block) < size) break;
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === "ENOSPC") break;
          throw error;
        }
      }
    }
  } finally {
    closeSync(fd);
  }
  return path;
}

function count(text: string, pattern: RegExp): number {
  return text.split("\n").filter((line) => pattern.test(line)).length;
}

async function statusOf(cluster: TestCluster, id: string): Promise<{ status: string; message?: string; exitCode?: number }> {
  const result = await cluster.cli(["task", "status", id, "--json"]);
  assert.equal(result.code, 0, result.stderr);
  const task = JSON.parse(result.stdout) as { status: string; message?: string; exitCode?: number };
  return { ...task, status: task.status };
}

async function waitForStatus(cluster: TestCluster, id: string, status: string, timeoutMs = 15_000): Promise<void> {
  let last = "";
  await waitUntil(async () => (last = (await statusOf(cluster, id)).status) === status, timeoutMs, () => `task ${id} is ${last}, wanted ${status}\n${cluster.host?.output()}`);
}

/** A task that prints a line, then waits for `go` to exist before it exits 0. */
function gatedTask(go: string): string[] {
  return ["sh", "-c", 'echo hello; while [ ! -e "$0" ]; do sleep 0.05; done; echo bye', go];
}

class DbOnTmpfs extends TestCluster {
  override readonly dbFile = join(this.dir, "dbfs", "host.db");
}

test("database disk full: submits answer RESOURCE_EXHAUSTED, the runner's stream stays up, a finished task ends completed", async () => {
  assert.ok(isRoot, "this test mounts a tmpfs: run it as root (CI does)");
  const cluster = new DbOnTmpfs();
  clusters.push(cluster);
  mountTmpfs(join(cluster.dir, "dbfs"), 3 * 1024 * 1024);
  await cluster.startHost();
  const runner = await cluster.startRunner("alpha");
  const go = join(cluster.sharedDir, "shared_data", "go-db-full");
  const submit = await cluster.cli(["task", "submit", "--json", "--", ...gatedTask(go)]);
  assert.equal(submit.code, 0, submit.stderr);
  const [id] = submittedIds(submit.stdout);
  await waitForStatus(cluster, id!, "running");

  const filler = fillUp(join(cluster.dir, "dbfs"));
  const refused = await cluster.cli(["task", "submit", "--", "true"]);
  assert.notEqual(refused.code, 0);
  assert.match(refused.stderr, /resource exhausted\): disk full at .*dbfs/);
  assert.doesNotMatch(refused.stderr, /cannot rollback/);
  // The task exits 0 while its completion cannot be stored; past the heartbeat timeout (1.5 s).
  writeFileSync(go, "");
  await sleep(2500);
  assert.equal(cluster.host!.child.exitCode, null, "the Host keeps running");
  const hostLog = cluster.host!.output();
  assert.equal(count(hostLog, /"procedure":"hakuriver\.v1\.ClientService\/SubmitTask".*disk full at/), 1, `one log line for the refused submit:\n${hostLog}`);
  assert.doesNotMatch(runner.output(), /disconnected from the host/, `the runner's stream stays up:\n${runner.output()}`);
  await cluster.waitForNode("alpha", "online");

  rmSync(filler);
  await waitForStatus(cluster, id!, "completed");
  assert.match(cluster.host!.output(), /stored the task events held during a storage fault/);
  assert.equal((await statusOf(cluster, id!)).exitCode ?? 0, 0);
  const again = await cluster.cli(["task", "submit", "--wait", "--", "true"]);
  assert.equal(again.code, 0, again.stderr);
});

test("log directory full: no reconnect storm, the reason is logged once with the path, things recover", async () => {
  assert.ok(isRoot, "this test mounts a tmpfs: run it as root (CI does)");
  const cluster = new TestCluster({ ...FAST_TIMING, HAKURIVER_LOG_LEVEL: "info" });
  clusters.push(cluster);
  // Only the Host's copy of the logs is on the small disk; the runner keeps its own.
  mountTmpfs(cluster.sharedDir, 1024 * 1024);
  await cluster.startHost();
  const runnerShared = join(cluster.dir, "runner-shared");
  const runner = await cluster.startRunner("alpha", { sharedDir: runnerShared });
  const filler = fillUp(cluster.sharedDir);
  const before = { host: cluster.host!.output().length, runner: runner.output().length };

  const go = join(runnerShared, "shared_data", "go-logs-full");
  const submit = await cluster.cli(["task", "submit", "--json", "--", ...gatedTask(go)]);
  assert.equal(submit.code, 0, submit.stderr);
  const [id] = submittedIds(submit.stdout);
  await waitForStatus(cluster, id!, "running");
  await sleep(4000);
  writeFileSync(go, "");
  await waitForStatus(cluster, id!, "completed");
  const hostLog = cluster.host!.output().slice(before.host);
  const runnerLog = runner.output().slice(before.runner);
  assert.ok(count(hostLog, /runner connected/) <= 2, `reconnects are bounded:\n${hostLog}`);
  assert.ok(count(runnerLog, /reconnecting to the host/) <= 2, `reconnects are bounded:\n${runnerLog}`);
  const reasons = count(hostLog, new RegExp(`disk full at ${cluster.sharedDir}`));
  assert.ok(reasons >= 1 && reasons <= 2, `the reason is logged, once, with the path:\n${hostLog}`);
  const logs = await cluster.cli(["logs", id!]);
  const task = await statusOf(cluster, id!);
  assert.ok(logs.stdout === "hello\nbye\n" || /output could not be stored/.test(task.message ?? ""), `output kept, or the task says it was not: ${JSON.stringify(task)} ${JSON.stringify(logs)}`);

  rmSync(filler);
  const next = await cluster.cli(["task", "submit", "--wait", "--json", "--", "echo", "recovered"]);
  assert.equal(next.code, 0, next.stderr);
  const nextLogs = await cluster.cli(["logs", submittedIds(next.stdout)[0]!]);
  assert.equal(nextLogs.stdout, "recovered\n");
  // The Host sees the room, the runner reconnects and re-sends what the full disk refused.
  let held = "";
  await waitUntil(async () => (held = (await cluster.cli(["logs", id!])).stdout) === "hello\nbye\n", 20_000, () => `output of ${id} after freeing space: ${JSON.stringify(held)}\n${cluster.host!.output()}`);
});

test("database file deleted under a running Host: writes are refused with UNAVAILABLE, not acknowledged and lost", async () => {
  const cluster = new TestCluster();
  clusters.push(cluster);
  await cluster.startHost();
  await cluster.startRunner("alpha");
  const ok = await cluster.cli(["task", "submit", "--wait", "--", "true"]);
  assert.equal(ok.code, 0, ok.stderr);

  rmSync(cluster.dbFile);
  assert.equal(existsSync(cluster.dbFile), false);
  const refused = await cluster.cli(["task", "submit", "--", "true"]);
  assert.notEqual(refused.code, 0, `a submit after the file is gone must be refused:\n${refused.stdout}`);
  assert.match(refused.stderr, /unavailable\): database file .*host\.db was removed/);
  await sleep(500);
  assert.equal(cluster.host!.child.exitCode, null, "the Host keeps running");
  assert.match(cluster.host!.output(), /database file .*host\.db was removed/);
});
