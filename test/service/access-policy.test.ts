/**
 * The access policy, table-driven: every RPC of every served service (ours,
 * grpc.health.v1 and both grpc.reflection versions) is called as
 * anonymous, a runner (join token), viewer, user (on their own task and on
 * another's), operator and admin, and the answer is checked against the
 * table below. "allow" means the call passed authentication and
 * authorisation (it may still fail for its own reasons: NOT_FOUND, ...).
 * The table is the policy's documentation: an RPC without a row fails.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import type { DescService } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient, createRouterTransport, type Client } from "@connectrpc/connect";
import { ClientService } from "../../gen/hakuriver/v1/client_pb.js";
import { RunnerService } from "../../gen/hakuriver/v1/runner_pb.js";
import { Role, TokenKind } from "../../gen/hakuriver/v1/auth_pb.js";
import { Health } from "../../gen/grpc/health/v1/health_pb.js";
import { ServerReflection as ServerReflectionV1 } from "../../gen/grpc/reflection/v1/reflection_pb.js";
import { ServerReflection as ServerReflectionV1alpha } from "../../gen/grpc/reflection/v1alpha/reflection_pb.js";
import { POLICIES } from "../../src/host/auth/policy.js";
import { SERVED_SERVICES } from "../../src/host/host-app.js";
import { bearerToken } from "../../src/shared/transport.js";
import { inMemoryHost, type InMemoryHost } from "../helpers/in-memory-host.js";

type Caller = "anonymous" | "runner" | "viewer" | "userOwn" | "userOther" | "operator" | "admin";
type Outcome = "allow" | "unauthenticated" | "denied";
const CALLERS: readonly Caller[] = ["anonymous", "runner", "viewer", "userOwn", "userOther", "operator", "admin"];

/** Shorthands: who may call, lowest role first. */
const open = row("allow", "denied", "allow", "allow", "allow", "allow", "allow");
const viewer = row("unauthenticated", "denied", "allow", "allow", "allow", "allow", "allow");
const user = row("unauthenticated", "denied", "denied", "allow", "allow", "allow", "allow");
const ownWork = row("unauthenticated", "denied", "denied", "allow", "denied", "allow", "allow");
const operator = row("unauthenticated", "denied", "denied", "denied", "denied", "allow", "allow");
const admin = row("unauthenticated", "denied", "denied", "denied", "denied", "denied", "allow");
const runnerOnly = row("unauthenticated", "allow", "denied", "denied", "denied", "denied", "denied");

function row(...outcomes: Outcome[]): Record<Caller, Outcome> {
  return Object.fromEntries(CALLERS.map((caller, i) => [caller, outcomes[i]!])) as Record<Caller, Outcome>;
}

/** Anyone at all, a runner's join token included: the health service, for probes and load balancers. */
const anyone = row("allow", "allow", "allow", "allow", "allow", "allow", "allow");

/** The policy: one row per RPC (by local name) of ClientService and RunnerService. */
const EXPECTED: Record<string, Record<Caller, Outcome>> = {
  describeCluster: { ...open, runner: "allow" },
  whoAmI: viewer,
  getTask: viewer,
  listTasks: viewer,
  followLogs: viewer,
  listNodes: viewer,
  watch: viewer,
  health: viewer,
  listContainers: viewer,
  listTarballs: viewer,
  submitTask: user,
  resubmitTask: ownWork,
  killTask: ownWork,
  pauseTask: ownWork,
  resumeTask: ownWork,
  forwardPort: ownWork,
  execTask: ownWork,
  drainNode: operator,
  undrainNode: operator,
  createContainer: operator,
  startContainer: operator,
  stopContainer: operator,
  deleteContainer: operator,
  shell: operator,
  createTarball: operator,
  deleteTarball: operator,
  listAudit: operator,
  createToken: viewer,
  listTokens: viewer,
  revokeToken: viewer,
  addUser: admin,
  listUsers: admin,
  removeUser: admin,
  setUserRole: admin,
  // The tasks are command tasks: allowed callers get FAILED_PRECONDITION (not a VPS), after the owner check.
  stopVps: ownWork,
  startVps: ownWork,
  restartVps: ownWork,
  snapshotVps: ownWork,
  listSnapshots: viewer,
  // An unknown snapshot is NOT_FOUND for any user (there is no owner to check).
  deleteSnapshot: user,
  addSshKey: user,
  listSshKeys: user,
  removeSshKey: user,
  control: runnerOnly,
  tunnel: runnerOnly,
  exec: runnerOnly,
};

