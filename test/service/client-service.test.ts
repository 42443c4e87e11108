import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { Code, ConnectError } from "@connectrpc/connect";
import { LogStream, NodeStatus, TaskKind, TaskStatus } from "../../gen/hakuriver/v1/types_pb.js";
import { inMemoryHost, ScriptedRunner, type InMemoryHost } from "../helpers/in-memory-host.js";

let host: InMemoryHost;
let runner: ScriptedRunner;

before(async () => {
  host = await inMemoryHost();
  runner = new ScriptedRunner(host.runnerClient, "node-a");
  const welcome = await runner.next();
  assert.equal(welcome.message.case, "welcome");
  assert.equal(welcome.message.value && "heartbeatIntervalMs" in welcome.message.value ? welcome.message.value.heartbeatIntervalMs : 0n, 200n);
});

after(async () => {
  await runner.disconnect();
  await host.close();
});

async function waitStatus(taskId: string, status: TaskStatus): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if ((await host.client.getTask({ taskId })).task?.status === status) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  assert.fail(`task ${taskId} never reached status ${status}`);
}

async function codeOf(promise: Promise<unknown>): Promise<Code | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    return ConnectError.from(error).code;
  }
}

test("a runner's hello makes its node online with its resources", async () => {
  const { nodes } = await host.client.listNodes({});
  assert.equal(nodes.length, 1);
  assert.equal(nodes[0]!.name, "node-a");
  assert.equal(nodes[0]!.status, NodeStatus.ONLINE);
  assert.equal(nodes[0]!.resources?.cores, 4);
});

test("submit → RunTask on the runner → events and chunks → completed with output", async () => {
  const { tasks } = await host.client.submitTask({ command: "echo", args: ["hi"], cores: 1, env: { A: "1" } });
  const taskId = tasks[0]!.taskId;
  assert.equal(tasks[0]!.status, TaskStatus.ASSIGNING);
  const run = await runner.next();
  assert.equal(run.message.case, "runTask");
  const spec = run.message.case === "runTask" ? run.message.value.spec! : undefined;
  assert.deepEqual([spec?.command, spec?.args, spec?.env], ["echo", ["hi"], { A: "1" }]);
  runner.send({ message: { case: "taskEvent", value: { taskId, status: TaskStatus.RUNNING } } });
  runner.send({ message: { case: "logChunk", value: { taskId, stream: LogStream.STDOUT, offset: 0n, data: Buffer.from("hi\n") } } });
  runner.send({ message: { case: "taskEvent", value: { taskId, status: TaskStatus.COMPLETED, exitCode: 0, stdoutSize: 3n } } });
  const chunks: string[] = [];
  let end: { status: TaskStatus; exitCode?: number } | undefined;
  for await (const response of host.client.followLogs({ taskId, follow: true })) {
    if (response.event.case === "data") chunks.push(Buffer.from(response.event.value.data).toString());
    if (response.event.case === "end") end = response.event.value;
  }
  assert.equal(chunks.join(""), "hi\n");
  assert.equal(end?.status, TaskStatus.COMPLETED);
  assert.equal(end?.exitCode, 0);
  const { task } = await host.client.getTask({ taskId });
  assert.equal(task?.status, TaskStatus.COMPLETED);
  assert.equal(task?.assignedNode, "node-a");
  assert.ok(task?.startedAt && task.completedAt);
});

