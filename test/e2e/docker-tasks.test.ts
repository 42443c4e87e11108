/**
 * End to end against the real Docker engine: a container task's limits,
 * pause/resume/kill, live `logs --follow`, and a runner killed with SIGKILL
 * and restarted while its container task runs.
 */
import { spawn } from "node:child_process";
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { CLI, FAST_TIMING, TestCluster, runCli, submittedIds, waitUntil, type Proc } from "../helpers/cluster.js";
import { docker, removeTestDockerState } from "../helpers/docker.js";

const suffix = `${process.pid}${Date.now().toString(36)}`;
const ENV = `envk${suffix}`;
const RUNNER = `docktask${suffix}`;
let cluster: TestCluster;
let runner: Proc;

before(async () => {
  // Offline after 10 s without heartbeats, so a runner restart does not turn its tasks lost.
  cluster = new TestCluster({ ...FAST_TIMING, HAKURIVER_TIMING_HEARTBEAT_TIMEOUT_FACTOR: "50" });
  await cluster.startHost();
  runner = await cluster.startRunner(RUNNER);
  assert.equal((await cluster.cli(["docker", "create-container", "hakuriver-test/busybox:latest", ENV])).code, 0);
  assert.equal((await cluster.cli(["docker", "create-tar", ENV])).code, 0);
});

after(async () => {
  await cluster.cleanup();
  removeTestDockerState(RUNNER, ENV);
});

async function submit(args: string[]): Promise<string> {
  const result = await cluster.cli(["task", "submit", "--json", "--target", RUNNER, "--container", ENV, ...args]);
  assert.equal(result.code, 0, result.stderr);
  return submittedIds(result.stdout)[0]!;
}

async function task(id: string): Promise<{ status: string; exitCode?: number; message: string }> {
  const { task: t } = await cluster.client.getTask({ taskId: id });
  const status = (await cluster.cli(["task", "status", id, "--json"])).stdout;
  return { status: (JSON.parse(status) as { status: string }).status, exitCode: t?.exitCode, message: t?.message ?? "" };
}

async function waitForStatus(id: string, status: string, timeoutMs = 30_000): Promise<void> {
  let last = "";
  await waitUntil(async () => (last = (await task(id)).status) === status, timeoutMs, () => `task ${id} is ${last}, wanted ${status}`);
}

function containerState(id: string): { NanoCpus: number; Memory: number; Paused: boolean } {
  const [nano, memory, paused] = docker("inspect", "--format", "{{.HostConfig.NanoCpus}} {{.HostConfig.Memory}} {{.State.Paused}}", `hakuriver-task-${id}`).trim().split(" ");
  return { NanoCpus: Number(nano), Memory: Number(memory), Paused: paused === "true" };
}

test("--cores 0.5 and --memory are applied; pause, resume, then kill removes the container", async () => {
  const id = await submit(["--cores", "0.5", "--memory", "64M", "--", "sleep", "60"]);
  await waitForStatus(id, "running");
  const state = containerState(id);
  assert.equal(state.NanoCpus, 500_000_000);
  assert.ok(state.Memory >= 60_000_000 && state.Memory <= 70_000_000, `memory limit ${state.Memory}`);
  assert.equal((await cluster.cli(["task", "pause", id])).code, 0);
  await waitForStatus(id, "paused");
  assert.equal(containerState(id).Paused, true);
  assert.equal((await cluster.cli(["task", "resume", id])).code, 0);
  await waitForStatus(id, "running");
  assert.equal(containerState(id).Paused, false);
  assert.equal((await cluster.cli(["task", "kill", id])).code, 0);
  await waitForStatus(id, "killed");
  await waitUntil(() => docker("ps", "-aq", "--filter", `name=hakuriver-task-${id}`).trim() === "", 10_000, () => "container still there after kill");
});

test("logs --follow streams a container task's output live and exits with its code", async () => {
  const id = await submit(["--", "sh", "-c", "echo first; sleep 5; echo second; exit 4"]);
  const follower = spawn(process.execPath, [CLI, "logs", id, "--follow"], { env: { ...process.env, ...cluster.cliEnv() } });
  let out = "";
  follower.stdout.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => follower.once("close", resolve));
  await waitUntil(() => out.includes("first"), 15_000, () => `no live output yet: ${out}`);
  // The second line comes 5 s later: seeing the first without it means the output streams live.
  assert.doesNotMatch(out, /second/);
  const { task: current } = await cluster.client.getTask({ taskId: id });
  assert.equal(current?.exitCode, undefined, "the first line arrived while the task still ran");
  assert.equal(await exited, 4);
  assert.equal(out, "first\nsecond\n");
});

test("a runner killed and restarted re-adopts its running container task", async () => {
  const id = await submit(["--", "sh", "-c", "echo before; sleep 4; echo after; echo late-err >&2; exit 7"]);
  await waitForStatus(id, "running");
  await waitUntil(async () => (await runCli(["logs", id], cluster.cliEnv())).stdout.includes("before"), 10_000);
  await cluster.kill(runner, "SIGKILL");
  assert.equal(docker("inspect", "--format", "{{.State.Running}}", `hakuriver-task-${id}`).trim(), "true", "the container outlives the runner");
  runner = await cluster.startRunner(RUNNER);
  await waitUntil(async () => (await task(id)).exitCode !== undefined, 30_000, () => "the re-adopted task never ended");
  const ended = await task(id);
  assert.equal(ended.status, "failed");
  assert.equal(ended.exitCode, 7);
  assert.equal((await cluster.cli(["logs", id])).stdout, "before\nafter\n", "output kept flowing, nothing doubled");
  assert.equal((await cluster.cli(["logs", id, "--stderr"])).stderr.trim(), "late-err");
  await waitUntil(() => docker("ps", "-aq", "--filter", `name=hakuriver-task-${id}`).trim() === "", 10_000, () => "container not removed");
});

test("a graceful runner stop leaves container tasks running for the next runner", async () => {
  const id = await submit(["--", "sh", "-c", "sleep 3; echo done"]);
  await waitForStatus(id, "running");
  await cluster.kill(runner, "SIGTERM");
  assert.equal(docker("inspect", "--format", "{{.State.Running}}", `hakuriver-task-${id}`).trim(), "true");
  runner = await cluster.startRunner(RUNNER);
  await waitForStatus(id, "completed");
  assert.equal((await cluster.cli(["logs", id])).stdout, "done\n");
});

test("a restarted runner removes task containers of its own that nobody recorded (never orphaned)", async () => {
  const stray = docker(
    "run", "-d", "--label", "hakuriver.managed=true", "--label", "hakuriver.kind=command",
    "--label", `hakuriver.runner=${RUNNER}`, "--label", "hakuriver.task_id=424242",
    "hakuriver-test/busybox:latest", "sleep", "300",
  ).trim();
  const other = docker("run", "-d", "--label", "hakuriver.managed=true", "--label", "hakuriver.kind=command", "--label", "hakuriver.runner=someone-else", "hakuriver-test/busybox:latest", "sleep", "300").trim();
  try {
    await cluster.kill(runner, "SIGTERM");
    runner = await cluster.startRunner(RUNNER);
    await waitUntil(() => docker("ps", "-aq", "--no-trunc", "--filter", `id=${stray}`).trim() === "", 15_000, () => "the stray container is still there");
    assert.equal(docker("inspect", "--format", "{{.State.Running}}", other).trim(), "true", "another runner's container is left alone");
  } finally {
    docker("rm", "-f", other);
  }
});