/** The standard services' rows, by service type name and then local name. */
const EXPECTED_STANDARD: Record<string, Record<string, Record<Caller, Outcome>>> = {
  [Health.typeName]: { check: anyone, list: anyone, watch: anyone },
  [ServerReflectionV1.typeName]: { serverReflectionInfo: viewer },
  [ServerReflectionV1alpha.typeName]: { serverReflectionInfo: viewer },
};

/** The expected row of `service`'s method `localName`, if the test has one. */
function expectedRow(service: DescService, localName: string): Record<Caller, Outcome> | undefined {
  return service === ClientService || service === RunnerService ? EXPECTED[localName] : EXPECTED_STANDARD[service.typeName]?.[localName];
}

let host: InMemoryHost;
const tokens: Partial<Record<Caller, string>> = {};
let aliceTask = "";
let bobTask = "";
let counter = 0;

before(async () => {
  host = await inMemoryHost();
  const store = host.core.authStore;
  tokens.anonymous = "";
  tokens.runner = host.joinToken;
  tokens.admin = host.adminToken;
  tokens.viewer = (await store.addUser("vera", "viewer", "", 0)).issued.text;
  tokens.userOwn = tokens.userOther = (await store.addUser("alice", "user", "", 0)).issued.text;
  const bob = (await store.addUser("bob", "user", "", 0)).issued.text;
  tokens.operator = (await store.addUser("olga", "operator", "", 0)).issued.text;
  // No runner is connected: both tasks wait in the queue.
  aliceTask = (await host.clientWithToken(tokens.userOwn).submitTask({ command: "sleep", args: ["60"], cores: 0 })).tasks[0]!.taskId;
  bobTask = (await host.clientWithToken(bob).submitTask({ command: "sleep", args: ["60"], cores: 0 })).tasks[0]!.taskId;
});

after(async () => {
  await host.close();
});

async function* once<T>(message: T): AsyncIterable<T> {
  yield message;
}

/** A client of a standard service on the in-memory Host, calling with `token` ("" sends none). */
function standardClient<S extends DescService>(service: S, token: string): Client<S> {
  const transport = createRouterTransport(host.core.routes, { router: { interceptors: host.core.interceptors }, transport: { interceptors: token ? [bearerToken(token)] : [] } });
  return createClient(service, transport);
}

/** Calls one RPC of a standard service as `caller`; resolves with the error code, or undefined on success. */
async function callStandard(caller: Caller, service: DescService, method: string): Promise<Code | undefined> {
  const token = tokens[caller]!;
  const health = standardClient(Health, token);
  const requests: Record<string, () => Promise<unknown>> = {
    [`${Health.typeName}/check`]: () => health.check({ service: "" }),
    [`${Health.typeName}/list`]: () => health.list({}),
    [`${Health.typeName}/watch`]: async () => {
      for await (const _ of health.watch({ service: "" })) break;
    },
    [`${ServerReflectionV1.typeName}/serverReflectionInfo`]: async () => {
      for await (const _ of standardClient(ServerReflectionV1, token).serverReflectionInfo(once({ messageRequest: { case: "listServices" as const, value: "" } }))) break;
    },
    [`${ServerReflectionV1alpha.typeName}/serverReflectionInfo`]: async () => {
      for await (const _ of standardClient(ServerReflectionV1alpha, token).serverReflectionInfo(once({ messageRequest: { case: "listServices" as const, value: "" } }))) break;
    },
  };
  const request = requests[`${service.typeName}/${method}`];
  assert.ok(request, `the test has no request for ${service.typeName}/${method}`);
  try {
    await request();
    return undefined;
  } catch (error) {
    return ConnectError.from(error).code;
  }
}

