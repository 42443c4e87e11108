/**
 * VPS stop, start and snapshots over the real services, with a scripted
 * runner: a stop frees the node's cores, a start queues while the node is
 * full and is sent as StartVps once it has room (also across the runner's
 * reconnect, whose hello lists the VPS still stopped), a snapshot waits for
 * the runner's answer, and every refusal carries its gRPC code.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Code, ConnectError } from "@connectrpc/connect";
import type { ControlResponse } from "../../gen/hakuriver/v1/runner_pb.js";
import { TaskKind, TaskStatus } from "../../gen/hakuriver/v1/types_pb.js";
import { inMemoryHost, ScriptedRunner, type InMemoryHost } from "../helpers/in-memory-host.js";

const KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA test";
let host: InMemoryHost;
let runner: ScriptedRunner;

before(async () => {
  host = await inMemoryHost({ timeoutFactor: 1000 });
  runner = new ScriptedRunner(host.runnerClient, "node-v", 2);
  assert.equal((await runner.next()).message.case, "welcome");
});

after(async () => {
  await runner.disconnect();
  await host.close();
});

type Command = ControlResponse["message"];
type CommandValue<K> = Extract<Command, { case: K }> extends { value: infer V } ? V : never;

/** The next command of `kind` the runner gets (others skipped). */
async function nextCommand<K extends Command["case"]>(kind: K, from = runner): Promise<CommandValue<K>> {
  for (;;) {
    const command = await from.next();
    if (command.message.case === kind) return command.message.value as unknown as CommandValue<K>;
  }
}

async function codeOf(call: Promise<unknown>): Promise<{ code: Code; message: string }> {
  try {
    await call;
  } catch (error) {
    const e = ConnectError.from(error);
    return { code: e.code, message: e.rawMessage };
  }
  assert.fail("the call succeeded");
}

const status = async (taskId: string) => (await host.client.getTask({ taskId })).task!;
const coresInUse = async () => (await host.client.listNodes({})).nodes.find((n) => n.name === "node-v")!.coresInUse;
const event = (taskId: string, s: TaskStatus, extra: Record<string, unknown> = {}) => runner.send({ message: { case: "taskEvent", value: { taskId, status: s, ...extra } } });

let vps = "";

test("stop frees the cores; a start waits for room, survives a reconnect, and is sent as StartVps", async () => {
  vps = (await host.client.submitTask({ kind: TaskKind.VPS, publicKey: KEY, cores: 2, targets: ["node-v"], container: "vpsenv" })).tasks[0]!.taskId;
  assert.equal((await nextCommand("runTask")).spec!.taskId, vps);
  event(vps, TaskStatus.RUNNING, { sshPort: 40022 });
  await waitFor(async () => (await status(vps)).status === TaskStatus.RUNNING);
  assert.equal(await coresInUse(), 2);

  const stopping = host.client.stopVps({ taskId: vps });
  assert.equal((await nextCommand("stopVps")).taskId, vps);
  event(vps, TaskStatus.STOPPED, { message: "stopped by user; its container and disk are kept" });
  assert.equal((await stopping).task!.status, TaskStatus.STOPPED);
  assert.equal(await coresInUse(), 0, "a stopped VPS holds nothing");

  const hog = (await host.client.submitTask({ command: "sleep", args: ["60"], cores: 2, targets: ["node-v"] })).tasks[0]!.taskId;
  assert.equal((await nextCommand("runTask")).spec!.taskId, hog);
  event(hog, TaskStatus.RUNNING);
  await waitFor(async () => (await status(hog)).status === TaskStatus.RUNNING);
  const queued = (await host.client.startVps({ taskId: vps })).task!;
  assert.equal(queued.status, TaskStatus.PENDING);
  assert.match(queued.message, /^waiting: /);

  // The runner reconnects still holding the VPS stopped: the queued start stands.
  await runner.disconnect();
  runner = new ScriptedRunner(host.runnerClient, "node-v", 2, 8n * 1024n ** 3n, [
    { taskId: vps, status: TaskStatus.STOPPED, message: "stopped" },
    { taskId: hog, status: TaskStatus.RUNNING },
  ]);
  assert.equal((await runner.next()).message.case, "welcome");
  assert.equal((await status(vps)).status, TaskStatus.PENDING, "a hello listing it stopped does not cancel its start");

  event(hog, TaskStatus.COMPLETED, { exitCode: 0 });
  const start = await nextCommand("startVps");
  assert.equal(start.spec!.taskId, vps);
  assert.equal(start.snapshot, "", "its own node: the kept container");
  assert.equal(start.spec!.publicKey, KEY);
  assert.equal((await status(vps)).status, TaskStatus.ASSIGNING);
  event(vps, TaskStatus.RUNNING, { sshPort: 40023 });
  await waitFor(async () => (await status(vps)).status === TaskStatus.RUNNING);
  assert.equal((await status(vps)).sshPort, 40023, "the new port is what tunnels use");
  assert.equal(await coresInUse(), 2, "reserved again");
});