test("a follow started mid-way resumes at its offset and gets live chunks", async () => {
  const { tasks } = await host.client.submitTask({ command: "sh", args: ["-c", "x"], cores: 1 });
  const taskId = tasks[0]!.taskId;
  await runner.next();
  runner.send({ message: { case: "taskEvent", value: { taskId, status: TaskStatus.RUNNING } } });
  runner.send({ message: { case: "logChunk", value: { taskId, stream: LogStream.STDOUT, offset: 0n, data: Buffer.from("0123456789") } } });
  const seen: bigint[] = [];
  const follow = (async () => {
    let text = "";
    for await (const r of host.client.followLogs({ taskId, follow: true, offset: 5n })) {
      if (r.event.case === "data") {
        seen.push(r.event.value.offset);
        text += Buffer.from(r.event.value.data).toString();
      } else return { text, end: r.event.value };
    }
    return { text, end: undefined };
  })();
  await new Promise((resolve) => setTimeout(resolve, 100));
  runner.send({ message: { case: "logChunk", value: { taskId, stream: LogStream.STDOUT, offset: 10n, data: Buffer.from("ab") } } });
  runner.send({ message: { case: "taskEvent", value: { taskId, status: TaskStatus.FAILED, exitCode: 4, stdoutSize: 12n } } });
  const result = await follow;
  assert.equal(result.text, "56789ab");
  assert.deepEqual(seen, [5n, 10n]);
  assert.equal(result.end?.exitCode, 4);
  assert.equal(result.end?.status, TaskStatus.FAILED);
});

test("kill sends a command and returns once the runner confirms", async () => {
  const { tasks } = await host.client.submitTask({ command: "sleep", args: ["9"], cores: 1 });
  const taskId = tasks[0]!.taskId;
  await runner.next();
  runner.send({ message: { case: "taskEvent", value: { taskId, status: TaskStatus.RUNNING } } });
  await new Promise((resolve) => setTimeout(resolve, 50));
  const killing = host.client.killTask({ taskId });
  const kill = await runner.next();
  assert.equal(kill.message.case, "killTask");
  runner.send({ message: { case: "taskEvent", value: { taskId, status: TaskStatus.KILLED, exitCode: 143 } } });
  const { task } = await killing;
  assert.equal(task?.status, TaskStatus.KILLED);
  assert.equal(await codeOf(host.client.killTask({ taskId })), Code.FailedPrecondition, "a final task cannot be killed again");
  assert.equal(await codeOf(host.client.pauseTask({ taskId })), Code.FailedPrecondition);
});

test("bad input gets the right codes", async () => {
  assert.equal(await codeOf(host.client.getTask({ taskId: "123" })), Code.NotFound);
  assert.equal(await codeOf(host.client.getTask({ taskId: "abc" })), Code.InvalidArgument);
  assert.equal(await codeOf(host.client.submitTask({ command: "echo", memory: "12X" })), Code.InvalidArgument);
  assert.equal(await codeOf(host.client.submitTask({ command: "echo", cores: -1 })), Code.InvalidArgument);
  assert.equal(await codeOf(host.client.submitTask({ command: "" })), Code.InvalidArgument);
  assert.equal(await codeOf(host.client.submitTask({ command: "echo", targets: ["ghost"] })), Code.NotFound);
  assert.equal(await codeOf(host.client.submitTask({ command: "echo", cores: 64 })), Code.InvalidArgument, "can never fit any node");
  assert.equal(await codeOf(host.client.submitTask({ kind: TaskKind.VPS, publicKey: "not a key" })), Code.InvalidArgument);
  assert.equal(await codeOf(host.client.drainNode({ node: "ghost" })), Code.NotFound);
  const stream = host.client.followLogs({ taskId: "77" });
  assert.equal(await codeOf((async () => { for await (const _ of stream) void _; })()), Code.NotFound);
});

test("a reconnecting runner's inventory is reconciled: finished work is applied, unknown work is stale", async () => {
  const { tasks } = await host.client.submitTask({ command: "true", cores: 1 });
  const taskId = tasks[0]!.taskId;
  await runner.next();
  runner.send({ message: { case: "taskEvent", value: { taskId, status: TaskStatus.RUNNING } } });
  await new Promise((resolve) => setTimeout(resolve, 50));
  await runner.disconnect();
  // The task ended while the runner was away; it also holds a task the Host never sent.
  runner = new ScriptedRunner(host.runnerClient, "node-a", 4, 8n * 1024n ** 3n, [
    { taskId, status: TaskStatus.COMPLETED, exitCode: 0 },
    { taskId: "42", status: TaskStatus.RUNNING },
  ]);
  const welcome = await runner.next();
  assert.equal(welcome.message.case, "welcome");
  if (welcome.message.case !== "welcome") return;
  assert.deepEqual(welcome.message.value.staleTaskIds, ["42"]);
  assert.deepEqual(welcome.message.value.logCursors.map((c) => c.taskId), [taskId]);
  const { task } = await host.client.getTask({ taskId });
  assert.equal(task?.status, TaskStatus.COMPLETED);
});