/** Calls one RPC as `caller` with a harmless request; resolves with the error code, or undefined on success. */
async function call(caller: Caller, method: string): Promise<Code | undefined> {
  const client: Client<typeof ClientService> = host.clientWithToken(tokens[caller]!);
  const runner: Client<typeof RunnerService> = host.runnerClientWithToken(tokens[caller]!);
  const task = caller === "userOwn" ? aliceTask : bobTask;
  const unique = `p${counter++}`;
  const requests: Record<string, () => Promise<unknown>> = {
    describeCluster: () => client.describeCluster({}),
    whoAmI: () => client.whoAmI({}),
    getTask: () => client.getTask({ taskId: task }),
    listTasks: () => client.listTasks({}),
    followLogs: async () => {
      for await (const _ of client.followLogs({ taskId: task, follow: false })) break;
    },
    listNodes: () => client.listNodes({}),
    health: () => client.health({}),
    watch: async () => {
      for await (const _ of client.watch({})) break;
    },
    listContainers: () => client.listContainers({}),
    listTarballs: () => client.listTarballs({ name: "no-such-env" }),
    submitTask: () => client.submitTask({ command: "true", cores: 0 }),
    resubmitTask: () => client.resubmitTask({ taskId: task }),
    // Pause and resume a queued task: allowed callers get FAILED_PRECONDITION (it is not running); kill runs last in its row.
    killTask: () => client.killTask({ taskId: task }),
    pauseTask: () => client.pauseTask({ taskId: task }),
    resumeTask: () => client.resumeTask({ taskId: task }),
    // A queued task: allowed callers get FAILED_PRECONDITION (it is not running).
    forwardPort: async () => {
      for await (const _ of client.forwardPort(once({ message: { case: "open" as const, value: { taskId: task, port: 80 } } }))) break;
    },
    execTask: async () => {
      for await (const _ of client.execTask(once({ message: { case: "start" as const, value: { taskId: task, command: ["true"] } } }))) break;
    },
    drainNode: () => client.drainNode({ node: "no-such-node" }),
    undrainNode: () => client.undrainNode({ node: "no-such-node" }),
    createContainer: () => client.createContainer({ name: "Not A Valid Name!", image: "busybox" }),
    startContainer: () => client.startContainer({ name: "no-such-env" }),
    stopContainer: () => client.stopContainer({ name: "no-such-env" }),
    deleteContainer: () => client.deleteContainer({ name: "no-such-env" }),
    shell: async () => {
      for await (const _ of client.shell(once({ message: { case: "start" as const, value: { name: "no-such-env", tty: false } } }))) break;
    },
    createTarball: async () => {
      for await (const _ of client.createTarball({ name: "no-such-env" })) break;
    },
    deleteTarball: () => client.deleteTarball({ name: "no-such-env", timestamp: 1n }),
    listAudit: () => client.listAudit({}),
    createToken: () => client.createToken({ kind: TokenKind.USER, label: unique }),
    listTokens: () => client.listTokens({}),
    revokeToken: () => client.revokeToken({ tokenId: "000000000000" }),
    addUser: () => client.addUser({ name: unique, role: Role.VIEWER }),
    listUsers: () => client.listUsers({}),
    removeUser: () => client.removeUser({ name: "no-such-user" }),
    setUserRole: () => client.setUserRole({ name: "no-such-user", role: Role.VIEWER }),
    stopVps: () => client.stopVps({ taskId: task }),
    startVps: () => client.startVps({ taskId: task }),
    restartVps: () => client.restartVps({ taskId: task }),
    snapshotVps: () => client.snapshotVps({ taskId: task }),
    listSnapshots: () => client.listSnapshots({}),
    deleteSnapshot: () => client.deleteSnapshot({ name: "no-such-snapshot" }),
    // Allowed callers get INVALID_ARGUMENT (no key) and NOT_FOUND (no such key id).
    addSshKey: () => client.addSshKey({ publicKey: "not a key" }),
    listSshKeys: () => client.listSshKeys({}),
    removeSshKey: () => client.removeSshKey({ keyId: "key_00000000" }),
    control: async () => {
      const hello = { message: { case: "hello" as const, value: { name: `policy-${unique}`, resources: { cores: 1, memoryBytes: 1n << 30n }, version: "test" } } };
      for await (const _ of runner.control(once(hello))) break;
    },
    tunnel: async () => {
      for await (const _ of runner.tunnel(once({ message: { case: "open" as const, value: { tunnelId: "no-such-tunnel", error: "" } } }))) break;
    },
    exec: async () => {
      for await (const _ of runner.exec(once({ message: { case: "open" as const, value: { execId: "no-such-exec", error: "" } } }))) break;
    },
  };
  const request = requests[method];
  assert.ok(request, `the test has no request for ${method}`);
  try {
    await request();
    return undefined;
  } catch (error) {
    return ConnectError.from(error).code;
  }
}

