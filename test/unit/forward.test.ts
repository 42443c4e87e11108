import { test } from "node:test";
import assert from "node:assert/strict";
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { ForwardPortRequestSchema, type ForwardPortRequest } from "../../gen/hakuriver/v1/forward_pb.js";
import { TunnelRequestSchema, type TunnelRequest } from "../../gen/hakuriver/v1/runner_pb.js";
import { AsyncQueue } from "../../src/shared/async-queue.js";
import { DomainError } from "../../src/shared/errors.js";
import { UsageError } from "../../src/cli/usage-error.js";
import { listenAddress, remotePort } from "../../src/cli/forward-address.js";
import { checkForwardPort, openForward } from "../../src/host/forward/open-forward.js";
import { relayForward, type ForwardOut } from "../../src/host/forward/forward-relay.js";
import type { UserPrincipal } from "../../src/host/auth/principal.js";
import type { TaskRecord } from "../../src/host/tasks/task-record.js";
import { TunnelOpenError, type RunnerTunnel } from "../../src/host/tunnels/tunnel-broker.js";
import { TunnelOutbox } from "../../src/host/tunnels/tunnel-outbox.js";
import { forwardTarget } from "../../src/runner/forward-target.js";
import { VpsHandle } from "../../src/runner/vps/vps-handle.js";
import type Docker from "dockerode";

const task: TaskRecord = {
  taskId: 100, batchId: 100, kind: "vps", status: "running", command: "", args: [], env: {}, cores: 0, memoryBytes: 0,
  container: "env", privileged: false, mounts: [], target: "", assignedNode: "n1", numaNode: null, gpus: [], gpuCount: 0, exitCode: null,
  message: "", submittedAt: 0, startedAt: 0, completedAt: null, sshPort: 2222, sshHostKeys: [], publicKey: "ssh-ed25519 AAAA", stdoutFinalBytes: -1, stderrFinalBytes: -1, owner: "alice", timeLimitMs: 0, name: "", labels: {},
  dependencies: [], awaitingDependencies: false, placementReason: "",
};
const alice: UserPrincipal = { kind: "user", user: "alice", role: "user", tokenId: "a" };
const bob: UserPrincipal = { kind: "user", user: "bob", role: "user", tokenId: "b" };

function kindOf(error: unknown): string {
  return error instanceof DomainError ? error.kind : String(error);
}

test("the CLI checks REMOTE_PORT and --local", () => {
  assert.equal(remotePort("8080"), 8080);
  assert.equal(remotePort(65535), 65535);
  for (const bad of ["0", "65536", "-1", "http", "80.5", ""]) assert.throws(() => remotePort(bad), UsageError, bad);
  assert.deepEqual(listenAddress(undefined, 8888), { host: "127.0.0.1", port: 8888 });
  assert.deepEqual(listenAddress("0", 8888), { host: "127.0.0.1", port: 0 });
  assert.deepEqual(listenAddress("9000", 8888), { host: "127.0.0.1", port: 9000 });
  assert.deepEqual(listenAddress("0.0.0.0:9000", 8888), { host: "0.0.0.0", port: 9000 });
  assert.deepEqual(listenAddress("[::1]:9000", 8888), { host: "::1", port: 9000 });
  for (const bad of ["70000", "host:", ":80", "::1:80", "a:b"]) assert.throws(() => listenAddress(bad, 1), UsageError, bad);
});

test("the Host refuses ports outside 1-65535", () => {
  assert.equal(checkForwardPort(1), 1);
  assert.equal(checkForwardPort(65535), 65535);
  for (const bad of [0, -5, 65536, 1.5]) assert.throws(() => checkForwardPort(bad), (e) => kindOf(e) === "invalid_argument");
});

