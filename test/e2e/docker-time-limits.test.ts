/**
 * End to end against the real Docker engine: a container task past its
 * time limit ends `timeout` and its container goes, and a runner killed
 * and restarted while the task runs re-adopts it with its limit still
 * counting (the time the runner was away included).
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { timestampMs } from "@bufbuild/protobuf/wkt";
import { TaskStatus, type Task } from "../../gen/hakuriver/v1/types_pb.js";
import { FAST_TIMING, TestCluster, sleep, submittedIds, waitUntil, type Proc } from "../helpers/cluster.js";
import { docker, removeTestDockerState } from "../helpers/docker.js";

const suffix = `${process.pid}${Date.now().toString(36)}`;
const ENV = `envt${suffix}`;
const RUNNER = `docklimit${suffix}`;
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
  const result = await cluster.cli(["task", "submit", "--json", "--target", RUNNER, "--container", ENV, "--cores", "0", ...args]);
  assert.equal(result.code, 0, result.stderr);
  return submittedIds(result.stdout)[0]!;
}

async function waitFor(taskId: string, status: TaskStatus, timeoutMs = 30_000): Promise<Task> {
  let last: Task | undefined;
  await waitUntil(async () => (last = (await cluster.client.getTask({ taskId })).task)?.status === status, timeoutMs, () => `task ${taskId}: ${TaskStatus[last?.status ?? 0]} ${last?.message}`);
  return last!;
}

function ranSeconds(t: Task): number {
  return (timestampMs(t.completedAt!) - timestampMs(t.startedAt!)) / 1000;
}

test("a container task past its limit ends timeout and its container is removed", async () => {
  const id = await submit(["--time-limit", "2s", "--", "sleep", "30"]);
  await waitFor(id, TaskStatus.RUNNING);
  const ended = await waitFor(id, TaskStatus.TIMEOUT, 15_000);
  assert.equal(ended.message.split("; ")[0], "time limit 2s reached");
  assert.ok(ranSeconds(ended) < 6, `ran ${ranSeconds(ended)} s for a 2 s limit`);
  await waitUntil(() => docker("ps", "-aq", "--filter", `name=hakuriver-task-${id}`).trim() === "", 10_000, () => "container still there after the timeout");
});

test("a runner restarted while a limited container runs keeps counting the limit", async () => {
  const id = await submit(["--time-limit", "8s", "--", "sleep", "60"]);
  const started = timestampMs((await waitFor(id, TaskStatus.RUNNING)).startedAt!);
  await sleep(1000);
  await cluster.kill(runner, "SIGKILL");
  await sleep(2000);
  const restartedAt = Date.now();
  runner = await cluster.startRunner(RUNNER);
  const onlineAt = Date.now();
  const ended = await waitFor(id, TaskStatus.TIMEOUT, 30_000);
  assert.equal(ended.message.split("; ")[0], "time limit 8s reached");
  const endedAt = timestampMs(ended.completedAt!);
  // Kept, the count ends 8 s after the start (or at once when the runner is back later than that);
  // counted afresh from the restart, it would end 8 s or more after the new runner process began.
  const keptBy = Math.max(started + 8000, onlineAt) + 2500;
  assert.ok(endedAt < keptBy && endedAt < restartedAt + 8000, `ended ${(endedAt - started) / 1000} s after its start, ${(endedAt - restartedAt) / 1000} s after the restart (online ${(onlineAt - restartedAt) / 1000} s later): the time before and during the restart was not counted`);
  assert.ok(ranSeconds(ended) >= 7.9, `ended ${ranSeconds(ended)} s after its start, before its limit`);
});
