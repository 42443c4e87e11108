/**
 * The browser's shell transport against a real Host and a real Docker
 * environment container: a `ws` client sends its token, a start, keystrokes
 * and a resize, and sees the shell's output and exit code; the refusals (a
 * wrong token, a viewer, another site's page) and the end of the exec when
 * the browser goes away.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { create, fromBinary, toBinary, type MessageInitShape } from "@bufbuild/protobuf";
import { WebSocket } from "ws";
import { Role } from "../../gen/hakuriver/v1/auth_pb.js";
import { ShellRequestSchema, ShellResponseSchema } from "../../gen/hakuriver/v1/environments_pb.js";
import type { HostHandle } from "../../src/host/host-app.js";
import { SHELL_WEBSOCKET_PATH } from "../../src/host/http/shell-websocket.js";
import { TestCluster, waitUntil } from "../helpers/cluster.js";
import { docker, removeTestDockerState } from "../helpers/docker.js";
import { startHostInProcess } from "../helpers/in-process-host.js";

const ENV = `wsenv${process.pid}${Date.now().toString(36)}`;
const cluster = new TestCluster();
let host: HostHandle;
let origin = "";

before(async () => {
  host = await startHostInProcess(cluster);
  origin = `http://127.0.0.1:${host.port}`;
  await cluster.client.createContainer({ image: "hakuriver-test/busybox:latest", name: ENV });
});

after(async () => {
  await host.close();
  await cluster.cleanup();
  removeTestDockerState("none", ENV);
});

/** A browser-like shell session: its text frames, the decoded output, and how it closed. */
class Session {
  readonly ws: WebSocket;
  readonly texts: string[] = [];
  stdout = "";
  exitCode: number | undefined;
  readonly closed: Promise<number>;
  readonly opened: Promise<void>;