function forwardDeps(record: TaskRecord | undefined, options: { online?: boolean; open?: () => Promise<RunnerTunnel> } = {}) {
  const opened: { node: string; port: number; forward: boolean }[] = [];
  return {
    opened,
    deps: {
      tasks: {
        require: async (id: string) => {
          if (!record || String(record.taskId) !== id) throw new DomainError("not_found", `task ${id} not found`);
          return record;
        },
      },
      nodes: { isOnline: () => options.online ?? true },
      broker: {
        open: async (node: string, _taskId: string, port: number, _timeoutMs: number, forward?: boolean) => {
          opened.push({ node, port, forward: forward === true });
          return options.open ? options.open() : { tunnelId: "t", incoming: new AsyncQueue<TunnelRequest>()[Symbol.asyncIterator](), outbox: new TunnelOutbox() };
        },
      },
    },
  };
}

test("openForward checks the port, the task, its owner, its status and its node, then asks for a forward", async () => {
  const ok = forwardDeps(task);
  const opened = await openForward(alice, { taskId: "100", port: 8080 }, ok.deps);
  assert.equal(opened.node, "n1");
  assert.deepEqual(ok.opened, [{ node: "n1", port: 8080, forward: true }]);
  const refuse = async (principal: UserPrincipal, record: TaskRecord | undefined, port: number, options: Parameters<typeof forwardDeps>[1] = {}) => {
    const { deps, opened: asked } = forwardDeps(record, options);
    const error = await openForward(principal, { taskId: "100", port }, deps).then(() => undefined, (e: unknown) => e);
    assert.equal(asked.length, 0, "no tunnel was asked for");
    return error as DomainError;
  };
  assert.equal((await refuse(alice, task, 0)).kind, "invalid_argument");
  assert.equal((await refuse(alice, undefined, 80)).kind, "not_found");
  assert.equal((await refuse(bob, task, 80)).kind, "permission_denied");
  const done = await refuse(alice, { ...task, status: "completed" }, 80);
  assert.equal(done.kind, "failed_precondition");
  assert.match(done.message, /VPS 100 is completed/);
  assert.match((await refuse(alice, { ...task, status: "paused" }, 80)).message, /resume it first/);
  assert.equal((await refuse(alice, task, 80, { online: false })).kind, "unavailable");
});

test("openForward maps the runner's failures: refused is FAILED_PRECONDITION, the rest UNAVAILABLE", async () => {
  const failing = (reason: TunnelOpenError["reason"]) => forwardDeps(task, { open: async () => Promise.reject(new TunnelOpenError(reason, `connection ${reason}`)) }).deps;
  const fail = (reason: TunnelOpenError["reason"]) => openForward(alice, { taskId: "100", port: 9 }, failing(reason)).then(() => assert.fail("opened"), (e: DomainError) => e);
  const refused = await fail("refused");
  assert.equal(refused.kind, "failed_precondition");
  assert.match(refused.message, /nothing listens on port 9 in VPS 100/);
  for (const reason of ["offline", "timeout", "failed"] as const) {
    const error = await fail(reason);
    assert.equal(error.kind, "unavailable", reason);
  }
});

/** A fake runner tunnel whose incoming side the test drives. */
function fakeTunnel() {
  const incoming = new AsyncQueue<TunnelRequest>();
  const outbox = new TunnelOutbox();
  const sent: string[] = [];
  const drained = (async () => {
    for await (const message of outbox) sent.push(message.message?.case === "data" ? `data:${Buffer.from(message.message.value as Uint8Array).toString()}` : String(message.message?.case));
  })();
  return { tunnel: { tunnelId: "t", incoming: incoming[Symbol.asyncIterator](), outbox }, incoming, sent, drained };
}

const request = (message: MessageInitShape<typeof ForwardPortRequestSchema>["message"]) => create(ForwardPortRequestSchema, { message });
const fromRunner = (message: MessageInitShape<typeof TunnelRequestSchema>["message"]) => create(TunnelRequestSchema, { message });

