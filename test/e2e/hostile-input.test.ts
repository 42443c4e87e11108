/**
 * End to end, as a hostile caller would: names that could walk the Docker
 * engine's URL paths, and requests of any size. Each must be refused with a
 * clear error and the right code, and the Host (and its runner) must go on
 * serving.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { Code, ConnectError, createClient, type Client } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { ClientService } from "../../gen/hakuriver/v1/client_pb.js";
import { bearerToken, createHostTransport } from "../../src/shared/transport.js";
import { TestCluster } from "../helpers/cluster.js";

let cluster: TestCluster;

before(async () => {
  cluster = new TestCluster();
  await cluster.startHost();
  await cluster.startRunner("alpha");
});

after(async () => {
  await cluster.cleanup();
});

/** The Host process is alive and answers, and its runner is still online. */
async function assertHostServes(): Promise<void> {
  assert.equal(cluster.host!.child.exitCode, null, `the Host exited:\n${cluster.host!.output()}`);
  const nodes = await cluster.cli(["nodes"]);
  assert.equal(nodes.code, 0, nodes.stderr);
  assert.match(nodes.stdout, /alpha\s+online/);
}

/** A client on its own connection, so one test's refused stream never touches another's. */
function freshClient(): Client<typeof ClientService> {
  return createClient(ClientService, createHostTransport(cluster.address, { token: cluster.adminToken }));
}

async function rejectsWith(call: Promise<unknown>, code: Code, message: RegExp): Promise<void> {
  await assert.rejects(call, (error: unknown) => {
    assert.ok(error instanceof ConnectError, String(error));
    assert.equal(error.code, code, `${Code[error.code]}: ${error.rawMessage}`);
    assert.match(error.rawMessage, message);
    return true;
  });
}

test("an image reference that walks the engine's paths is refused and the Host lives", async () => {
  const result = await cluster.cli(["docker", "create-container", "../../nosuchhost", "xx"]);
  assert.notEqual(result.code, 0);
  assert.match(result.stderr, /^error \(invalid argument\): "\.\.\/\.\.\/nosuchhost" is not a valid Docker image reference/);
  assert.doesNotMatch(result.stderr, /\n\s+at /, "no stack trace");
  await assertHostServes();
});

test("environment names outside Docker's grammar are refused everywhere they reach the engine", async () => {
  const cases: string[][] = [
    ["docker", "create-container", "hakuriver-test/busybox:latest", "../../x"],
    ["docker", "start-container", "../../nosuchhost"],
    ["docker", "stop-container", "a/../../b"],
    ["docker", "delete-container", "..%2f..%2fx"],
    ["docker", "create-tar", "../x"],
    ["docker", "delete-tar", "../x"],
    ["docker", "shell", "../../nosuchhost", "--", "true"],
    ["task", "submit", "--container", "../../nosuchhost", "--", "true"],
  ];
  for (const args of cases) {
    const result = await cluster.cli(args);
    assert.notEqual(result.code, 0, args.join(" "));
    assert.match(result.stderr, /invalid argument\): .*not a valid environment name/, `${args.join(" ")}: ${result.stderr}`);
  }
  await assertHostServes();
});

test("a message past the Host's read limit is refused before it is buffered", async () => {
  const huge = "x".repeat(64 * 1024 * 1024);
  // The sender's own HTTP/2 session must be allowed to buffer the message (Node's default is 10 MB).
  const bulkSender = createClient(ClientService, createGrpcTransport({ baseUrl: `http://${cluster.address}`, nodeOptions: { maxSessionMemory: 256 }, interceptors: [bearerToken(cluster.adminToken)] }));
  await rejectsWith(bulkSender.submitTask({ command: "echo", args: [huge], container: "NULL" }), Code.ResourceExhausted, /readMaxBytes|larger than/);
  const status = readFileSync(`/proc/${cluster.host!.child.pid}/status`, "utf8");
  const rssKiB = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
  assert.ok(rssKiB < 512 * 1024, `Host RSS ${rssKiB} KiB after a refused 64 MiB message`);
  await assertHostServes();
});

test("arguments and variables the OS would refuse at exec are refused at submit, naming the limit", async () => {
  const client = freshClient();
  await rejectsWith(client.submitTask({ command: "echo", args: ["y".repeat(200 * 1024)], container: "NULL" }), Code.InvalidArgument, /argument 1 is 204800 bytes; the OS accepts at most 131071/);
  await rejectsWith(client.submitTask({ command: "echo", env: { BIG: "z".repeat(200 * 1024) }, container: "NULL" }), Code.InvalidArgument, /environment variable BIG .* at most 131071/);
  await rejectsWith(client.submitTask({ command: "true", targets: Array.from({ length: 2000 }, () => "alpha"), container: "NULL" }), Code.InvalidArgument, /2000 targets given; the limit is 1024/);
  await rejectsWith(
    client.submitTask({ command: "echo", args: ["span:{1..1000}"], targets: Array.from({ length: 200 }, () => "alpha"), sweep: true, container: "NULL" }),
    Code.InvalidArgument,
    /makes 200000 tasks .* the limit is 100000/,
  );
  // Through the CLI as a person types it: twelve 100 KiB arguments pass the OS but not the task limit.
  const args = Array.from({ length: 12 }, () => "a".repeat(100 * 1024));
  const result = await cluster.cli(["task", "submit", "--container", "NULL", "--", "echo", ...args]);
  assert.notEqual(result.code, 0);
  assert.match(result.stderr, /^error \(invalid argument\): the command line and environment take \d+ bytes; the limit is 1 MiB/);
  await assertHostServes();
});
