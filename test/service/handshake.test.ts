/**
 * The control stream's handshake, with a scripted runner over the real
 * services: the welcome is always the first message a runner gets, even
 * when a reconnect frees capacity and the scheduler places queued work
 * while the Host is still reconciling; and a RunTask the runner never
 * acknowledges is sent again, then failed with a message.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { TaskStatus } from "../../gen/hakuriver/v1/types_pb.js";
import { inMemoryHost, ScriptedRunner, type InMemoryHost } from "../helpers/in-memory-host.js";

let host: InMemoryHost;

before(async () => {
  host = await inMemoryHost({ timeoutFactor: 1000, ackTimeoutMs: 300 });
});

after(async () => {
  await host.close();
});

async function runTaskId(runner: ScriptedRunner, seen?: Set<string>): Promise<string> {
  for (;;) {
    const command = await runner.next();
    if (command.message.case !== "runTask") continue;
    const taskId = command.message.value.spec!.taskId;
    // A repeat of a task already received is harmless (runners start a task once per id).
    if (seen?.has(taskId)) continue;
    seen?.add(taskId);
    return taskId;
  }
}

async function waitForStatus(taskIds: readonly string[], status: TaskStatus, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const statuses = await Promise.all(taskIds.map(async (taskId) => (await host.client.getTask({ taskId })).task?.status));
    if (statuses.every((s) => s === status)) return;
    if (Date.now() > deadline) assert.fail(`tasks did not all become ${TaskStatus[status]}: ${statuses.map((s) => TaskStatus[s ?? 0]).join(", ")}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

test("a reconnecting runner gets its welcome before any command, in every round", async () => {
  let runner = new ScriptedRunner(host.runnerClient, "node-r", 1);
  assert.equal((await runner.next()).message.case, "welcome");
  const seen = new Set<string>();
  for (let round = 0; round < 3; round++) {
    // Work that holds no cores, so reconciling it keeps the Host busy after capacity frees up.
    const light = await host.client.submitTask({ command: "sleep", args: ["60"], cores: 0, targets: Array.from({ length: 30 }, () => "node-r") });
    const received = new Set<string>();
    for (let i = 0; i < light.tasks.length; i++) {
      const taskId = await runTaskId(runner, seen);
      received.add(taskId);
      runner.send({ message: { case: "taskEvent", value: { taskId, status: TaskStatus.RUNNING } } });
    }
    assert.deepEqual([...received].sort(), light.tasks.map((t) => t.taskId).sort());
    const blocking = await host.client.submitTask({ command: "sleep", args: ["60"], cores: 1, targets: ["node-r"] });
    const blockingId = blocking.tasks[0]!.taskId;
    assert.equal(await runTaskId(runner, seen), blockingId);
    runner.send({ message: { case: "taskEvent", value: { taskId: blockingId, status: TaskStatus.RUNNING } } });
    const queued = await host.client.submitTask({ command: "echo", cores: 1, targets: ["node-r"] });
    const queuedId = queued.tasks[0]!.taskId;
    await waitForStatus([blockingId, ...received], TaskStatus.RUNNING);
    await runner.disconnect();
    // Its old tasks are missing from the new hello: they become lost, the first frees the core for the queued one.
    runner = new ScriptedRunner(host.runnerClient, "node-r", 1);
    const first = await runner.next();
    assert.equal(first.message.case, "welcome", `round ${round}: the first message was ${first.message.case}`);
    assert.equal(await runTaskId(runner, seen), queuedId);
    runner.send({ message: { case: "taskEvent", value: { taskId: queuedId, status: TaskStatus.COMPLETED, exitCode: 0 } } });
    assert.equal((await host.client.getTask({ taskId: blockingId })).task?.status, TaskStatus.LOST);
  }
  await runner.disconnect();
});

test("a RunTask the runner never acknowledges is resent, then failed with a message", async () => {
  const runner = new ScriptedRunner(host.runnerClient, "node-silent", 1);
  assert.equal((await runner.next()).message.case, "welcome");
  const submitted = await host.client.submitTask({ command: "echo", cores: 1, targets: ["node-silent"] });
  const taskId = submitted.tasks[0]!.taskId;
  // The runner stays silent about the task: the Host sends it again (the runner dedupes by id).
  assert.equal(await runTaskId(runner), taskId);
  assert.equal(await runTaskId(runner), taskId);
  const deadline = Date.now() + 10_000;
  let task = (await host.client.getTask({ taskId })).task!;
  while (task.status === TaskStatus.ASSIGNING && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    task = (await host.client.getTask({ taskId })).task!;
  }
  assert.equal(task.status, TaskStatus.FAILED);
  assert.match(task.message, /runner node-silent never acknowledged the task/);
  await runner.disconnect();
});

test("an acknowledged RunTask is not resent", async () => {
  const runner = new ScriptedRunner(host.runnerClient, "node-ack", 1);
  assert.equal((await runner.next()).message.case, "welcome");
  const submitted = await host.client.submitTask({ command: "sleep", args: ["1"], cores: 1, targets: ["node-ack"] });
  const taskId = submitted.tasks[0]!.taskId;
  assert.equal(await runTaskId(runner), taskId);
  // Still starting (say, loading an image): a report of `assigning` is the acknowledgement.
  runner.send({ message: { case: "taskEvent", value: { taskId, status: TaskStatus.ASSIGNING } } });
  await assert.rejects(runTaskId(runner).then((id) => assert.fail(`resent ${id}`)), /no command within/);
  assert.equal((await host.client.getTask({ taskId })).task?.status, TaskStatus.ASSIGNING);
  await runner.disconnect();
});
