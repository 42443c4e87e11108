/**
 * TaskManager on a fake clock: confirm timeouts of kill, pause and waitFor
 * pass in fake time (no sleeping), refused transitions are logged, and the
 * capacity events the scheduler relies on are announced.
 */
import assert from "node:assert/strict";
import { afterEach, beforeEach, test } from "node:test";
import { DomainError } from "../../src/shared/errors.js";
import { echoSpec } from "../helpers/task-store.js";
import { hostDomain, type HostDomain } from "../helpers/host-domain.js";

let d: HostDomain;
beforeEach(async () => {
  d = await hostDomain({ confirmTimeoutMs: 10_000 });
});
afterEach(() => d.close());

async function runningOn(node: string): Promise<number> {
  const [task] = await d.tasks.create([echoSpec("x")]);
  await d.tasks.change(task!.taskId, "assigning", { assignedNode: node });
  await d.tasks.change(task!.taskId, "running");
  return task!.taskId;
}

test("kill waits the confirm timeout in fake time, then marks the task killed itself", async () => {
  const session = await d.addNode("alpha", 4);
  const taskId = await runningOn("alpha");
  const killing = d.tasks.kill(String(taskId));
  await d.clock.whenWaiting();
  assert.deepEqual(session.cases(), ["killTask"]);
  await d.clock.advance(9_999);
  await d.clock.whenWaiting();
  const before = await d.repo.get(taskId);
  assert.equal(before?.status, "running", "not before the timeout");
  await d.clock.advance(1);
  const killed = await killing;
  assert.equal(killed.status, "killed");
  assert.equal(killed.message, "killed by user; the runner did not confirm in time");
});

test("kill returns the runner's own report when it confirms in time", async () => {
  await d.addNode("alpha", 4);
  const taskId = await runningOn("alpha");
  const killing = d.tasks.kill(String(taskId));
  await d.clock.whenWaiting();
  await d.tasks.change(taskId, "killed", { message: "stopped by the runner", exitCode: 137 });
  const killed = await killing;
  assert.equal(killed.message, "stopped by the runner");
  assert.equal(killed.exitCode, 137);
});

test("kill of a task on a node without a stream does not wait", async () => {
  await d.addNode("alpha", 4);
  const taskId = await runningOn("alpha");
  d.nodes.markLost("alpha", "test");
  const killed = await d.tasks.kill(String(taskId));
  assert.equal(killed.status, "killed");
  assert.match(killed.message, /while node alpha is offline/);
});

test("pause that the runner never confirms fails UNAVAILABLE after the timeout", async () => {
  const session = await d.addNode("alpha", 4);
  const taskId = await runningOn("alpha");
  const pausing = d.tasks.pause(String(taskId));
  await d.clock.whenWaiting();
  assert.deepEqual(session.cases(), ["pauseTask"]);
  // Watched before time moves: advancing lets the refusal settle at once.
  const refused = assert.rejects(pausing, (error: unknown) => error instanceof DomainError && error.kind === "unavailable" && /did not confirm the pause/.test(error.message));
  await d.clock.advance(10_000);
  await refused;
});

test("waitFor returns early on a matching change and the latest task at its deadline", async () => {
  const [task] = await d.tasks.create([echoSpec("x")]);
  const id = task!.taskId;
  const early = d.tasks.waitFor(id, (t) => t.status === "assigning", 60_000);
  await d.clock.whenWaiting();
  await d.tasks.change(id, "assigning", { assignedNode: "alpha" });
  assert.equal((await early).status, "assigning");

  const late = d.tasks.waitFor(id, (t) => t.status === "running", 2_500);
  for (const step of [1_000, 1_000, 500]) {
    await d.clock.whenWaiting();
    await d.clock.advance(step);
  }
  assert.equal((await late).status, "assigning");
  assert.equal(d.clock.pending().length, 0, "no timer left behind");
});

test("a refused transition leaves the task unchanged and is logged with task, from and to", async () => {
  const [task] = await d.tasks.create([echoSpec("x")]);
  await d.tasks.change(task!.taskId, "killed");
  const after = await d.tasks.change(task!.taskId, "running");
  assert.equal(after?.status, "killed");
  const refused = d.captured.records.find((r) => r.msg === "refused a task status change");
  assert.ok(refused, "logged");
  assert.equal(refused.taskId, String(task!.taskId));
  assert.equal(refused.from, "killed");
  assert.equal(refused.to, "running");
});

test("a submission and a task's end announce capacity changes; other changes do not", async () => {
  let announced = 0;
  d.events.onCapacityChange(() => announced++);
  const [task] = await d.tasks.create([echoSpec("x")]);
  assert.equal(announced, 1);
  await d.tasks.change(task!.taskId, "assigning", { assignedNode: "alpha" });
  await d.tasks.change(task!.taskId, "running");
  assert.equal(announced, 1);
  await d.tasks.change(task!.taskId, "completed", { exitCode: 0 });
  assert.equal(announced, 2);
  await d.tasks.change(task!.taskId, "completed", { message: "again" });
  assert.equal(announced, 2, "a final task ends once");
});