test("pending tasks start in submission order as resources free up", async () => {
  const first = (await host.client.submitTask({ command: "a", cores: 4 })).tasks[0]!;
  const second = (await host.client.submitTask({ command: "b", cores: 4 })).tasks[0]!;
  assert.equal(first.status, TaskStatus.ASSIGNING);
  assert.equal(second.status, TaskStatus.PENDING);
  assert.match(second.message, /waiting: .*not enough free cores/);
  const run = await runner.next();
  assert.equal(run.message.case === "runTask" && run.message.value.spec?.taskId, first.taskId);
  runner.send({ message: { case: "taskEvent", value: { taskId: first.taskId, status: TaskStatus.COMPLETED, exitCode: 0 } } });
  const next = await runner.next();
  assert.equal(next.message.case === "runTask" && next.message.value.spec?.taskId, second.taskId);
  runner.send({ message: { case: "taskEvent", value: { taskId: second.taskId, status: TaskStatus.COMPLETED, exitCode: 0 } } });
  await waitStatus(second.taskId, TaskStatus.COMPLETED);
  const third = (await host.client.submitTask({ command: "c", cores: 4, noQueue: true })).tasks[0]!;
  await runner.next();
  assert.equal(await codeOf(host.client.submitTask({ command: "d", cores: 4, noQueue: true })), Code.ResourceExhausted);
  runner.send({ message: { case: "taskEvent", value: { taskId: third.taskId, status: TaskStatus.COMPLETED, exitCode: 0 } } });
});

test("a runner that stops sending heartbeats goes offline and its tasks are lost", async () => {
  const { tasks: started } = await host.client.submitTask({ command: "sleep", args: ["60"], cores: 1 });
  await runner.next();
  runner.send({ message: { case: "taskEvent", value: { taskId: started[0]!.taskId, status: TaskStatus.RUNNING } } });
  // A frozen runner sends no heartbeats: after 200 ms x 5 its node is offline.
  runner.freeze();
  const { nodes } = await new Promise<{ nodes: { name: string; status: NodeStatus }[] }>((resolve) =>
    setTimeout(async () => resolve(await host.client.listNodes({})), 1500),
  );
  assert.equal(nodes.find((n) => n.name === "node-a")?.status, NodeStatus.OFFLINE);
  const { task } = await host.client.getTask({ taskId: started[0]!.taskId });
  assert.equal(task?.status, TaskStatus.LOST, "the running task became lost");
  assert.match(task?.message ?? "", /went offline/);
});

test("ListTasks with an unknown status is INVALID_ARGUMENT and names the valid statuses", async () => {
  for (const status of [99 as TaskStatus, TaskStatus.UNSPECIFIED]) {
    try {
      await host.client.listTasks({ statuses: [status] });
      assert.fail(`status ${status} was accepted`);
    } catch (error) {
      const err = ConnectError.from(error);
      assert.equal(err.code, Code.InvalidArgument, err.message);
      assert.match(err.rawMessage, new RegExp(`^${status} is not a task status.*valid statuses: pending \\(1\\), assigning \\(2\\).*killed_oom \\(8\\), lost \\(9\\), timeout \\(10\\), stopped \\(11\\)$`));
    }
  }
  const listed = await host.client.listTasks({ statuses: [TaskStatus.COMPLETED] });
  assert.ok(listed.tasks.every((t) => t.status === TaskStatus.COMPLETED));
});
