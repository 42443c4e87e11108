/**
 * Error details through the real service stack: over Connect's in-memory
 * transport (the router's own encoding of details), and over a real HTTP/2
 * port with @grpc/grpc-js, where the details must arrive in the standard
 * `grpc-status-details-bin` trailer as a google.rpc.Status.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { fromBinary, type DescMessage, type MessageInitShape, type MessageShape } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { pino } from "pino";
import { Role } from "../../gen/hakuriver/v1/auth_pb.js";
import { TaskStatus } from "../../gen/hakuriver/v1/types_pb.js";
import type { ControlRequestSchema } from "../../gen/hakuriver/v1/runner_pb.js";
import {
  BadRequestSchema,
  ErrorInfoSchema,
  PreconditionFailureSchema,
  ResourceInfoSchema,
  RetryInfoSchema,
} from "../../gen/google/rpc/error_details_pb.js";
import { StatusSchema, type Status } from "../../gen/google/rpc/status_pb.js";
import { startHost, type HostHandle } from "../../src/host/host-app.js";
import { AsyncQueue } from "../../src/shared/async-queue.js";
import { inMemoryHost, type InMemoryHost } from "../helpers/in-memory-host.js";
import { failure } from "../helpers/call-failure.js";

const REPO = join(import.meta.dirname, "..", "..", "..");

let host: InMemoryHost;
let gpuRunner: { stop(): void };

/**
 * A runner with two GPUs on the real control stream (ScriptedRunner's hello
 * has none). It starts what it is sent and confirms kills at once.
 */
function startGpuRunner(name: string): { stop(): void } {
  const outbox = new AsyncQueue<MessageInitShape<typeof ControlRequestSchema>>();
  const abort = new AbortController();
  outbox.push({ message: { case: "hello", value: { name, version: "test", resources: { cores: 8, memoryBytes: 8n * 1024n ** 3n, gpus: [{ index: 0 }, { index: 1 }] } } } });
  const beat = setInterval(() => outbox.push({ message: { case: "heartbeat", value: { usage: { cpuPercent: 1 } } } }), 50);
  void (async () => {
    try {
      for await (const command of host.runnerClient.control(outbox, { signal: abort.signal })) {
        const { message } = command;
        if (message.case === "runTask") outbox.push({ message: { case: "taskEvent", value: { taskId: message.value.spec?.taskId ?? "", status: TaskStatus.RUNNING } } });
        if (message.case === "killTask") outbox.push({ message: { case: "taskEvent", value: { taskId: message.value.taskId, status: TaskStatus.KILLED } } });
      }
    } catch {
      // ended by the test
    } finally {
      clearInterval(beat);
    }
  })();
  return { stop: () => (clearInterval(beat), abort.abort()) };
}


function reasonOf(error: ConnectError): string | undefined {
  const infos = error.findDetails(ErrorInfoSchema);
  assert.ok(infos.length <= 1, "at most one ErrorInfo");
  if (infos[0]) assert.equal(infos[0].domain, "hakuriver.dev");
  return infos[0]?.reason;
}

async function waitForNode(name: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if ((await host.client.listNodes({})).nodes.some((n) => n.name === name)) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  assert.fail(`node ${name} never joined`);
}

before(async () => {
  host = await inMemoryHost();
  gpuRunner = startGpuRunner("gpu-node");
  await waitForNode("gpu-node");
});

after(async () => {
  gpuRunner.stop();
  await host.close();
});

test("a bad memory size is INVALID_ARGUMENT with reason INVALID_MEMORY_SIZE and a BadRequest for field memory", async () => {
  const error = await failure(host.client.submitTask({ command: "true", memory: "lots" }));
  assert.equal(error.code, Code.InvalidArgument);
  assert.match(error.rawMessage, /invalid memory size "lots"/, "the message is the one people saw before");
  assert.equal(reasonOf(error), "INVALID_MEMORY_SIZE");
  const violations = error.findDetails(BadRequestSchema).flatMap((b) => b.fieldViolations);
  assert.deepEqual(violations.map((v) => v.field), ["memory"]);
  assert.match(violations[0]!.description, /512M, 4G, 1\.5G or 256Mi/);
});

