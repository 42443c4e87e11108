/**
 * End to end: a runner gives back what its tasks used. After hundreds of
 * short native tasks its open file descriptors return to their idle count
 * (a leak of one per task once stopped a long-running runner); a restarted
 * runner that stops its predecessor's native tasks removes their cgroups.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, readdirSync, readlinkSync } from "node:fs";
import { join } from "node:path";
import { detectCgroupLayout } from "../../src/runner/limits/cgroup-layout.js";
import { systemdRunning } from "../../src/runner/limits/systemd-scope.js";
import { TestCluster, sleep, submittedIds, waitUntil, type Proc } from "../helpers/cluster.js";

interface TaskJson {
  readonly taskId: string;
  readonly status: string;
}

const cluster = new TestCluster();
let runner: Proc;

before(async () => {
  await cluster.startHost();
  runner = await cluster.startRunner("fd-runner");
});
after(() => cluster.cleanup());

/** The runner process's open descriptors, with what they point at (for a readable failure). */
function openFds(pid: number): string[] {
  return readdirSync(`/proc/${pid}/fd`).map((fd) => {
    try {
      return `${fd} -> ${readlinkSync(`/proc/${pid}/fd/${fd}`)}`;
    } catch {
      return `${fd} -> (closed while listing)`;
    }
  });
}

/** Waits until the count stops changing for a moment (sockets and timers settle after a burst). */
async function settledFds(pid: number): Promise<string[]> {
  let last = openFds(pid);
  for (let i = 0; i < 20; i++) {
    await sleep(250);
    const now = openFds(pid);
    if (now.length === last.length) return now;
    last = now;
  }
  return last;
}

async function runBatch(count: number, args: string[], options: string[] = []): Promise<void> {
  const submitted = await cluster.cli(["task", "submit", "--json", "--sweep", "--container", "NULL", "--target", "fd-runner", ...options, "--", ...args, `span:{1..${count}}`]);
  assert.equal(submitted.code, 0, submitted.stderr);
  const { batchId } = JSON.parse(submitted.stdout) as { batchId: string };
  let statuses: string[] = [];
  await waitUntil(async () => {
    const listed = await cluster.cli(["task", "list", "--batch", batchId, "--json"]);
    statuses = (JSON.parse(listed.stdout) as TaskJson[]).map((t) => t.status);
    return statuses.length === count && statuses.every((s) => s === "completed");
  }, 120_000, () => `batch ${batchId} did not complete: ${statuses.filter((s) => s !== "completed").length} left`);
}

test("file descriptors return to their idle count after hundreds of native tasks", { timeout: 300_000 }, async (t) => {
  const pid = runner.child.pid!;
  // A few tasks first, so lazily opened descriptors (cgroup probes, pipes' first use) are in the baseline.
  await runBatch(5, ["echo"]);
  const idle = await settledFds(pid);
  // Output on both streams, so both of each task's log files are written.
  await runBatch(150, ["sh", "-c", 'echo "out $0"; echo "err $0" >&2']);
  await runBatch(100, ["true"]);
  // Limits: each task gets its own cgroup, an OOM watch, and the join wrapper.
  await runBatch(50, ["true"], ["--cores", "1", "--memory", "64M"]);
  const after = await settledFds(pid);
  const tolerance = 5;
  t.diagnostic(`descriptors: ${idle.length} idle, ${after.length} after 300 tasks`);
  assert.ok(
    after.length <= idle.length + tolerance,
    `runner holds ${after.length} descriptors after 300 tasks, ${idle.length} when idle:\n${after.filter((fd) => !idle.includes(fd)).slice(0, 20).join("\n")}`,
  );
});

test("a restarted runner kills its predecessor's native tasks and removes their cgroups", { timeout: 120_000 }, async (t) => {
  const layout = detectCgroupLayout();
  const parents = [layout.v2, layout.v1Cpu, layout.v1Memory].filter((dir): dir is string => dir !== undefined);
  if (systemdRunning() || parents.length === 0) {
    t.skip("native tasks get no cgroup of their own here (systemd scopes, or no writable cgroup filesystem)");
    return;
  }
  const name = "recover-runner";
  const first = await cluster.startRunner(name);
  const submitted = await cluster.cli(["task", "submit", "--json", "--container", "NULL", "--target", name, "--cores", "0.5", "--memory", "64M", "--", "sleep", "300"]);
  assert.equal(submitted.code, 0, submitted.stderr);
  const [taskId] = submittedIds(submitted.stdout);
  const dirs = parents.map((parent) => join(parent, `hakuriver-task-${taskId}`));
  let pids: number[] = [];
  await waitUntil(() => {
    pids = dirs.filter(existsSync).flatMap((dir) => readFileSync(join(dir, "cgroup.procs"), "utf8").split("\n").filter(Boolean).map(Number));
    return pids.length > 0;
  }, 15_000, () => `task ${taskId} never ran in its cgroup (${dirs.join(", ")})`);

  // The runner dies hard: its task and the task's cgroup outlive it.
  await cluster.kill(first);
  assert.ok(dirs.some(existsSync), "the cgroup outlives the killed runner");
  await cluster.startRunner(name);
  await waitUntil(() => !dirs.some(existsSync), 10_000, () => `still there after the restart: ${dirs.filter(existsSync).join(", ")}`);
  for (const pid of pids) assert.equal(existsSync(`/proc/${pid}`) && !readFileSync(`/proc/${pid}/stat`, "utf8").includes(") Z "), false, `task process ${pid} still runs`);
});