  constructor(headers: { origin?: string } = { origin }) {
    this.ws = new WebSocket(`ws://127.0.0.1:${host.port}${SHELL_WEBSOCKET_PATH}`, headers.origin === undefined ? {} : { origin: headers.origin });
    this.opened = new Promise((resolve, reject) => {
      this.ws.once("open", resolve);
      this.ws.once("unexpected-response", (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      this.ws.once("error", reject);
    });
    this.closed = new Promise((resolve) => this.ws.on("close", resolve));
    this.ws.on("message", (data: Buffer, isBinary) => {
      if (!isBinary) return void this.texts.push(data.toString());
      const response = fromBinary(ShellResponseSchema, data);
      if (response.message.case === "stdout" || response.message.case === "stderr") this.stdout += Buffer.from(response.message.value).toString();
      if (response.message.case === "exit") this.exitCode = response.message.value.code;
    });
  }

  send(message: MessageInitShape<typeof ShellRequestSchema>["message"]): void {
    this.ws.send(toBinary(ShellRequestSchema, create(ShellRequestSchema, { message })));
  }

  type(text: string): void {
    this.send({ case: "stdin", value: Buffer.from(text) });
  }

  async start(token: string): Promise<void> {
    await this.opened;
    this.ws.send(JSON.stringify({ token }));
    this.send({ case: "start", value: { name: ENV, tty: true, rows: 24, cols: 80 } });
  }

  waitFor(pattern: RegExp): Promise<void> {
    return waitUntil(() => pattern.test(this.stdout), 10_000, () => `never saw ${pattern} in:\n${this.stdout}\ntext frames: ${this.texts.join(" ")}`);
  }
}

/** The shell processes in the environment container besides its `sleep infinity`. */
function shellProcesses(): string[] {
  return docker("top", ENV, "-o", "pid,args").split("\n").slice(1).filter((line) => line.trim() !== "" && !/sleep infinity/.test(line));
}

async function userToken(name: string, role: Role): Promise<string> {
  return (await cluster.client.addUser({ name, role })).token;
}

test("a shell over the WebSocket: output, resize, exit code, and an audit entry", async () => {
  const session = new Session();
  await session.start(cluster.adminToken);
  session.type("echo hi\n");
  await session.waitFor(/\r?\nhi\r?\n/);
  session.send({ case: "resize", value: { rows: 40, cols: 100 } });
  session.type("stty size\n");
  await session.waitFor(/40 100/);
  session.type("exit 3\n");
  assert.equal(await session.closed, 1000);
  assert.equal(session.exitCode, 3);
  assert.deepEqual(session.texts, [], "no error frame");
  const { events } = await cluster.client.listAudit({});
  const entry = events.find((e) => e.action === "Shell" && e.target === ENV);
  assert.ok(entry, `an audit entry for the shell: ${JSON.stringify(events.map((e) => [e.action, e.target]))}`);
  assert.equal(entry.actor, "admin");
  assert.equal(entry.outcome, "ok");
  assert.equal(entry.address, "127.0.0.1");
});

test("a wrong token gets an unauthenticated error frame and close 1008", async () => {
  const session = new Session();
  await session.start("hkr_not_a_token");
  assert.equal(await session.closed, 1008);
  assert.equal(session.texts.length, 1);
  const error = JSON.parse(session.texts[0]!) as { code: string; message: string };
  assert.equal(error.code, "unauthenticated");
  assert.match(error.message, /log in again/);
  const { events } = await cluster.client.listAudit({});
  assert.ok(events.some((e) => e.action === "login-failed" && e.target === "Shell"), "the failed login is in the audit trail, like a gRPC one");
});

test("a first frame that is not the token is refused before any shell starts", async () => {
  const session = new Session();
  await session.opened;
  session.send({ case: "start", value: { name: ENV, tty: true } });
  assert.equal(await session.closed, 1008);
  assert.equal((JSON.parse(session.texts[0]!) as { code: string }).code, "unauthenticated");
});

test("a viewer is refused by the policy row: permission_denied, close 1008", async () => {
  const token = await userToken("wsviewer", Role.VIEWER);
  const session = new Session();
  await session.start(token);
  assert.equal(await session.closed, 1008);
  const error = JSON.parse(session.texts[0]!) as { code: string; message: string };
  assert.equal(error.code, "permission_denied");
  assert.match(error.message, /needs role operator/);
});

test("a shell on a missing container ends with the handler's own error", async () => {
  const session = new Session();
  await session.opened;
  session.ws.send(JSON.stringify({ token: cluster.adminToken }));
  session.send({ case: "start", value: { name: "nosuchenvws", tty: false } });
  assert.equal(await session.closed, 1011);
  assert.equal((JSON.parse(session.texts[0]!) as { code: string }).code, "not_found");
});

test("another site's page is refused with 403", async () => {
  const session = new Session({ origin: "http://evil.example" });
  await assert.rejects(session.opened, /HTTP 403/);
});

test("a browser that goes away ends the docker exec: closed, or frozen (no pongs)", async () => {
  assert.deepEqual(shellProcesses(), [], "no shell left by an earlier test");
  const closing = new Session();
  await closing.start(cluster.adminToken);
  closing.type("echo ready\n");
  await closing.waitFor(/\nready/);
  assert.ok(shellProcesses().length > 0, "the shell runs in the container");
  closing.ws.terminate();
  await waitUntil(() => shellProcesses().length === 0, 10_000, () => `the exec still runs after the browser closed: ${shellProcesses().join("; ")}`);

  const frozen = new Session();
  await frozen.start(cluster.adminToken);
  frozen.type("echo ready\n");
  await frozen.waitFor(/\nready/);
  // A frozen tab or a dead network: nothing is read, so no pong goes back.
  (frozen.ws as unknown as { _socket: { pause(): void } })._socket.pause();
  await waitUntil(() => shellProcesses().length === 0, 15_000, () => `the exec still runs after the browser froze: ${shellProcesses().join("; ")}`);
  frozen.ws.terminate();
});
