/**
 * End to end, real Host, real runner, real processes and the CLI as typed:
 * a `sleep 30` with `--time-limit 2s` ends `timeout` about when its limit
 * passes and its cores start the next task; paused time does not count;
 * `--wait` exits 124; bad limits are refused before anything is submitted.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { timestampMs } from "@bufbuild/protobuf/wkt";
import { TaskStatus, type Task } from "../../gen/hakuriver/v1/types_pb.js";
import { runCli, sleep, submittedIds, TestCluster, waitUntil } from "../helpers/cluster.js";

const NODE = "limits";
const cluster = new TestCluster();
let nodeCores = 0;

before(async () => {
  await cluster.startHost();
  await cluster.startRunner(NODE);
  const { nodes } = await cluster.client.listNodes({});
  nodeCores = nodes.find((n) => n.name === NODE)!.resources!.cores;
});
after(() => cluster.cleanup());

async function submit(args: string[]): Promise<string> {
  const result = await cluster.cli(["task", "submit", "--json", "--container", "NULL", "--target", NODE, ...args]);
  assert.equal(result.code, 0, `submit ${args.join(" ")}: ${result.stderr}`);
  return submittedIds(result.stdout)[0]!;
}

async function task(taskId: string): Promise<Task> {
  return (await cluster.client.getTask({ taskId })).task!;
}

async function waitFor(taskId: string, done: (t: Task) => boolean, timeoutMs = 20_000): Promise<Task> {
  let last: Task | undefined;
  await waitUntil(async () => done((last = await task(taskId))), timeoutMs, () => `task ${taskId}: ${TaskStatus[last?.status ?? 0]} ${last?.message}`);
  return last!;
}

/** Seconds from a task's start to its end, as the Host recorded them. */
function ranSeconds(t: Task): number {
  return (timestampMs(t.completedAt!) - timestampMs(t.startedAt!)) / 1000;
}

test("sleep 30 with --time-limit 2s ends timeout at its limit, and its cores run the next task", async () => {
  const limited = await submit(["--cores", String(nodeCores), "--time-limit", "2s", "--", "sleep", "30"]);
  await waitFor(limited, (t) => t.status === TaskStatus.RUNNING);
  // Straight through the client, so a slow CLI start on a loaded machine cannot outlast the 2 s limit.
  const queued = await cluster.client.submitTask({ command: "true", container: "NULL", cores: nodeCores, targets: [NODE] });
  const next = queued.tasks[0]!.taskId;
  assert.equal(queued.tasks[0]!.status, TaskStatus.PENDING, "the limited task holds every core");
  const ended = await waitFor(limited, (t) => t.status === TaskStatus.TIMEOUT, 10_000);
  assert.equal(ended.message, "time limit 2s reached");
  assert.equal(ended.exitCode, 143, "stopped by SIGTERM, as a kill stops it");
  assert.equal(ended.timeLimitMs, 2000n);
  const seconds = ranSeconds(ended);
  assert.ok(seconds >= 1.9 && seconds < 4, `ran ${seconds} s for a 2 s limit`);
  const after = await waitFor(next, (t) => t.status === TaskStatus.COMPLETED);
  assert.equal(after.assignedNode, NODE);
  const { nodes } = await cluster.client.listNodes({});
  assert.equal(nodes.find((n) => n.name === NODE)!.coresInUse, 0, "nothing holds cores any more");

  const listed = await cluster.cli(["task", "list", "--status", "timeout", "--json"]);
  assert.equal(listed.code, 0, listed.stderr);
  const rows = JSON.parse(listed.stdout) as { taskId: string; status: string; timeLimitMs: string }[];
  assert.deepEqual(rows.map((r) => [r.taskId, r.status, r.timeLimitMs]), [[limited, "timeout", "2000"]]);
  const shown = await cluster.cli(["task", "status", limited]);
  assert.match(shown.stdout, /Status:\s+timeout/);
  assert.match(shown.stdout, /Time limit:\s+2s of running time/);
});

test("paused time does not count: paused 2 s of a 3 s limit, it still runs at 3.5 s", async () => {
  const id = await submit(["--cores", "0", "--time-limit", "3s", "--", "sleep", "30"]);
  const running = await waitFor(id, (t) => t.status === TaskStatus.RUNNING);
  const startedAt = timestampMs(running.startedAt!);
  await cluster.client.pauseTask({ taskId: id });
  await sleep(2000);
  await cluster.client.resumeTask({ taskId: id });
  const wait = startedAt + 3500 - Date.now();
  if (wait > 0) await sleep(wait);
  assert.equal((await task(id)).status, TaskStatus.RUNNING, "3.5 s after the start, with 2 s of it paused");
  const ended = await waitFor(id, (t) => t.status === TaskStatus.TIMEOUT, 10_000);
  assert.equal(ended.message, "time limit 3s reached");
  assert.ok(ranSeconds(ended) >= 4.5, `ended ${ranSeconds(ended)} s after its start: the pause was counted`);
});

test("task submit --wait exits 124 for a task that ran out of time", async () => {
  const result = await cluster.cli(["task", "submit", "--wait", "--container", "NULL", "--target", NODE, "--cores", "0", "--time-limit", "1s", "--", "sleep", "30"]);
  assert.equal(result.code, 124, result.stderr);
  assert.match(result.stdout, /^Task \d+ timeout \(exit code 143\): time limit 1s reached\n$/);
  const json = await cluster.cli(["task", "submit", "--wait", "--json", "--container", "NULL", "--target", NODE, "--cores", "0", "--time-limit", "500ms", "--", "sleep", "30"]);
  assert.equal(json.code, 124, json.stderr);
  assert.equal((JSON.parse(json.stdout) as { tasks: { status: string }[] }).tasks[0]!.status, "timeout");
  const quick = await cluster.cli(["task", "submit", "--wait", "--container", "NULL", "--target", NODE, "--cores", "0", "--time-limit", "1m", "--", "true"]);
  assert.equal(quick.code, 0, "a task that ends within its limit completes as usual");
});

test("a malformed time limit is one line naming --time-limit, exit 2, and nothing is submitted", async () => {
  const before = (await cluster.client.listTasks({ limit: 1000 })).tasks.length;
  for (const bad of ["2x", "-1h", "0s", "5", "1h30"]) {
    for (const args of [["task", "submit", "--time-limit", bad, "--", "true"], ["vps", "submit", "--public-key-string", "ssh-ed25519 AAAA", "--time-limit", bad]]) {
      const result = await cluster.cli(args);
      assert.equal(result.code, 2, `${args.join(" ")}: ${result.stderr}`);
      const lines = result.stderr.trim().split("\n");
      assert.equal(lines.length, 1, `one line: ${result.stderr}`);
      assert.ok(lines[0]!.startsWith(`error: --time-limit must be a positive duration like 90s, 45m, 2h30m or 1d, got "${bad}"`), lines[0]);
    }
  }
  assert.equal((await cluster.client.listTasks({ limit: 1000 })).tasks.length, before, "nothing submitted");
});

test("a Host whose scheduler.default_time_limit is not a duration does not start, and says which setting", async () => {
  const result = await runCli(
    ["host", "--bind", "127.0.0.1", "--port", "0", "--ssh-proxy-port", "0", "--db", `${cluster.dir}/bad-default.db`, "--shared-dir", cluster.sharedDir],
    { ...cluster.env, HAKURIVER_SCHEDULER_DEFAULT_TIME_LIMIT: "2x" },
    undefined,
    20_000,
  );
  assert.notEqual(result.code, 0);
  assert.match(result.stderr, /scheduler\.default_time_limit: invalid time limit "2x"/);
});