test("a start the runner cannot carry out leaves the VPS stopped with the reason", async () => {
  const stopping = host.client.stopVps({ taskId: vps });
  await nextCommand("stopVps");
  event(vps, TaskStatus.STOPPED);
  await stopping;
  const placed = (await host.client.startVps({ taskId: vps })).task!;
  assert.equal(placed.status, TaskStatus.ASSIGNING);
  await nextCommand("startVps");
  event(vps, TaskStatus.STOPPED, { message: "could not start: the container is gone" });
  await waitFor(async () => (await status(vps)).status === TaskStatus.STOPPED);
  assert.match((await status(vps)).message, /could not start/);
});

test("a snapshot waits for the runner's answer; its error and a name that is taken are refused", async () => {
  const failing = host.client.snapshotVps({ taskId: vps, name: "box1" });
  const asked = await nextCommand("snapshotVps");
  assert.deepEqual([asked.taskId, asked.name], [vps, "box1"]);
  event(vps, TaskStatus.STOPPED, { snapshotName: "box1", snapshotError: "no space left on device" });
  const refused = await codeOf(failing);
  assert.equal(refused.code, Code.Unavailable);
  assert.match(refused.message, /could not snapshot VPS .*no space left on device/);

  const saving = host.client.snapshotVps({ taskId: vps });
  const named = await nextCommand("snapshotVps");
  assert.equal(named.name, `vps-${vps}`, "the default name");
  // The status of a snapshot answer is never applied (a runner sends its current one).
  event(vps, TaskStatus.RUNNING, { snapshotName: named.name, snapshotTarball: `${named.name}-1700000000.tar`, snapshotSizeBytes: 1234n });
  const saved = (await saving).snapshot!;
  assert.deepEqual([saved.name, saved.taskId, saved.node, saved.sizeBytes], [`vps-${vps}`, vps, "node-v", 1234n]);
  assert.equal((await status(vps)).status, TaskStatus.STOPPED);
  assert.deepEqual((await host.client.listSnapshots({ taskId: vps })).snapshots.map((s) => s.name), [`vps-${vps}`]);

  const dir = join(host.dir, "shared", "hakuriver-containers");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "someenv-1700000000.tar"), "");
  assert.equal((await codeOf(host.client.snapshotVps({ taskId: vps, name: "someenv" }))).code, Code.AlreadyExists, "an environment's name");
  assert.equal((await codeOf(host.client.snapshotVps({ taskId: vps, name: "Bad!" }))).code, Code.InvalidArgument);
  // Its record says the tarball is there; the snapshot has none: a move finds nothing to start from.
  assert.equal((await codeOf(host.client.startVps({ taskId: vps, node: "node-other" }))).code, Code.NotFound, "an unknown node");
});

test("each refusal has its code", async () => {
  const command = (await host.client.submitTask({ command: "true", cores: 0, targets: ["node-v"] })).tasks[0]!.taskId;
  assert.equal((await codeOf(host.client.stopVps({ taskId: command }))).code, Code.FailedPrecondition);
  assert.equal((await codeOf(host.client.stopVps({ taskId: "999" }))).code, Code.NotFound);
  assert.equal((await codeOf(host.client.stopVps({ taskId: "abc" }))).code, Code.InvalidArgument);
  assert.equal((await codeOf(host.client.stopVps({ taskId: vps }))).code, Code.FailedPrecondition, "already stopped");
  assert.equal((await codeOf(host.client.deleteSnapshot({ name: "nope" }))).code, Code.NotFound);
  assert.equal((await codeOf(host.client.submitTask({ command: "true", fromSnapshot: `vps-${vps}` }))).code, Code.InvalidArgument, "from_snapshot on a command task");
  assert.equal((await codeOf(host.client.submitTask({ kind: TaskKind.VPS, publicKey: KEY, fromSnapshot: "nope" }))).code, Code.NotFound);
  await runner.disconnect();
  await waitFor(async () => (await host.client.listNodes({})).nodes.find((n) => n.name === "node-v")!.status !== 1);
  const offline = await codeOf(host.client.startVps({ taskId: vps }));
  assert.equal(offline.code, Code.FailedPrecondition);
  assert.match(offline.message, /node node-v is offline/);
  assert.equal((await codeOf(host.client.snapshotVps({ taskId: vps }))).code, Code.Unavailable, "snapshot while its node is offline");
  // A stopped VPS killed while its node is offline ends at once; its runner removes the container when it is back.
  assert.equal((await host.client.killTask({ taskId: vps })).task!.status, TaskStatus.KILLED);
  runner = new ScriptedRunner(host.runnerClient, "node-v", 2, 8n * 1024n ** 3n, [{ taskId: vps, status: TaskStatus.STOPPED }]);
  const welcome = await runner.next();
  assert.equal(welcome.message.case, "welcome");
  assert.ok(welcome.message.case === "welcome" && welcome.message.value.staleTaskIds.includes(vps), "the runner is told to drop it");
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail("timed out");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
