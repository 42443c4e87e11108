/**
 * Time limits through the client and runner services: the request's
 * `time_limit` (or the Host's default) reaches the Task and the runner's
 * TaskSpec in milliseconds; a bad one is INVALID_ARGUMENT at `time_limit`
 * with nothing stored; a TIMEOUT the runner reports is final, listed by
 * status, and frees the task's cores for the next task.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { Code, ConnectError } from "@connectrpc/connect";
import { BadRequestSchema, ErrorInfoSchema } from "../../gen/google/rpc/error_details_pb.js";
import type { ControlResponse } from "../../gen/hakuriver/v1/runner_pb.js";
import { TaskKind, TaskStatus } from "../../gen/hakuriver/v1/types_pb.js";
import { inMemoryHost, ScriptedRunner, type InMemoryHost } from "../helpers/in-memory-host.js";

let host: InMemoryHost;
let runner: ScriptedRunner;

before(async () => {
  host = await inMemoryHost({ timeLimitMs: 3_600_000 });
  runner = new ScriptedRunner(host.runnerClient, "tl-node");
  assert.equal((await runner.next()).message.case, "welcome");
});

after(async () => {
  await runner.disconnect();
  await host.close();
});

function runSpec(message: ControlResponse) {
  assert.equal(message.message.case, "runTask");
  return message.message.case === "runTask" ? message.message.value.spec! : assert.fail("no spec");
}

async function waitStatus(taskId: string, status: TaskStatus) {
  for (let i = 0; i < 200; i++) {
    const { task } = await host.client.getTask({ taskId });
    if (task?.status === status) return task;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  assert.fail(`task ${taskId} never reached ${TaskStatus[status]}`);
}

test("a request's time_limit reaches the task and the runner in ms; without one the Host's default applies", async () => {
  const own = (await host.client.submitTask({ command: "sleep", args: ["30"], cores: 1, timeLimit: "2h30m" })).tasks[0]!;
  assert.equal(own.timeLimitMs, 9_000_000n);
  assert.equal(runSpec(await runner.next()).timeLimitMs, 9_000_000n);
  const byDefault = (await host.client.submitTask({ command: "sleep", args: ["30"], cores: 1 })).tasks[0]!;
  assert.equal(byDefault.timeLimitMs, 3_600_000n, "scheduler.default_time_limit");
  assert.equal(runSpec(await runner.next()).timeLimitMs, 3_600_000n);
  const vps = (await host.client.submitTask({ kind: TaskKind.VPS, container: "env", publicKey: "ssh-ed25519 AAAA", cores: 0, timeLimit: "1d" })).tasks[0]!;
  assert.equal(vps.timeLimitMs, 86_400_000n, "a VPS takes a limit too");
  assert.equal(runSpec(await runner.next()).timeLimitMs, 86_400_000n);
  for (const task of [own, byDefault, vps]) runner.send({ message: { case: "taskEvent", value: { taskId: task.taskId, status: TaskStatus.COMPLETED, exitCode: 0 } } });
  await waitStatus(vps.taskId, TaskStatus.COMPLETED);
});

test("a malformed, zero or negative time_limit is INVALID_ARGUMENT naming time_limit, and nothing is stored", async () => {
  const before = (await host.client.listTasks({ limit: 1000 })).tasks.length;
  for (const bad of ["2x", "-1h", "0s", "90", "1h 30m"]) {
    try {
      await host.client.submitTask({ command: "true", timeLimit: bad });
      assert.fail(`${bad} was accepted`);
    } catch (error) {
      const err = ConnectError.from(error);
      assert.equal(err.code, Code.InvalidArgument, `${bad}: ${err.message}`);
      assert.ok(err.rawMessage.includes(`"${bad}"`), err.rawMessage);
      assert.deepEqual(err.findDetails(BadRequestSchema).flatMap((b) => b.fieldViolations.map((v) => v.field)), ["time_limit"]);
      assert.equal(err.findDetails(ErrorInfoSchema)[0]?.reason, "INVALID_TIME_LIMIT");
    }
  }
  assert.equal((await host.client.listTasks({ limit: 1000 })).tasks.length, before, "nothing submitted");
});

test("a TIMEOUT the runner reports is final, listed by status, and frees the task's cores", async () => {
  const first = (await host.client.submitTask({ command: "sleep", args: ["30"], cores: 4, timeLimit: "2s" })).tasks[0]!;
  runSpec(await runner.next());
  runner.send({ message: { case: "taskEvent", value: { taskId: first.taskId, status: TaskStatus.RUNNING } } });
  const second = (await host.client.submitTask({ command: "true", cores: 4 })).tasks[0]!;
  assert.equal(second.status, TaskStatus.PENDING, "all 4 cores are held by the first");
  runner.send({ message: { case: "taskEvent", value: { taskId: first.taskId, status: TaskStatus.TIMEOUT, exitCode: 143, message: "time limit 2s reached" } } });
  const ended = await waitStatus(first.taskId, TaskStatus.TIMEOUT);
  assert.equal(ended.message, "time limit 2s reached");
  assert.equal(ended.exitCode, 143);
  assert.ok(ended.completedAt, "a final status sets completed_at");
  assert.equal(runSpec(await runner.next()).taskId, second.taskId, "the freed cores start the waiting task");
  const listed = await host.client.listTasks({ statuses: [TaskStatus.TIMEOUT] });
  assert.deepEqual(listed.tasks.map((t) => t.taskId), [first.taskId]);
  // A late RUNNING (or a kill) cannot move it out of TIMEOUT.
  runner.send({ message: { case: "taskEvent", value: { taskId: first.taskId, status: TaskStatus.RUNNING } } });
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.equal((await host.client.getTask({ taskId: first.taskId })).task?.status, TaskStatus.TIMEOUT);
  await assert.rejects(host.client.killTask({ taskId: first.taskId }), (error: unknown) => ConnectError.from(error).code === Code.FailedPrecondition);
  runner.send({ message: { case: "taskEvent", value: { taskId: second.taskId, status: TaskStatus.COMPLETED, exitCode: 0 } } });
  await waitStatus(second.taskId, TaskStatus.COMPLETED);
});
