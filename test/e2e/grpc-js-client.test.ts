/**
 * The Host is a standard gRPC server for the canonical Node gRPC library:
 * `@grpc/grpc-js` with the protos loaded at runtime by `@grpc/proto-loader`
 * (test/helpers/grpc-js.ts; no generated TypeScript, no code from src/ in the
 * client path) does unary calls, server streams, a bidi shell into a real
 * Docker environment, bearer metadata, deadlines, and gets gRPC status codes
 * with the Host's messages. TestCluster only starts the processes.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { TestCluster } from "../helpers/cluster.js";
import { removeTestDockerState } from "../helpers/docker.js";
import { bearer, bidiStream, collect, dialClient, serverStream, Status, unary, type DynamicClient, type Message } from "../helpers/grpc-js.js";

const suffix = `${process.pid}${Date.now().toString(36)}`;
const RUNNER = `grpcjs${suffix}`;
const ENV = `grpcjsenv${suffix}`;
const cluster = new TestCluster();
/** The admin's client: its token rides on every call through an interceptor. */
let admin: DynamicClient;
/** A client with no token of its own: each call passes its metadata (or none). */
let bare: DynamicClient;

before(async () => {
  await cluster.startHost();
  await cluster.startRunner(RUNNER);
  admin = dialClient(cluster.address, cluster.adminToken);
  bare = dialClient(cluster.address);
});

after(async () => {
  admin?.close();
  bare?.close();
  await cluster.cleanup();
  removeTestDockerState(RUNNER, ENV);
});

/** Submits one native task on the test runner; returns its id. */
async function submitNative(args: string[]): Promise<string> {
  const response = await unary(admin, "SubmitTask", { command: "sh", args, container: "NULL", targets: [RUNNER] });
  assert.equal(response.tasks.length, 1);
  const taskId = response.tasks[0].task_id as string;
  assert.match(taskId, /^\d+$/, "task ids are decimal strings");
  return taskId;
}

/** Asserts that `promise` rejects with a grpc-js ServiceError of `code`; returns its details. */
async function rejectsWith(promise: Promise<unknown>, code: number): Promise<string> {
  const error = await promise.then(
    () => assert.fail(`expected ${Status[code]}, the call succeeded`),
    (e: unknown) => e as { code: number; details: string },
  );
  assert.equal(error.code, code, `expected ${Status[code]}, got ${Status[error.code]}: ${error.details}`);
  return error.details;
}

test("unary: SubmitTask returns a task id, GetTask returns the task, ListNodes lists the runner", async () => {
  const taskId = await submitNative(["-c", "echo from grpc-js; exit 3"]);
  const { task } = await unary(admin, "GetTask", { task_id: taskId });
  assert.equal(task.task_id, taskId);
  assert.equal(task.command, "sh");
  assert.deepEqual(task.args, ["-c", "echo from grpc-js; exit 3"]);
  assert.equal(task.container, "NULL");
  assert.equal(task.kind, "TASK_KIND_COMMAND");
  assert.equal(task.owner, "admin");
  const { nodes } = await unary(admin, "ListNodes", {});
  const node = (nodes as Message[]).find((n) => n.name === RUNNER);
  assert.ok(node, `ListNodes lists ${RUNNER}: ${JSON.stringify(nodes.map((n: Message) => n.name))}`);
  assert.equal(node.status, "NODE_STATUS_ONLINE");
});