test("a missing task is NOT_FOUND with a ResourceInfo naming it", async () => {
  const error = await failure(host.client.getTask({ taskId: "987654321" }));
  assert.equal(error.code, Code.NotFound);
  assert.equal(error.rawMessage, "task 987654321 not found");
  assert.equal(reasonOf(error), "TASK_NOT_FOUND");
  const [resource] = error.findDetails(ResourceInfoSchema);
  assert.deepEqual([resource?.resourceType, resource?.resourceName], ["hakuriver.v1.Task", "987654321"]);
  const malformed = await failure(host.client.killTask({ taskId: "abc" }));
  assert.equal(malformed.code, Code.InvalidArgument);
  assert.equal(reasonOf(malformed), "INVALID_TASK_ID");
  assert.deepEqual(malformed.findDetails(BadRequestSchema)[0]?.fieldViolations.map((v) => v.field), ["task_id"]);
});

test("killing a finished task is FAILED_PRECONDITION with a PreconditionFailure carrying its status; pausing a pending one too", async () => {
  // The first task takes all 8 cores, so the second waits; kill ends it (killed is final).
  const { tasks } = await host.client.submitTask({ command: "sleep", args: ["9"], cores: 8, targets: ["gpu-node::0"] });
  const holder = tasks[0]!.taskId;
  const { tasks: [pending] } = await host.client.submitTask({ command: "true", cores: 8, targets: ["gpu-node"] });
  assert.equal(pending!.status, TaskStatus.PENDING, "it waits behind the first task");
  const paused = await failure(host.client.pauseTask({ taskId: pending!.taskId }));
  assert.equal(paused.code, Code.FailedPrecondition);
  assert.equal(reasonOf(paused), "TASK_NOT_RUNNING");
  assert.equal(paused.findDetails(ErrorInfoSchema)[0]?.metadata.status, "pending");

  assert.equal((await host.client.killTask({ taskId: pending!.taskId })).task?.status, TaskStatus.KILLED);
  const again = await failure(host.client.killTask({ taskId: pending!.taskId }));
  assert.equal(again.code, Code.FailedPrecondition);
  assert.equal(again.rawMessage, `task ${pending!.taskId} is already killed; nothing to kill`);
  assert.equal(reasonOf(again), "TASK_ALREADY_FINISHED");
  const [failed] = again.findDetails(PreconditionFailureSchema);
  assert.deepEqual(failed?.violations.map((v) => [v.type, v.subject]), [["TASK_STATUS", `task/${pending!.taskId}`]]);
  assert.match(failed!.violations[0]!.description, /the task is killed/);
  assert.equal((await host.client.killTask({ taskId: holder })).task?.status, TaskStatus.KILLED);
});

