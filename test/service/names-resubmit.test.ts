/**
 * Names, labels and ResubmitTask through the real service stack: over
 * Connect's in-memory transport with users of every role (who may resubmit
 * what, what the copy carries, which batch it joins, list and watch
 * filters, refusals that store nothing), and over a real HTTP/2 port with
 * the independent grpc-js peer (test/helpers/grpc-js.ts), which knows only
 * the .proto files.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Code } from "@connectrpc/connect";
import { pino } from "pino";
import { TaskKind, TaskStatus } from "../../gen/hakuriver/v1/types_pb.js";
import { startHost, type HostHandle } from "../../src/host/host-app.js";
import { inMemoryHost, type InMemoryHost } from "../helpers/in-memory-host.js";
import { failure } from "../helpers/call-failure.js";
import { WatchReader } from "../helpers/watch-reader.js";
import { dialClient, Status, unary, type DynamicClient, type Message } from "../helpers/grpc-js.js";

let host: InMemoryHost;
const tokens: Record<"alice" | "bob" | "vera" | "olga", string> = { alice: "", bob: "", vera: "", olga: "" };

before(async () => {
  // No runner: every task waits in the queue, so nothing changes under the test.
  host = await inMemoryHost();
  const store = host.core.authStore;
  tokens.alice = (await store.addUser("alice", "user", "", 0)).issued.text;
  tokens.bob = (await store.addUser("bob", "user", "", 0)).issued.text;
  tokens.vera = (await store.addUser("vera", "viewer", "", 0)).issued.text;
  tokens.olga = (await store.addUser("olga", "operator", "", 0)).issued.text;
});

after(() => host.close());

const as = (who: keyof typeof tokens) => host.clientWithToken(tokens[who]);

test("a resubmit is a new task with the same spec, in the same batch unless new_batch", async () => {
  const submitted = await as("alice").submitTask({
    command: "sh", args: ["-c", "echo $X"], env: { X: "1" }, cores: 0.5, memory: "64Mi", name: "nightly eval", labels: { project: "vision", run: "7" },
  });
  const original = submitted.tasks[0]!;
  const { task: again } = await as("alice").resubmitTask({ taskId: original.taskId });
  assert.ok(again);
  assert.notEqual(again.taskId, original.taskId);
  assert.ok(BigInt(again.taskId) > BigInt(original.taskId), "a new id, later than the old");
  assert.equal(again.batchId, original.batchId, "the same batch");
  assert.equal(again.status, TaskStatus.PENDING);
  assert.deepEqual(
    [again.kind, again.command, again.args, again.env, again.cores, again.memoryBytes, again.container, again.privileged, again.mounts, again.target, again.name, again.labels, again.owner],
    [TaskKind.COMMAND, "sh", ["-c", "echo $X"], { X: "1" }, 0.5, 64n * 1024n * 1024n, "NULL", false, [], "", "nightly eval", { project: "vision", run: "7" }, "alice"],
  );
  const batch = (await as("alice").listTasks({ batchId: original.batchId })).tasks.map((t) => t.taskId);
  assert.deepEqual(batch, [again.taskId, original.taskId], "the batch lists both, newest first");

  const { task: alone } = await as("alice").resubmitTask({ taskId: original.taskId, newBatch: true });
  assert.equal(alone?.batchId, alone?.taskId, "--new-batch: a batch of its own");
  assert.equal(alone?.name, "nightly eval");
});

test("who may resubmit: the owner, an operator or admin; not a viewer nor another user", async () => {
  const original = (await as("alice").submitTask({ command: "true", cores: 0 })).tasks[0]!;
  const byViewer = await failure(as("vera").resubmitTask({ taskId: original.taskId }));
  assert.equal(byViewer.code, Code.PermissionDenied);
  const byBob = await failure(as("bob").resubmitTask({ taskId: original.taskId }));
  assert.equal(byBob.code, Code.PermissionDenied);
  assert.match(byBob.rawMessage, /belongs to alice: a user may resubmit only their own work/);
  const byOperator = (await as("olga").resubmitTask({ taskId: original.taskId })).task!;
  assert.deepEqual([byOperator.owner, byOperator.batchId], ["olga", original.batchId], "the copy belongs to whoever resubmitted it");
  const count = (await host.client.listTasks({ batchId: original.batchId })).tasks.length;
  assert.equal(count, 2, "the refused resubmits stored nothing");
});

test("a resubmit asks for what the task had, so a privileged task needs an admin again", async () => {
  const privileged = (await host.client.submitTask({ command: "true", cores: 0, container: "env", privileged: true })).tasks[0]!;
  const byOperator = await failure(as("olga").resubmitTask({ taskId: privileged.taskId }));
  assert.equal(byOperator.code, Code.PermissionDenied);
  assert.match(byOperator.rawMessage, /only an admin may ask for a privileged container/);
  const byAdmin = (await host.client.resubmitTask({ taskId: privileged.taskId })).task!;
  assert.equal(byAdmin.privileged, true);
});

test("resubmit: a malformed id is INVALID_ARGUMENT, an unknown one NOT_FOUND; a killed task can be resubmitted", async () => {
  assert.equal((await failure(host.client.resubmitTask({ taskId: "abc" }))).code, Code.InvalidArgument);
  assert.equal((await failure(host.client.resubmitTask({ taskId: "424242" }))).code, Code.NotFound);
  const task = (await as("alice").submitTask({ command: "sleep", args: ["9"], cores: 0 })).tasks[0]!;
  await as("alice").killTask({ taskId: task.taskId });
  const again = (await as("alice").resubmitTask({ taskId: task.taskId })).task!;
  assert.deepEqual([again.status, again.command, again.args], [TaskStatus.PENDING, "sleep", ["9"]]);
});

test("a VPS resubmits as a VPS with the same public key", async () => {
  const publicKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAbcdefghijklmnopqrstuvwxyz0123456789ABCDEF me@host";
  const vps = (await as("alice").submitTask({ kind: TaskKind.VPS, publicKey, container: "env", name: "dev box" })).tasks[0]!;
  const again = (await as("alice").resubmitTask({ taskId: vps.taskId })).task!;
  assert.deepEqual([again.kind, again.container, again.name], [TaskKind.VPS, "env", "dev box"]);
  assert.notEqual(again.taskId, vps.taskId);
});

test("ListTasks filters by name glob and labels; bad filters and bad labels at submit name their field and store nothing", async () => {
  const a = (await as("bob").submitTask({ command: "true", cores: 0, name: "sweep-lr", labels: { sweep: "lr", owner: "bob" }, args: ["span:[1,2]"], sweep: true })).tasks;
  const b = (await as("bob").submitTask({ command: "true", cores: 0, name: "sweep-bs", labels: { sweep: "bs" } })).tasks;
  assert.deepEqual(a.map((t) => t.name), ["sweep-lr", "sweep-lr"], "a sweep's tasks share the name");
  const ids = async (filter: Parameters<InMemoryHost["client"]["listTasks"]>[0]) => (await host.client.listTasks(filter)).tasks.map((t) => t.taskId);
  assert.deepEqual(await ids({ nameGlob: "sweep-*" }), [b[0]!.taskId, a[1]!.taskId, a[0]!.taskId]);
  assert.deepEqual(await ids({ nameGlob: "sweep-?r" }), [a[1]!.taskId, a[0]!.taskId]);
  assert.deepEqual(await ids({ labels: { sweep: "bs" } }), [b[0]!.taskId]);
  assert.deepEqual(await ids({ labels: { sweep: "lr", owner: "bob" }, limit: 1 }), [a[1]!.taskId], "labels AND, with paging");
  assert.deepEqual(await ids({ labels: { sweep: "lr", owner: "alice" } }), []);

  const badKey = await failure(host.client.listTasks({ labels: { "bad key": "x" } }));
  assert.equal(badKey.code, Code.InvalidArgument);
  assert.match(badKey.rawMessage, /label key "bad key" is not valid/);
  const before = (await host.client.listTasks({ limit: 1000 })).tasks.length;
  const refusedRequests: { labels?: Record<string, string>; name?: string }[] = [{ labels: { "": "x" } }, { labels: { k: "a\nb" } }, { name: "x".repeat(129) }, { name: "bell\u0007" }];
  for (const request of refusedRequests) {
    const refused = await failure(as("bob").submitTask({ command: "true", cores: 0, ...request }));
    assert.equal(refused.code, Code.InvalidArgument, JSON.stringify(request));
    assert.match(refused.rawMessage, /label|name/);
  }
  assert.equal((await host.client.listTasks({ limit: 1000 })).tasks.length, before, "nothing was submitted");
});

test("Watch filters by name glob and labels: the snapshot and later changes", async () => {
  const first = (await host.client.submitTask({ command: "true", cores: 0, name: "watched-1", labels: { w: "yes" } })).tasks[0]!;
  const reader = new WatchReader(host.client, { tasks: true, taskFilter: { nameGlob: "watched-*", labels: { w: "yes" } } });
  try {
    await reader.snapshotDone();
    assert.deepEqual(reader.messages.flatMap((m) => m.tasks.map((t) => t.taskId)), [first.taskId]);
    await host.client.submitTask({ command: "true", cores: 0, name: "watched-2", labels: { w: "no" } });
    await host.client.submitTask({ command: "true", cores: 0, name: "other", labels: { w: "yes" } });
    const match = (await host.client.submitTask({ command: "true", cores: 0, name: "watched-3", labels: { w: "yes", extra: "1" } })).tasks[0]!;
    const from = reader.messages.length;
    await reader.until((m) => m.tasks.some((t) => t.taskId === match.taskId), "the matching task", from - 1);
    const seen = reader.messages.flatMap((m) => m.tasks.map((t) => t.name));
    assert.ok(seen.every((name) => name === "watched-1" || name === "watched-3"), `only matching tasks were sent: ${seen.join(", ")}`);
  } finally {
    await reader.close();
  }
});

// ── Over a real HTTP/2 port, with the independent grpc-js peer ──

let network: { handle: HostHandle; dir: string; client: DynamicClient } | undefined;

async function networkHost(): Promise<NonNullable<typeof network>> {
  if (network) return network;
  const dir = mkdtempSync(join(tmpdir(), "hakuriver-resubmit-"));
  const handle = await startHost({
    bind: "127.0.0.1",
    port: 0,
    dbFile: join(dir, "host.db"),
    sharedDir: join(dir, "shared"),
    heartbeatIntervalMs: 200,
    heartbeatTimeoutFactor: 5,
    cleanupCheckIntervalMs: 200,
    defaults: { container: "NULL", privileged: false, mounts: [], queue: true },
    auth: { enabled: true, stateDir: dir, mountAllowList: [] },
    containerDir: "hakuriver-containers",
    keepTarballs: 1,
    log: pino({ level: "silent" }),
  });
  const adminToken = readFileSync(join(dir, "admin.token"), "utf8").trim();
  network = { handle, dir, client: dialClient(`127.0.0.1:${handle.port}`, adminToken) };
  return network;
}

after(async () => {
  if (!network) return;
  network.client.close();
  await network.handle.close();
  rmSync(network.dir, { recursive: true, force: true });
});

test("over real gRPC, a client built from the .proto alone submits with a name and labels, resubmits and filters", async () => {
  const { client } = await networkHost();
  const submitted = await unary(client, "SubmitTask", { command: "echo", args: ["hi"], cores: 0, name: "grpc-js run", labels: { via: "grpc-js" } });
  const original = submitted["tasks"][0] as Message;
  assert.deepEqual([original["name"], original["labels"]], ["grpc-js run", { via: "grpc-js" }]);
  const resubmitted = await unary(client, "ResubmitTask", { task_id: original["task_id"] });
  const again = resubmitted["task"] as Message;
  assert.notEqual(again["task_id"], original["task_id"]);
  assert.deepEqual([again["batch_id"], again["command"], again["args"], again["name"], again["labels"]], [original["batch_id"], "echo", ["hi"], "grpc-js run", { via: "grpc-js" }]);
  const separate = (await unary(client, "ResubmitTask", { task_id: original["task_id"], new_batch: true }))["task"] as Message;
  assert.equal(separate["batch_id"], separate["task_id"]);
  const listed = await unary(client, "ListTasks", { name_glob: "grpc-js*", labels: { via: "grpc-js" } });
  assert.deepEqual((listed["tasks"] as Message[]).map((t) => t["task_id"]), [separate["task_id"], again["task_id"], original["task_id"]]);
  const refused = await unary(client, "SubmitTask", { command: "true", labels: { "no spaces": "x" } }).then(
    () => assert.fail("a bad label key was accepted"),
    (error: { code: number; details: string }) => error,
  );
  assert.equal(refused.code, Status.INVALID_ARGUMENT);
  assert.match(refused.details, /label key "no spaces" is not valid/);
  const missing = await unary(client, "ResubmitTask", { task_id: "424242" }).then(
    () => assert.fail("an unknown task was resubmitted"),
    (error: { code: number }) => error,
  );
  assert.equal(missing.code, Status.NOT_FOUND);
});
