import { test } from "node:test";
import assert from "node:assert/strict";
import { checkTunnelRequest, parseTunnelRequest } from "../../src/host/tunnels/tunnel-request.js";
import type { TaskRecord } from "../../src/host/tasks/task-record.js";
import type { UserPrincipal } from "../../src/host/auth/principal.js";

const base: TaskRecord = {
  taskId: 100, batchId: 100, kind: "vps", status: "running", command: "", args: [], env: {}, cores: 0, memoryBytes: 0,
  container: "env", privileged: false, mounts: [], target: "", assignedNode: "n1", numaNode: null, gpus: [], gpuCount: 0, exitCode: null,
  message: "", submittedAt: 0, startedAt: 0, completedAt: null, sshPort: 2222, sshHostKeys: [], publicKey: "ssh-ed25519 AAAA", stdoutFinalBytes: -1, stderrFinalBytes: -1, owner: "alice", timeLimitMs: 0, name: "", labels: {},
  dependencies: [], awaitingDependencies: false,
};

const USERS: Record<string, UserPrincipal> = {
  "alice-token": { kind: "user", user: "alice", role: "user", tokenId: "a" },
  "bob-token": { kind: "user", user: "bob", role: "user", tokenId: "b" },
  "op-token": { kind: "user", user: "olga", role: "operator", tokenId: "o" },
};

function deps(tasks: TaskRecord[], online = ["n1"]) {
  let lookups = 0;
  return {
    repo: { get: async (id: number) => (lookups++, tasks.find((t) => t.taskId === id)) },
    nodes: { isOnline: (n: string) => online.includes(n) },
    authenticate: async (token: string) => USERS[token] ?? "token is not known to this Host",
    lookups: () => lookups,
  };
}

test("the request line is parsed with the original's messages", () => {
  assert.deepEqual(parseTunnelRequest("REQUEST_TUNNEL 100"), { taskId: "100", token: "" });
  assert.deepEqual(parseTunnelRequest("REQUEST_TUNNEL 100 secret\r"), { taskId: "100", token: "secret" });
  assert.equal(parseTunnelRequest("HELLO 100"), "Invalid request format.");
  assert.equal(parseTunnelRequest("REQUEST_TUNNEL"), "Invalid request format.");
  assert.equal(parseTunnelRequest("REQUEST_TUNNEL 1 2 3"), "Invalid request format.");
  assert.equal(parseTunnelRequest("REQUEST_TUNNEL abc"), "Invalid task ID format.");
  assert.equal(parseTunnelRequest("REQUEST_TUNNEL 99999999999999999999"), "Invalid task ID format.");
});

test("checks run in the original's order with its exact messages", async () => {
  const check = (task: Partial<TaskRecord>, online?: string[]) => checkTunnelRequest({ taskId: "100", token: "alice-token" }, deps([{ ...base, ...task }], online));
  assert.equal(await checkTunnelRequest({ taskId: "7", token: "alice-token" }, deps([base])), "Task 7 not found.");
  assert.equal(await check({ kind: "command" }), "Task 100 is not a VPS task.");
  assert.equal(await check({ status: "completed" }), "VPS task 100 is not active (status: completed).");
  assert.equal(await check({ assignedNode: null }), "VPS task 100 has no assigned node.");
  assert.equal(await check({ sshPort: 0 }), "VPS task 100 has no SSH port assigned.");
  assert.equal(await check({}, []), "Assigned node for VPS task 100 is not online.");
  const ok = await check({ status: "paused" });
  assert.equal(typeof ok === "object" && ok.task.taskId, 100);
});

test("a missing or wrong token is refused before any lookup", async () => {
  const checks = deps([base]);
  const refused = await checkTunnelRequest({ taskId: "100", token: "wrong" }, checks);
  assert.equal(refused, "Authentication failed for task 100: token is not known to this Host");
  assert.equal(checks.lookups(), 0, "the task was not looked up for an unauthenticated request");
});

test("only the VPS's owner, an operator or an admin may open a tunnel to it", async () => {
  const owner = await checkTunnelRequest({ taskId: "100", token: "alice-token" }, deps([base]));
  assert.equal(typeof owner === "object" && owner.principal.user, "alice");
  const other = await checkTunnelRequest({ taskId: "100", token: "bob-token" }, deps([base]));
  assert.match(String(other), /VPS 100 belongs to alice: a user may open a tunnel to only their own work/);
  const operator = await checkTunnelRequest({ taskId: "100", token: "op-token" }, deps([base]));
  assert.equal(typeof operator, "object");
});