test("placement refusals name the node, the missing GPU, and the task holding a GPU", async () => {
  const unknown = await failure(host.client.submitTask({ command: "true", targets: ["nowhere"] }));
  assert.equal(unknown.code, Code.NotFound);
  assert.equal(reasonOf(unknown), "NODE_NOT_FOUND");
  assert.deepEqual(unknown.findDetails(ResourceInfoSchema).map((r) => [r.resourceType, r.resourceName]), [["hakuriver.v1.Node", "nowhere"]]);

  const noGpu = await failure(host.client.submitTask({ command: "true", targets: ["gpu-node::7"] }));
  assert.equal(noGpu.code, Code.InvalidArgument);
  assert.equal(reasonOf(noGpu), "NO_SUCH_GPU");
  assert.deepEqual(noGpu.findDetails(BadRequestSchema)[0]?.fieldViolations.map((v) => [v.field, v.description]), [["targets", "node gpu-node has GPUs: 0,1"]]);

  const { tasks } = await host.client.submitTask({ command: "sleep", args: ["9"], cores: 1, targets: ["gpu-node::1"] });
  const holder = tasks[0]!;
  assert.equal(holder.status, TaskStatus.ASSIGNING, "the first task holds GPU 1");
  const busy = await failure(host.client.submitTask({ command: "true", cores: 1, targets: ["gpu-node::1"], noQueue: true }));
  assert.equal(busy.code, Code.ResourceExhausted);
  assert.equal(reasonOf(busy), "GPU_IN_USE");
  assert.equal(busy.findDetails(ErrorInfoSchema)[0]?.metadata.held_by, holder.taskId);
  const [resource] = busy.findDetails(ResourceInfoSchema);
  assert.deepEqual([resource?.resourceType, resource?.resourceName], ["hakuriver.v1.Task", holder.taskId]);
  assert.equal((await host.client.killTask({ taskId: holder.taskId })).task?.status, TaskStatus.KILLED);

  await host.client.drainNode({ node: "gpu-node" });
  try {
    const drained = await failure(host.client.submitTask({ command: "true", targets: ["gpu-node"] }));
    assert.equal(drained.code, Code.FailedPrecondition);
    assert.equal(reasonOf(drained), "NODE_DRAINED");
    assert.deepEqual(drained.findDetails(PreconditionFailureSchema)[0]?.violations.map((v) => [v.type, v.subject]), [["NODE_STATUS", "node/gpu-node"]]);
  } finally {
    await host.client.undrainNode({ node: "gpu-node" });
  }
});

test("a role below the RPC's is PERMISSION_DENIED with reason ROLE_REQUIRED and the required role", async () => {
  const viewer = (await host.client.addUser({ name: "vic", role: Role.VIEWER })).token;
  const error = await failure(host.clientWithToken(viewer).submitTask({ command: "true" }));
  assert.equal(error.code, Code.PermissionDenied);
  assert.equal(reasonOf(error), "ROLE_REQUIRED");
  const metadata = error.findDetails(ErrorInfoSchema)[0]?.metadata;
  assert.deepEqual([metadata?.required_role, metadata?.role, metadata?.method], ["user", "viewer", "SubmitTask"]);
  const none = await failure(host.clientWithToken("").listNodes({}));
  assert.equal(none.code, Code.Unauthenticated);
  assert.equal(reasonOf(none), "CREDENTIAL_MISSING");
});

// ── Over a real HTTP/2 port, with the canonical Node gRPC client ──

interface GrpcError extends Error {
  code: number;
  details: string;
  metadata: grpc.Metadata;
}

let network: { handle: HostHandle; dir: string; adminToken: string; client: grpc.Client & Record<string, (...args: unknown[]) => unknown> } | undefined;

async function networkHost(): Promise<NonNullable<typeof network>> {
  if (network) return network;
  const dir = mkdtempSync(join(tmpdir(), "hakuriver-details-"));
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
  const definition = protoLoader.loadSync(join(REPO, "proto", "hakuriver", "v1", "client.proto"), { includeDirs: [join(REPO, "proto")], keepCase: true, longs: String, enums: String, defaults: true, oneofs: true });
  const loaded = grpc.loadPackageDefinition(definition) as unknown as { hakuriver: { v1: { ClientService: grpc.ServiceClientConstructor } } };
  const client = new loaded.hakuriver.v1.ClientService(`127.0.0.1:${handle.port}`, grpc.credentials.createInsecure()) as unknown as NonNullable<typeof network>["client"];
  network = { handle, dir, adminToken: readFileSync(join(dir, "admin.token"), "utf8").trim(), client };
  return network;
}

after(async () => {
  if (!network) return;
  network.client.close();
  await network.handle.close();
  rmSync(network.dir, { recursive: true, force: true });
});

/** Calls a unary RPC with grpc-js and returns the error it fails with. */
function grpcFailure(method: string, request: object, token: string | undefined): Promise<GrpcError> {
  const { client } = network!;
  const metadata = new grpc.Metadata();
  if (token !== undefined) metadata.set("authorization", `Bearer ${token}`);
  return new Promise((resolve, reject) => {
    client[method]!(request, metadata, { deadline: Date.now() + 10_000 }, (error: GrpcError | null) => (error ? resolve(error) : reject(new Error(`${method} succeeded`))));
  });
}

