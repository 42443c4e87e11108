/**
 * End to end: tasks queued on a runner that is killed and restarted all
 * run. The restarted runner's hello frees capacity (its old tasks are lost),
 * which starts queued tasks while the Host is still handshaking: every one
 * must reach the runner and finish, none may stay `assigning`.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { TaskStatus } from "../../gen/hakuriver/v1/types_pb.js";
import { FAST_TIMING, TestCluster, submittedIds, waitUntil, type Proc } from "../helpers/cluster.js";

let cluster: TestCluster;
let runner: Proc;

before(async () => {
  // A long heartbeat timeout: the killed runner's node must still count as online when it comes back.
  cluster = new TestCluster({ ...FAST_TIMING, HAKURIVER_TIMING_HEARTBEAT_TIMEOUT_FACTOR: "150" });
  await cluster.startHost();
  runner = await cluster.startRunner("alpha");
});

after(async () => {
  await cluster.cleanup();
});

async function statusOf(id: string): Promise<TaskStatus | undefined> {
  return (await cluster.client.getTask({ taskId: id })).task?.status;
}

async function submit(cores: string, ...command: string[]): Promise<string> {
  const result = await cluster.cli(["task", "submit", "--json", "--container", "NULL", "--target", "alpha", "--cores", cores, "--", ...command]);
  assert.equal(result.code, 0, result.stderr);
  return submittedIds(result.stdout)[0]!;
}

for (const round of [1, 2, 3]) {
  test(`round ${round}: queued tasks all run after their runner is killed and restarted`, async () => {
    const node = (await cluster.client.listNodes({})).nodes.find((n) => n.name === "alpha")!;
    const cores = String(node.resources!.cores);
    const blocker = await submit(cores, "sleep", "60");
    await waitUntil(async () => (await statusOf(blocker)) === TaskStatus.RUNNING, 15_000, () => "the blocking task never ran");
    const queued: string[] = [];
    for (let i = 0; i < 4; i++) queued.push(await submit(cores, "echo", `queued ${i}`));
    await cluster.kill(runner);
    runner = await cluster.startRunner("alpha");
    let last: string[] = [];
    await waitUntil(
      async () => {
        const now = await Promise.all(queued.map(statusOf));
        last = now.map((s, i) => `${queued[i]}: ${TaskStatus[s ?? 0]}`);
        return now.every((s) => s === TaskStatus.COMPLETED);
      },
      30_000,
      () => `queued tasks did not all complete: ${last.join(", ")}`,
    );
    assert.equal(await statusOf(blocker), TaskStatus.LOST, "the killed runner's task is lost");
  });
}
