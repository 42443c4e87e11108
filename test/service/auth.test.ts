/**
 * Auth behaviours through the real service stack in memory: what a user
 * may ask for, revocation of open streams, the login throttle, runners'
 * join tokens and node names, and the audit trail.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { Code } from "@connectrpc/connect";
import { Role, TokenKind } from "../../gen/hakuriver/v1/auth_pb.js";
import { LogStream, NodeStatus, TaskStatus } from "../../gen/hakuriver/v1/types_pb.js";
import { inMemoryHost, ScriptedRunner, type InMemoryHost } from "../helpers/in-memory-host.js";
import { failure } from "../helpers/call-failure.js";

let host: InMemoryHost;
let runner: ScriptedRunner;
let alice = "";

before(async () => {
  host = await inMemoryHost({ mountAllowList: ["/srv/data"] });
  runner = new ScriptedRunner(host.runnerClient, "node-a");
  assert.equal((await runner.next()).message.case, "welcome");
  alice = (await host.client.addUser({ name: "alice", role: Role.USER })).token;
});

after(async () => {
  await runner.disconnect();
  await host.close();
});


test("a user's privileged submit and mounts outside the allow-list are refused; an admin's are not", async () => {
  const asAlice = host.clientWithToken(alice);
  const privileged = await failure(asAlice.submitTask({ command: "true", container: "env", privileged: true }));
  assert.equal(privileged.code, Code.PermissionDenied);
  assert.match(privileged.rawMessage, /only an admin may ask for a privileged container; alice is user/);
  const mount = await failure(asAlice.submitTask({ command: "true", container: "env", mounts: ["/etc:/host-etc"] }));
  assert.equal(mount.code, Code.PermissionDenied);
  assert.match(mount.rawMessage, /mount "\/etc:\/host-etc" needs an admin: non-admins may mount only under \/srv\/data/);
  const tricky = await failure(asAlice.submitTask({ command: "true", container: "env", mounts: ["/srv/data/../../etc:/x"] }));
  assert.equal(tricky.code, Code.PermissionDenied, "a path that climbs out of the allowed directory is refused");
  const allowed = await asAlice.submitTask({ command: "true", container: "env", mounts: ["/srv/data/set1:/data:ro"], cores: 0 });
  assert.equal(allowed.tasks[0]?.owner, "alice");
  const byAdmin = await host.client.submitTask({ command: "true", container: "env", privileged: true, mounts: ["/etc:/host-etc"], cores: 0 });
  assert.equal(byAdmin.tasks[0]?.privileged, true);
  assert.equal(byAdmin.tasks[0]?.owner, "admin");
});

test("tasks record their owner; --mine and --user filter by it", async () => {
  const asAlice = host.clientWithToken(alice);
  const mine = await asAlice.submitTask({ command: "echo", args: ["mine"], cores: 0 });
  const own = (await asAlice.listTasks({ mine: true })).tasks;
  assert.ok(own.length > 0 && own.every((t) => t.owner === "alice"));
  assert.ok(own.some((t) => t.taskId === mine.tasks[0]!.taskId));
  const admins = (await asAlice.listTasks({ owner: "admin" })).tasks;
  assert.ok(admins.length > 0 && admins.every((t) => t.owner === "admin"));
});

test("revoking a token ends a follow opened with it, with UNAUTHENTICATED, and refuses the next call", async () => {
  const { token, tokenInfo } = await host.clientWithToken(alice).createToken({ kind: TokenKind.USER, label: "follow" });
  const asFollower = host.clientWithToken(token);
  const { tasks } = await asFollower.submitTask({ command: "sleep", args: ["100"], cores: 1, targets: ["node-a"] });
  const taskId = tasks[0]!.taskId;
  for (;;) {
    const command = await runner.next();
    if (command.message.case === "runTask") break;
  }
  runner.send({ message: { case: "taskEvent", value: { taskId, status: TaskStatus.RUNNING } } });
  runner.send({ message: { case: "logChunk", value: { taskId, stream: LogStream.STDOUT, offset: 0n, data: Buffer.from("first\n") } } });
  const received: string[] = [];
  const following = (async () => {
    for await (const response of asFollower.followLogs({ taskId, follow: true })) {
      if (response.event.case === "data") received.push(Buffer.from(response.event.value.data).toString());
    }
  })();
  for (let i = 0; received.length === 0; i++) {
    assert.ok(i < 200, "the follow received the first chunk");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  await host.clientWithToken(alice).revokeToken({ tokenId: tokenInfo!.tokenId });
  const ended = await failure(following);
  assert.equal(ended.code, Code.Unauthenticated);
  assert.match(ended.rawMessage, new RegExp(`token ${tokenInfo!.tokenId} was revoked: this stream has ended`));
  const next = await failure(asFollower.listNodes({}));
  assert.equal(next.code, Code.Unauthenticated);
  assert.match(next.rawMessage, /was revoked/);
  await host.client.killTask({ taskId });
});

test("a user may not make join tokens or act on another user's tokens; bad input gets clear codes", async () => {
  const asAlice = host.clientWithToken(alice);
  const join = await failure(asAlice.createToken({ kind: TokenKind.JOIN }));
  assert.equal(join.code, Code.PermissionDenied);
  const adminTokens = (await host.client.listTokens({ user: "admin" })).tokens;
  const revokeOther = await failure(asAlice.revokeToken({ tokenId: adminTokens[0]!.tokenId }));
  assert.equal(revokeOther.code, Code.PermissionDenied);
  assert.match(revokeOther.rawMessage, /belongs to admin: only an admin may revoke it/);
  assert.equal((await failure(host.client.addUser({ name: "alice", role: Role.USER }))).code, Code.AlreadyExists);
  const badRole = await failure(host.client.addUser({ name: "carol", role: 42 as Role }));
  assert.equal(badRole.code, Code.InvalidArgument);
  assert.match(badRole.rawMessage, /use one of viewer, user, operator, admin/);
  assert.equal((await failure(host.client.addUser({ name: "Bad Name", role: Role.USER }))).code, Code.InvalidArgument);
  assert.equal((await failure(host.client.removeUser({ name: "nobody" }))).code, Code.NotFound);
  const lastAdmin = await failure(host.client.setUserRole({ name: "admin", role: Role.VIEWER }));
  assert.equal(lastAdmin.code, Code.FailedPrecondition);
  const malformed = await failure(host.clientWithToken("not-a-token").listNodes({}));
  assert.equal(malformed.code, Code.Unauthenticated);
  assert.match(malformed.rawMessage, /malformed/);
  const expiring = await host.client.createToken({ kind: TokenKind.USER, ttlSeconds: 1n });
  await new Promise((resolve) => setTimeout(resolve, 1100));
  const expired = await failure(host.clientWithToken(expiring.token).listNodes({}));
  assert.equal(expired.code, Code.Unauthenticated);
  assert.match(expired.rawMessage, /expired at/);
});

test("a removed user's token stops working at once", async () => {
  const { token } = await host.client.addUser({ name: "dave", role: Role.OPERATOR });
  assert.equal((await host.clientWithToken(token).whoAmI({})).user, "dave");
  assert.equal((await host.client.removeUser({ name: "dave" })).revokedTokens, 1);
  assert.equal((await failure(host.clientWithToken(token).whoAmI({}))).code, Code.Unauthenticated);
});

test("a runner with a wrong or a user's token is refused; an online node's name cannot be taken over", async () => {
  const hello = (name: string) => ({ message: { case: "hello" as const, value: { name, resources: { cores: 1, memoryBytes: 1n << 30n }, version: "test" } } });
  async function* helloOnly(name: string) {
    yield hello(name);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  const drain = async (token: string, name: string) => {
    for await (const _ of host.runnerClientWithToken(token).control(helloOnly(name))) break;
  };
  const none = await failure(drain("", "intruder"));
  assert.equal(none.code, Code.Unauthenticated);
  assert.match(none.rawMessage, /runners need a join token/);
  const userToken = await failure(drain(alice, "intruder"));
  assert.equal(userToken.code, Code.PermissionDenied);
  const takeover = await failure(drain(host.joinToken, "node-a"));
  assert.equal(takeover.code, Code.FailedPrecondition);
  assert.match(takeover.rawMessage, /node node-a is online from another connection/);
  const { token: otherJoin } = await host.client.createToken({ kind: TokenKind.JOIN, label: "second" });
  const bound = await failure(drain(otherJoin, "node-a"));
  assert.equal(bound.code, Code.PermissionDenied);
  assert.match(bound.rawMessage, /node name node-a is bound to another join token/);
  const nodes = (await host.client.listNodes({})).nodes;
  assert.equal(nodes.find((n) => n.name === "node-a")?.status, NodeStatus.ONLINE, "the first runner stayed online");
  assert.equal(nodes.find((n) => n.name === "intruder"), undefined);
});

test("a runner's log chunks and events for a task not assigned to it are dropped", async () => {
  const { tasks } = await host.client.submitTask({ command: "sleep", args: ["100"], cores: 1, targets: ["node-a"] });
  const taskId = tasks[0]!.taskId;
  const { token: secondJoin } = await host.client.createToken({ kind: TokenKind.JOIN, label: "node-b" });
  const other = new ScriptedRunner(host.runnerClientWithToken(secondJoin), "node-b");
  try {
    assert.equal((await other.next()).message.case, "welcome");
    other.send({ message: { case: "logChunk", value: { taskId, stream: LogStream.STDOUT, offset: 0n, data: Buffer.from("forged\n") } } });
    other.send({ message: { case: "taskEvent", value: { taskId, status: TaskStatus.COMPLETED, exitCode: 0 } } });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const task = (await host.client.getTask({ taskId })).task!;
    assert.notEqual(task.status, TaskStatus.COMPLETED);
    assert.equal(task.stdoutBytes, 0n, "no forged output was stored");
  } finally {
    await other.disconnect();
    await host.client.killTask({ taskId });
  }
});

test("the audit trail shows the calls just made, with who, what and the outcome", async () => {
  const events = (await host.client.listAudit({ limit: 1000 })).events;
  const find = (action: string, actor: string, outcome = "ok") => events.find((e) => e.action === action && e.actor === actor && e.outcome === outcome);
  assert.ok(find("AddUser", "admin"), "AddUser by admin");
  assert.ok(find("SubmitTask", "alice"), "SubmitTask by alice");
  assert.ok(find("SubmitTask", "alice", "PermissionDenied"), "alice's refused privileged submit");
  assert.ok(find("RevokeToken", "alice"), "alice revoking her token");
  assert.ok(find("login-failed", "anonymous", "Unauthenticated"), "a failed login");
  const onlyAlice = (await host.client.listAudit({ user: "alice" })).events;
  assert.ok(onlyAlice.length > 0 && onlyAlice.every((e) => e.actor === "alice"));
});

test("after repeated bad tokens from one address, further attempts are refused before they are checked", async () => {
  const throttled = await inMemoryHost();
  try {
    const codes: Code[] = [];
    for (let i = 0; i < 20; i++) {
      const bad = `hkr_${"0".repeat(12)}_${"A".repeat(43)}`;
      codes.push((await failure(throttled.clientWithToken(bad).listNodes({}))).code);
    }
    assert.deepEqual(codes.slice(0, 10), Array(10).fill(Code.Unauthenticated), "the first ten are checked");
    assert.deepEqual(codes.slice(10), Array(10).fill(Code.ResourceExhausted), "the next ten are refused unchecked");
    const locked = await failure(throttled.client.listNodes({}));
    assert.equal(locked.code, Code.ResourceExhausted, "even a valid token is not checked while the address is locked out");
    assert.match(locked.rawMessage, /too many failed logins from .*: refused for \d+ s more/);
    assert.equal((await throttled.client.describeCluster({})).authEnabled, true, "the open call still answers");
  } finally {
    await throttled.close();
  }
});