/** The google.rpc.Status in the error's `grpc-status-details-bin` trailer. */
function statusOf(error: GrpcError): Status {
  const [raw, ...more] = error.metadata.get("grpc-status-details-bin");
  assert.equal(more.length, 0, "one status trailer");
  assert.ok(Buffer.isBuffer(raw), "the trailer is binary");
  return fromBinary(StatusSchema, raw);
}

function unpack<Desc extends DescMessage>(status: Status, desc: Desc): MessageShape<Desc> {
  const any = status.details.find((d) => d.typeUrl === `type.googleapis.com/${desc.typeName}`);
  assert.ok(any, `a ${desc.typeName} detail among ${status.details.map((d) => d.typeUrl).join(", ")}`);
  return fromBinary(desc, any.value);
}

test("over real gRPC, the grpc-status-details-bin trailer decodes as a google.rpc.Status with standard Any type URLs", async () => {
  const { adminToken } = await networkHost();
  const error = await grpcFailure("SubmitTask", { command: "true", memory: "12 parsecs" }, adminToken);
  assert.equal(error.code, grpc.status.INVALID_ARGUMENT);
  const status = statusOf(error);
  assert.equal(status.code, grpc.status.INVALID_ARGUMENT);
  // The Host spec-encodes grpc-message (src/host/http/grpc-message.ts), so grpc-js reads the text as sent.
  assert.equal(status.message, error.details, "the Status repeats the grpc-message");
  assert.match(status.message, /invalid memory size "12 parsecs"/);
  assert.deepEqual(status.details.map((d) => d.typeUrl), ["type.googleapis.com/google.rpc.ErrorInfo", "type.googleapis.com/google.rpc.BadRequest"]);
  const info = unpack(status, ErrorInfoSchema);
  assert.deepEqual([info.reason, info.domain], ["INVALID_MEMORY_SIZE", "hakuriver.dev"]);
  assert.deepEqual(unpack(status, BadRequestSchema).fieldViolations.map((v) => [v.field, v.reason]), [["memory", "INVALID_MEMORY_SIZE"]]);

  const missing = await grpcFailure("GetTask", { task_id: "424242" }, adminToken);
  assert.equal(missing.code, grpc.status.NOT_FOUND);
  const resource = unpack(statusOf(missing), ResourceInfoSchema);
  assert.deepEqual([resource.resourceType, resource.resourceName], ["hakuriver.v1.Task", "424242"]);
});

test("over real gRPC, a locked-out address gets RESOURCE_EXHAUSTED with LOGIN_THROTTLED and a RetryInfo delay", async () => {
  const { adminToken } = await networkHost();
  const bad = `hkr_${"0".repeat(12)}_${"A".repeat(43)}`;
  const first = await grpcFailure("ListNodes", {}, bad);
  assert.equal(first.code, grpc.status.UNAUTHENTICATED);
  assert.equal(unpack(statusOf(first), ErrorInfoSchema).reason, "CREDENTIAL_REJECTED");
  for (let i = 1; i < 10; i++) await grpcFailure("ListNodes", {}, bad);
  const locked = await grpcFailure("ListNodes", {}, adminToken);
  assert.equal(locked.code, grpc.status.RESOURCE_EXHAUSTED);
  const status = statusOf(locked);
  assert.equal(unpack(status, ErrorInfoSchema).reason, "LOGIN_THROTTLED");
  const retry = unpack(status, RetryInfoSchema);
  const delayMs = Number(retry.retryDelay?.seconds ?? 0n) * 1000 + (retry.retryDelay?.nanos ?? 0) / 1e6;
  assert.ok(delayMs > 50_000 && delayMs <= 60_000, `the lockout left (about a minute), got ${delayMs} ms`);
});