function outcomeOf(code: Code | undefined): Outcome {
  if (code === Code.Unauthenticated) return "unauthenticated";
  if (code === Code.PermissionDenied) return "denied";
  return "allow";
}

test("every RPC of every served service has a row in the policy and in this table", () => {
  assert.deepEqual(
    SERVED_SERVICES.map((service) => service.typeName),
    [ClientService, RunnerService, Health, ServerReflectionV1, ServerReflectionV1alpha].map((service) => service.typeName),
  );
  assert.deepEqual(Object.keys(POLICIES).sort(), SERVED_SERVICES.map((service) => service.typeName).sort(), "a policy for each served service, none for others");
  for (const service of SERVED_SERVICES) {
    const policy = POLICIES[service.typeName] ?? {};
    for (const method of service.methods) {
      assert.ok(policy[method.localName], `${service.typeName}/${method.name} has no row in src/host/auth/policy.ts`);
      assert.ok(expectedRow(service, method.localName), `${service.typeName}/${method.name} has no row in this test's table`);
    }
  }
});

test("every caller gets what the table says from every RPC of the standard services", async () => {
  const wrong: string[] = [];
  for (const service of [Health, ServerReflectionV1, ServerReflectionV1alpha]) {
    for (const method of service.methods) {
      for (const caller of CALLERS) {
        const code = await callStandard(caller, service, method.localName);
        const got = outcomeOf(code);
        const want = expectedRow(service, method.localName)![caller];
        if (got !== want) wrong.push(`${service.typeName}/${method.localName} as ${caller}: want ${want}, got ${got} (${code === undefined ? "OK" : Code[code]})`);
        if (got === "allow" && code !== undefined) wrong.push(`${service.typeName}/${method.localName} as ${caller}: allowed but failed with ${Code[code]}`);
      }
    }
  }
  assert.deepEqual(wrong, []);
});

test("every caller gets what the table says from every RPC", async () => {
  const wrong: string[] = [];
  // Kill last: it ends the tasks the other rows act on.
  const methods = [...ClientService.methods, ...RunnerService.methods].map((m) => m.localName).sort((a, b) => Number(a === "killTask") - Number(b === "killTask"));
  for (const method of methods) {
    for (const caller of CALLERS) {
      const code = await call(caller, method);
      const got = outcomeOf(code);
      const want = EXPECTED[method]![caller];
      if (got !== want) wrong.push(`${method} as ${caller}: want ${want}, got ${got} (${code === undefined ? "OK" : Code[code]})`);
    }
  }
  assert.deepEqual(wrong, []);
});

test("a user on someone else's task is told whose it is and which role could do it", async () => {
  const error = await host.clientWithToken(tokens.userOther!).pauseTask({ taskId: bobTask }).catch((e: unknown) => ConnectError.from(e));
  assert.ok(error instanceof ConnectError);
  assert.equal(error.code, Code.PermissionDenied);
  assert.match(error.rawMessage, new RegExp(`task ${bobTask} belongs to bob: a user may pause only their own work; an operator or admin may pause anyone's`));
});