async function collect(stream: AsyncIterable<ForwardOut>): Promise<string[]> {
  const got: string[] = [];
  for await (const out of stream) got.push(out.message?.case === "data" ? `data:${Buffer.from(out.message.value as Uint8Array).toString()}` : String(out.message?.case));
  return got;
}

test("the relay carries bytes and half-closes both ways, and ends once both sides closed", async () => {
  const { tunnel, incoming, sent, drained } = fakeTunnel();
  const client = new AsyncQueue<ForwardPortRequest>();
  const relayed = collect(relayForward(client[Symbol.asyncIterator](), tunnel, new AbortController().signal));
  client.push(request({ case: "data", value: Buffer.from("GET /") }));
  client.push(request({ case: "close", value: { reason: "" } }));
  incoming.push(fromRunner({ case: "data", value: Buffer.from("200 OK") }));
  incoming.push(fromRunner({ case: "close", value: { reason: "task closed" } }));
  assert.deepEqual(await relayed, ["data:200 OK", "close"]);
  await drained;
  assert.deepEqual(sent, ["data:GET /", "close"]);
});

test("the relay drops the runner's side when the client goes away, and fails on a second open", async () => {
  const gone = fakeTunnel();
  const abort = new AbortController();
  const client = new AsyncQueue<ForwardPortRequest>();
  const relayed = collect(relayForward(client[Symbol.asyncIterator](), gone.tunnel, abort.signal));
  client.push(request({ case: "data", value: Buffer.from("x") }));
  await new Promise((resolve) => setTimeout(resolve, 10));
  abort.abort();
  await assert.rejects(relayed, (e: unknown) => e instanceof ConnectError && e.code === Code.Canceled);
  await gone.drained;
  assert.ok(!gone.sent.includes("close"), "an aborted forward sends no orderly close");

  const twice = fakeTunnel();
  const again = new AsyncQueue<ForwardPortRequest>();
  const failed = collect(relayForward(again[Symbol.asyncIterator](), twice.tunnel, new AbortController().signal));
  again.push(request({ case: "open", value: { taskId: "1", port: 1 } }));
  await assert.rejects(failed, (e: unknown) => e instanceof ConnectError && e.code === Code.InvalidArgument);
  await twice.drained;
});

test("the relay fails UNAVAILABLE when the runner's stream ends without a close", async () => {
  const { tunnel, incoming, drained } = fakeTunnel();
  const client = new AsyncQueue<ForwardPortRequest>();
  const relayed = collect(relayForward(client[Symbol.asyncIterator](), tunnel, new AbortController().signal));
  incoming.end();
  await assert.rejects(relayed, (e: unknown) => e instanceof ConnectError && e.code === Code.Unavailable);
  await drained;
});

test("the runner dials only a running task's own address: loopback for a command task, the container's for a VPS", async () => {
  const vps = new VpsHandle({ id: "c1" } as Docker.Container, 2222, () => {});
  const held = new Map<string, { status: "running" | "completed"; handle?: unknown }>([
    ["1", { status: "running", handle: { ref: "pid" } }],
    ["2", { status: "running", handle: vps }],
    ["3", { status: "completed", handle: { ref: "pid" } }],
  ]);
  const deps = {
    held: (id: string) => held.get(id) as never,
    containerAddress: async (ref: string) => (ref === "c1" ? "10.9.0.2" : undefined),
  };
  assert.deepEqual(await forwardTarget("1", 8080, deps), { host: "127.0.0.1", port: 8080 });
  assert.deepEqual(await forwardTarget("2", 8080, deps), { host: "10.9.0.2", port: 8080 });
  assert.match(String(await forwardTarget("3", 8080, deps)), /not running on this runner/);
  assert.match(String(await forwardTarget("4", 8080, deps)), /not running on this runner/);
  assert.match(String(await forwardTarget("1", 0, deps)), /not a TCP port/);
  assert.match(String(await forwardTarget("1", 70000, deps)), /not a TCP port/);
});
