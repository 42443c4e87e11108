/**
 * Auth end to end with real processes: runners and their join tokens, node
 * names that cannot be taken over, the SSH proxy's token check, and a
 * revoked token ending an open `logs --follow` as the CLI runs it.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { connect } from "node:net";
import { join } from "node:path";
import { CLI, TestCluster, sleep, submittedIds, waitUntil } from "../helpers/cluster.js";

const cluster = new TestCluster();

before(async () => {
  await cluster.startHost();
  await cluster.startRunner("first");
});

after(() => cluster.cleanup());

/** Sends one request line to the SSH proxy and returns its answer line. */
function proxyAnswer(line: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(cluster.sshProxyPort, "127.0.0.1", () => socket.write(line));
    let answer = "";
    socket.on("data", (d: Buffer) => (answer += d.toString()));
    socket.on("close", () => resolve(answer));
    socket.on("error", reject);
  });
}

test("a runner with a wrong join token, or a user's token, is refused and never listed", async () => {
  const wrong = await cluster.startRunner("wrong-token", { env: { HAKURIVER_AUTH_JOIN_TOKEN: `hkr_${"0".repeat(12)}_${"B".repeat(43)}` }, wait: false });
  const asUser = await cluster.startRunner("user-token", { env: { HAKURIVER_AUTH_JOIN_TOKEN: cluster.adminToken }, wait: false });
  await waitUntil(() => /the Host refused this runner/.test(wrong.output()) && /the Host refused this runner/.test(asUser.output()), 15_000, () => `${wrong.output()}\n${asUser.output()}`);
  assert.match(wrong.output(), /token 000000000000 is not known to this Host/);
  assert.match(asUser.output(), /they join with a join token, not a user token/);
  const nodes = await cluster.cli(["nodes", "--json"]);
  assert.doesNotMatch(nodes.stdout, /wrong-token|user-token/);
  await cluster.kill(wrong, "SIGTERM");
  await cluster.kill(asUser, "SIGTERM");
});

test("a second runner under an online node's name is refused; the first keeps its running task", async () => {
  const submitted = await cluster.cli(["task", "submit", "--json", "--target", "first", "--", "sleep", "30"]);
  assert.equal(submitted.code, 0, submitted.stderr);
  const [id] = submittedIds(submitted.stdout);
  await waitUntil(async () => (await cluster.cli(["task", "status", id!])).stdout.includes("running"), 15_000);
  // Same machine, same state dir: the second process refuses to start before it touches the first one's tasks.
  const sameDir = await cluster.startRunner("first", { wait: false });
  assert.notEqual(await sameDir.exited, 0);
  assert.match(sameDir.output(), /another runner \(pid \d+\) uses .*temp-first/);
  // Another machine (its own state dir) under the same name: the Host refuses it.
  const impostor = await cluster.startRunner("first", { wait: false, localTempDir: join(cluster.dir, "impostor-temp") });
  await waitUntil(() => /node first is online from another connection/.test(impostor.output()), 15_000, () => impostor.output());
  await sleep(1000);
  const status = await cluster.cli(["task", "status", id!]);
  assert.match(status.stdout, /running/, "the first runner's task was not lost");
  const nodes = await cluster.cli(["nodes"]);
  assert.match(nodes.stdout, /first\s+online/);
  await cluster.kill(impostor, "SIGTERM");
  await cluster.cli(["task", "kill", id!]);
});

test("revoking a join token drops that runner's stream and keeps it out", async () => {
  const created = await cluster.cli(["token", "create", "--join", "--label", "doomed", "--json"]);
  assert.equal(created.code, 0, created.stderr);
  const { token, tokenInfo } = JSON.parse(created.stdout) as { token: string; tokenInfo: { tokenId: string } };
  const doomed = await cluster.startRunner("doomed", { env: { HAKURIVER_AUTH_JOIN_TOKEN: token } });
  const revoked = await cluster.cli(["token", "revoke", tokenInfo.tokenId]);
  assert.equal(revoked.code, 0, revoked.stderr);
  await cluster.waitForNode("doomed", "offline", 15_000, doomed);
  await waitUntil(() => /was revoked/.test(doomed.output()), 15_000, () => doomed.output());
  await cluster.kill(doomed, "SIGTERM");
});

test("the SSH proxy refuses a missing or wrong token before anything is tunnelled", async () => {
  assert.match(await proxyAnswer("REQUEST_TUNNEL 123\n"), /^ERROR Authentication failed for task 123: no token: send REQUEST_TUNNEL <task_id> <token>/);
  assert.match(await proxyAnswer(`REQUEST_TUNNEL 123 hkr_${"1".repeat(12)}_${"C".repeat(43)}\n`), /^ERROR Authentication failed for task 123: token 111111111111 is not known/);
  assert.match(await proxyAnswer(`REQUEST_TUNNEL 123 ${cluster.joinToken}\n`), /^ERROR Authentication failed for task 123: a join token is for runners only/);
  assert.equal(await proxyAnswer(`REQUEST_TUNNEL 123 ${cluster.adminToken}\n`), "ERROR Task 123 not found.\n", "a valid token gets to the task checks");
});

test("a revoked token ends an open logs --follow with UNAUTHENTICATED", async () => {
  const created = await cluster.cli(["token", "create", "--label", "follower", "--json"]);
  assert.equal(created.code, 0, created.stderr);
  const { token, tokenInfo } = JSON.parse(created.stdout) as { token: string; tokenInfo: { tokenId: string } };
  const submitted = await cluster.cli(["task", "submit", "--json", "--target", "first", "--", "sh", "-c", "echo ready; sleep 60"]);
  const [id] = submittedIds(submitted.stdout);
  const follower = spawn(process.execPath, [CLI, "logs", id!, "--follow"], { env: { ...process.env, ...cluster.cliEnv({ HAKURIVER_AUTH_TOKEN: token }) } });
  let out = "";
  let err = "";
  follower.stdout.on("data", (d: Buffer) => (out += d.toString()));
  follower.stderr.on("data", (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => follower.once("exit", resolve));
  await waitUntil(() => out.includes("ready"), 15_000, () => `the follower never printed ready: ${err}`);
  const revoked = await cluster.cli(["token", "revoke", tokenInfo.tokenId]);
  assert.equal(revoked.code, 0, revoked.stderr);
  const code = await Promise.race([exited, sleep(10_000).then(() => "still running")]);
  assert.notEqual(code, "still running", "the follow ended when its token was revoked");
  assert.notEqual(code, 0);
  assert.match(err, /unauthenticated.*was revoked/i);
  assert.doesNotMatch(err, /^\s+at /m, "no stack trace");
  await cluster.cli(["task", "kill", id!]);
});