test("server stream: FollowLogs streams the output, then the end with exit code 3, then status OK", async () => {
  // Followed at once, while the task is still being placed: the stream waits for its output.
  const taskId = await submitNative(["-c", "sleep 0.5; echo from grpc-js; exit 3"]);
  const result = await collect(serverStream(admin, "FollowLogs", { task_id: taskId, stream: "LOG_STREAM_STDOUT", follow: true }, { deadlineMs: 30_000 }));
  assert.equal(result.error, undefined, `the stream ended with ${result.error?.message}`);
  assert.equal(result.status.code, Status.OK);
  const events = result.messages.map((m) => m.event as string);
  assert.ok(events.length >= 2, `data then end: ${JSON.stringify(events)}`);
  assert.equal(events.at(-1), "end", "the end event is last");
  assert.ok(events.slice(0, -1).every((e) => e === "data"), `only data before the end: ${JSON.stringify(events)}`);
  const chunks = result.messages.slice(0, -1).map((m) => m.data as Message);
  let offset = 0;
  for (const chunk of chunks) {
    assert.equal(chunk.offset, String(offset), "chunks carry their byte offsets (int64 as a string)");
    offset += (chunk.data as Buffer).length;
  }
  assert.equal(Buffer.concat(chunks.map((c) => c.data as Buffer)).toString(), "from grpc-js\n");
  const end = result.messages.at(-1)!.end as Message;
  assert.equal(end.exit_code, 3);
  assert.equal(end.status, "TASK_STATUS_FAILED", "a non-zero exit is FAILED");
  assert.equal(end.size, String(offset));
  const { task } = await unary(admin, "GetTask", { task_id: taskId });
  assert.equal(task.status, "TASK_STATUS_FAILED");
  assert.equal(task.exit_code, 3);
  assert.match(task.message, /exited with code 3/);
});

test("metadata: no token and a wrong token are UNAUTHENTICATED with a message; a viewer's submit is PERMISSION_DENIED", async () => {
  // Messages are matched on words only: their punctuation is the subject of the last test.
  const none = await rejectsWith(unary(bare, "ListNodes", {}), Status.UNAUTHENTICATED);
  assert.match(none, /this Host requires a credential.*run hakuriver login/, "the refusal says why and what to do");
  const wrong = await rejectsWith(unary(bare, "ListNodes", {}, { metadata: bearer("hkr_000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA") }), Status.UNAUTHENTICATED);
  assert.match(wrong, /token 000000000000 is not known to this Host/);
  // The same token as per-call metadata works without the interceptor.
  const { nodes } = await unary(bare, "ListNodes", {}, { metadata: bearer(cluster.adminToken) });
  assert.ok((nodes as Message[]).some((n) => n.name === RUNNER));
  // A viewer made through this client: reads are allowed, a submit is not.
  const added = await unary(admin, "AddUser", { name: `viewer${suffix}`, role: "ROLE_VIEWER", token_label: "grpc-js" });
  const viewer = bearer(added.token as string);
  const whoami = await unary(bare, "WhoAmI", {}, { metadata: viewer });
  assert.equal(whoami.user, `viewer${suffix}`);
  assert.equal(whoami.role, "ROLE_VIEWER");
  const denied = await rejectsWith(unary(bare, "SubmitTask", { command: "true", container: "NULL" }, { metadata: viewer }), Status.PERMISSION_DENIED);
  assert.match(denied, new RegExp(`SubmitTask needs role user or above.*viewer${suffix} is viewer`));
});

test("status codes: a missing task is NOT_FOUND, memory \"lots\" is INVALID_ARGUMENT naming the accepted format", async () => {
  const missing = await rejectsWith(unary(admin, "GetTask", { task_id: "1" }), Status.NOT_FOUND);
  assert.equal(missing, "task 1 not found");
  const invalid = await rejectsWith(unary(admin, "SubmitTask", { command: "true", container: "NULL", memory: "lots" }), Status.INVALID_ARGUMENT);
  assert.match(invalid, /invalid memory size "lots".*use a number with an optional unit.*such as 512M.*4G.*1\.5G or 256Mi/);
});

test("deadline: a 300 ms deadline on a follow of a 30 s task is DEADLINE_EXCEEDED at once, and the Host stays healthy", async () => {
  const taskId = await submitNative(["-c", "sleep 30"]);
  try {
    const started = Date.now();
    const result = await collect(serverStream(admin, "FollowLogs", { task_id: taskId, follow: true }, { deadlineMs: 300 }));
    const tookMs = Date.now() - started;
    assert.equal(result.status.code, Status.DEADLINE_EXCEEDED, `status ${Status[result.status.code]}: ${result.status.details}`);
    assert.ok(tookMs < 5_000, `the deadline ended the call after ${tookMs} ms`);
    assert.ok(result.messages.every((m) => m.event !== "end"), "the follow did not end by itself");
    const { task } = await unary(admin, "GetTask", { task_id: taskId });
    assert.ok(["TASK_STATUS_ASSIGNING", "TASK_STATUS_RUNNING"].includes(task.status), task.status);
    const health = await unary(admin, "Health", {});
    assert.ok(health.aggregate.online_nodes >= 1, "the Host still answers and sees the runner");
  } finally {
    const killed = await unary(admin, "KillTask", { task_id: taskId });
    assert.equal(killed.task.task_id, taskId);
  }
});

/** Runs one non-TTY shell over the bidi stream: start, then `input`, then eof. */
async function shell(name: string, command: string[], input: string[], deadlineMs = 30_000) {
  const call = bidiStream(admin, "Shell", { deadlineMs });
  const done = collect(call);
  call.write({ start: { name, command, tty: false, rows: 0, cols: 0 } });
  for (const text of input) call.write({ stdin: Buffer.from(text) });
  call.write({ eof: {} });
  call.end();
  return done;
}

test("bidi: Shell in an environment container gets stdin, stdout and the exit code; a missing one is NOT_FOUND", async () => {
  const created = await unary(admin, "CreateContainer", { image: "hakuriver-test/busybox:latest", name: ENV }, { deadlineMs: 60_000 });
  assert.equal(created.created, true);
  assert.equal(created.container.state, "running");
  try {
    const result = await shell(ENV, ["sh", "-c", "read line; echo got:$line; exit 5"], ["hello\n"]);
    assert.equal(result.error, undefined, `the shell ended with ${result.error?.message}`);
    assert.equal(result.status.code, Status.OK);
    const stdout = Buffer.concat(result.messages.filter((m) => m.message === "stdout").map((m) => m.stdout as Buffer)).toString();
    assert.equal(stdout, "got:hello\n");
    const last = result.messages.at(-1)!;
    assert.equal(last.message, "exit", "exit is the last message");
    assert.equal(last.exit.code, 5);
  } finally {
    await unary(admin, "DeleteContainer", { name: ENV }, { deadlineMs: 30_000 });
  }
  const missing = await shell(`nosuch${suffix}`, ["true"], [], 10_000);
  assert.equal(missing.status.code, Status.NOT_FOUND, `status ${Status[missing.status.code]}: ${missing.status.details}`);
  assert.match(missing.status.details, new RegExp(`there is no environment container "nosuch${suffix}"`), "the message names the container");
  assert.equal(missing.messages.length, 0);
});

/**
 * The gRPC spec (PROTOCOL-HTTP2.md, Status-Message) percent-encodes only bytes
 * outside 0x20-0x7E and "%"; grpc-js decodes grpc-message with decodeURI,
 * which leaves %3A, %2C, %3B (: , ;) and the other URI delimiters encoded. A
 * Host that encodes those shows grpc-js users "size \"lots\"%3A use ...".
 */
test("status messages reach grpc-js as the Host wrote them, punctuation included (: , ;)", async () => {
  const invalid = await rejectsWith(unary(admin, "SubmitTask", { command: "true", container: "NULL", memory: "lots" }), Status.INVALID_ARGUMENT);
  assert.equal(invalid, 'invalid memory size "lots": use a number with an optional unit, such as 512M, 4G, 1.5G or 256Mi');
  const none = await rejectsWith(unary(bare, "ListNodes", {}), Status.UNAUTHENTICATED);
  assert.match(none, /^this Host requires a credential: run hakuriver login --host ADDR:PORT /);
  const percent = await rejectsWith(unary(admin, "SubmitTask", { command: "true", container: "NULL", memory: "50%" }), Status.INVALID_ARGUMENT);
  assert.match(percent, /^invalid memory size "50%"/, "a percent sign survives");
});
