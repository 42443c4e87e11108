/**
 * One port, every client: a real Host (and a runner) answering curl over
 * HTTP/1.1, Connect and gRPC-web over fetch (HTTP/1.1), h2c gRPC, and a
 * preface trickled one byte at a time; the dashboard's files over HTTP/1.1,
 * HTTP/2 and TLS; and close() ending idle keep-alive sockets, HTTP/2
 * sessions and WebSockets at once.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { Agent, request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { connect as http2Connect, type ClientHttp2Session } from "node:http2";
import { request as httpsRequest } from "node:https";
import { connect as netConnect, createServer as createNetServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { create, toBinary } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport, createGrpcWebTransport } from "@connectrpc/connect-web";
import { pino } from "pino";
import { WebSocket } from "ws";
import { ClientService } from "../../gen/hakuriver/v1/client_pb.js";
import { ShellRequestSchema } from "../../gen/hakuriver/v1/environments_pb.js";
import type { HostHandle } from "../../src/host/host-app.js";
import { HTTP2_PREFACE } from "../../src/host/http/protocol-sniff.js";
import { SHELL_WEBSOCKET_PATH } from "../../src/host/http/shell-websocket.js";
import { DASHBOARD_NOT_BUILT } from "../../src/host/http/static-files.js";
import { startApiServer, type ApiServer } from "../../src/host/server.js";
import { makeSelfSigned } from "../../src/host/tls-self-signed.js";
import { bearerToken, createHostTransport } from "../../src/shared/transport.js";
import { TestCluster, sleep, submittedIds } from "../helpers/cluster.js";
import { startHostInProcess } from "../helpers/in-process-host.js";

const INDEX_HTML = "<!doctype html><html><head><title>HakuRiver</title><script type=module src=/assets/app-3f2a1b9c.js></script></head><body></body></html>\n";
const APP_JS = `export const rows = [${Array.from({ length: 400 }, (_, i) => `"row ${i}"`).join(",")}];\n`;

/** A built-dashboard directory: index.html, a hashed asset, and a symlink pointing out. */
function dashboardDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "hakuriver-web-"));
  mkdirSync(join(dir, "assets"));
  writeFileSync(join(dir, "index.html"), INDEX_HTML);
  writeFileSync(join(dir, "assets", "app-3f2a1b9c.js"), APP_JS);
  writeFileSync(join(dir, "favicon.svg"), "<svg xmlns='http://www.w3.org/2000/svg'/>");
  symlinkSync("/etc/passwd", join(dir, "assets", "passwd.txt"));
  return dir;
}

interface Answer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  readonly httpVersion: string;
}

/** One raw HTTP/1.1 request: the path goes out exactly as written (fetch would normalise `..`). */
function http1(port: number, path: string, options: { method?: string; headers?: Record<string, string>; agent?: Agent } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: "127.0.0.1", port, path, method: options.method ?? "GET", headers: options.headers, agent: options.agent ?? false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks), httpVersion: res.httpVersion }));
    });
    req.on("error", reject);
    req.end();
  });
}

/** One HTTP/2 request on `session`. */
function http2Get(session: ClientHttp2Session, path: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const stream = session.request({ ":path": path, ...headers });
    let answer: Record<string, string | string[] | undefined> = {};
    const chunks: Buffer[] = [];
    stream.on("response", (h) => (answer = h));
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    stream.on("end", () => resolve({ status: Number(answer[":status"]), headers: answer as IncomingHttpHeaders, body: Buffer.concat(chunks), httpVersion: "2.0" }));
    stream.on("error", reject);
    stream.end();
  });
}

/** A TCP proxy to `port` that sends the first `trickle` bytes one per segment, 5 ms apart. */
async function tricklingProxy(port: number, trickle: number): Promise<Server> {
  const proxy = createNetServer((down) => {
    const up = netConnect(port, "127.0.0.1");
    up.setNoDelay(true);
    up.pipe(down);
    up.on("error", () => down.destroy());
    down.on("error", () => up.destroy());
    down.on("close", () => up.destroy());
    void (async () => {
      let sent = 0;
      for await (const chunk of down as AsyncIterable<Buffer>) {
        let rest = chunk;
        while (sent < trickle && rest.length > 0) {
          up.write(rest.subarray(0, 1));
          rest = rest.subarray(1);
          sent++;
          await sleep(5);
        }
        if (rest.length > 0) up.write(rest);
      }
    })().catch(() => up.destroy());
  });
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  return proxy;
}

function assertPageHeaders(headers: IncomingHttpHeaders): void {
  assert.equal(headers["x-content-type-options"], "nosniff");
  assert.equal(headers["x-frame-options"], "DENY");
  const policy = String(headers["content-security-policy"]);
  assert.match(policy, /script-src 'self'/);
  assert.match(policy, /frame-ancestors 'none'/);
}

describe("one port: h2c and HTTP/1.1, RPCs and the dashboard", () => {
  const cluster = new TestCluster();
  const web = dashboardDir();
  let host: HostHandle;
  let base = "";

  before(async () => {
    host = await startHostInProcess(cluster, { dashboardDir: web });
    base = `http://127.0.0.1:${host.port}`;
    await cluster.startRunner("oneport");
  });

  after(async () => {
    await cluster.cleanup();
    await host.close();
    rmSync(web, { recursive: true, force: true });
  });

  it("answers curl over HTTP/1.1 with Connect JSON, and a bad token with a Connect error, HTTP 401", async () => {
    const curl = (token: string) =>
      promisify(execFile)("curl", ["-sS", "--http1.1", "-w", "\n%{http_code} %{http_version}", "-H", "content-type: application/json", "-H", `authorization: Bearer ${token}`, "-d", "{}", `${base}/hakuriver.v1.ClientService/ListNodes`]);
    const good = (await curl(cluster.adminToken)).stdout.split("\n");
    assert.equal(good.at(-1), "200 1.1");
    const body = JSON.parse(good.slice(0, -1).join("\n")) as { nodes: { name: string }[] };
    assert.ok(body.nodes.some((n) => n.name === "oneport"), good.join("\n"));
    const bad = (await curl("hkr_not-a-real-token")).stdout.split("\n");
    assert.equal(bad.at(-1), "401 1.1");
    const error = JSON.parse(bad.slice(0, -1).join("\n")) as { code: string; message: string };
    assert.equal(error.code, "unauthenticated", bad.join("\n"));
  });

  it("streams FollowLogs over Connect on fetch (HTTP/1.1) to the end of a real task", async () => {
    const submitted = await cluster.cli(["task", "submit", "--wait", "--json", "--target", "oneport", "--", "sh", "-c", "echo hi-from-port; echo second"]);
    const [taskId] = submittedIds(submitted.stdout);
    assert.ok(taskId, submitted.stderr);
    const client = createClient(ClientService, createConnectTransport({ baseUrl: base, interceptors: [bearerToken(cluster.adminToken)] }));
    let text = "";
    let ended = false;
    for await (const response of client.followLogs({ taskId, follow: true })) {
      if (response.event.case === "data") text += Buffer.from(response.event.value.data).toString();
      if (response.event.case === "end") ended = true;
    }
    assert.equal(text, "hi-from-port\nsecond\n");
    assert.ok(ended, "the stream ends with its end message");
  });

  it("answers gRPC-web on fetch (HTTP/1.1), auth included", async () => {
    const client = createClient(ClientService, createGrpcWebTransport({ baseUrl: base, interceptors: [bearerToken(cluster.adminToken)] }));
    const { nodes } = await client.listNodes({});
    assert.ok(nodes.some((n) => n.name === "oneport"));
    const stranger = createClient(ClientService, createGrpcWebTransport({ baseUrl: base, interceptors: [bearerToken("hkr_wrong")] }));
    await assert.rejects(stranger.listNodes({}), (error: unknown) => ConnectError.from(error).code === Code.Unauthenticated);
  });

  it("still answers h2c gRPC, even when the preface arrives one byte at a time", async () => {
    const direct = await cluster.client.listNodes({});
    assert.ok(direct.nodes.some((n) => n.name === "oneport"));
    const proxy = await tricklingProxy(host.port, HTTP2_PREFACE.length + 9);
    try {
      const port = (proxy.address() as { port: number }).port;
      const trickled = await createClient(ClientService, createHostTransport(`127.0.0.1:${port}`, { token: cluster.adminToken })).listNodes({});
      assert.ok(trickled.nodes.some((n) => n.name === "oneport"));
    } finally {
      proxy.close();
    }
  });

  it("waits for a client that connects and says nothing for a while", async () => {
    const socket = netConnect(host.port, "127.0.0.1");
    const reply = new Promise<string>((resolve) => {
      let text = "";
      socket.on("data", (d: Buffer) => (text += d.toString()));
      socket.on("close", () => resolve(text));
    });
    await sleep(1500);
    socket.write("GET /tasks/7 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    const text = await reply;
    assert.match(text, /^HTTP\/1\.1 200 /);
    assert.ok(text.endsWith(INDEX_HTML), text);
  });

  it("serves index.html at / and for client-side routes, with the page's headers", async () => {
    const root = await http1(host.port, "/");
    assert.equal(root.status, 200);
    assert.equal(root.httpVersion, "1.1");
    assert.equal(root.body.toString(), INDEX_HTML);
    assert.equal(root.headers["content-type"], "text/html; charset=utf-8");
    assert.equal(root.headers["cache-control"], "no-cache");
    assertPageHeaders(root.headers);
    assert.match(String(root.headers["content-security-policy"]), new RegExp(`connect-src 'self' ws://127\\.0\\.0\\.1:${host.port} wss://127\\.0\\.0\\.1:${host.port}`));
    const route = await http1(host.port, "/tasks/1");
    assert.equal(route.status, 200);
    assert.equal(route.body.toString(), INDEX_HTML);
    const head = await http1(host.port, "/", { method: "HEAD" });
    assert.equal(head.status, 200);
    assert.equal(head.body.length, 0);
    assert.equal(Number(head.headers["content-length"]), Buffer.byteLength(INDEX_HTML));
    const revalidated = await http1(host.port, "/", { headers: { "if-none-match": String(root.headers.etag) } });
    assert.equal(revalidated.status, 304);
  });

  it("serves a hashed asset immutable, as brotli or gzip when asked", async () => {
    const path = "/assets/app-3f2a1b9c.js";
    const plain = await http1(host.port, path);
    assert.equal(plain.status, 200);
    assert.equal(plain.body.toString(), APP_JS);
    assert.equal(plain.headers["content-encoding"], undefined);
    assert.equal(plain.headers["content-type"], "text/javascript; charset=utf-8");
    assert.equal(plain.headers["cache-control"], "public, max-age=31536000, immutable");
    assert.equal(plain.headers.vary, "accept-encoding");
    const br = await http1(host.port, path, { headers: { "accept-encoding": "gzip, br" } });
    assert.equal(br.headers["content-encoding"], "br");
    assert.ok(br.body.length < APP_JS.length);
    assert.equal(brotliDecompressSync(br.body).toString(), APP_JS);
    const gz = await http1(host.port, path, { headers: { "accept-encoding": "gzip" } });
    assert.equal(gz.headers["content-encoding"], "gzip");
    assert.equal(gunzipSync(gz.body).toString(), APP_JS);
    const icon = await http1(host.port, "/favicon.svg");
    assert.equal(icon.headers["content-type"], "image/svg+xml");
    assert.equal(icon.headers["cache-control"], "no-cache");
  });

  it("never leaves the directory: traversal, dot files, NUL and symlinks out are refused", async () => {
    const cases: [string, number][] = [
      ["/../../../../etc/passwd", 404],
      ["/assets/../../../../etc/passwd", 404],
      ["/assets/%2e%2e/%2e%2e/%2e%2e/etc/passwd", 404],
      ["/%2e%2e%2f%2e%2e%2fetc%2fpasswd", 404],
      ["/assets/passwd.txt", 404],
      ["/index.html%00.js", 400],
      ["/assets/missing-abc123.js", 404],
      ["/missing.png", 404],
    ];
    for (const [path, status] of cases) {
      const answer = await http1(host.port, path);
      assert.equal(answer.status, status, path);
      assert.doesNotMatch(answer.body.toString(), /root:/, path);
    }
    const post = await http1(host.port, "/hakuriver.v1.ClientService/NoSuchRpc", { method: "POST", headers: { "content-type": "application/json" } });
    assert.equal(post.status, 404);
  });

  it("serves the same files over h2c, traversal refused there too", async () => {
    const session = http2Connect(base);
    try {
      const root = await http2Get(session, "/tasks/9");
      assert.equal(root.status, 200);
      assert.equal(root.body.toString(), INDEX_HTML);
      assertPageHeaders(root.headers);
      const asset = await http2Get(session, "/assets/app-3f2a1b9c.js", { "accept-encoding": "br" });
      assert.equal(asset.headers["content-encoding"], "br");
      assert.equal(brotliDecompressSync(asset.body).toString(), APP_JS);
      assert.equal((await http2Get(session, "/assets/%2e%2e/%2e%2e/etc/passwd")).status, 404);
    } finally {
      session.close();
    }
  });
});

describe("the port's edges: no dashboard built, TLS, close()", () => {
  const log = pino({ level: "silent" });
  const base = { host: "127.0.0.1", port: 0, interceptors: [], pingIntervalMs: 10_000, pingTimeoutMs: 10_000, readMaxBytes: 1024 * 1024, log };

  it("answers / with how to build the dashboard when its directory is missing", async (t) => {
    const server = await startApiServer({ ...base, routes: () => undefined, dashboardDir: join(tmpdir(), "hakuriver-no-such-dashboard") });
    t.after(() => server.close());
    for (const path of ["/", "/tasks/1"]) {
      const answer = await http1(server.port, path);
      assert.equal(answer.status, 404);
      assert.equal(answer.body.toString(), DASHBOARD_NOT_BUILT);
      assert.equal(answer.headers["content-type"], "text/plain; charset=utf-8");
    }
  });

  it("serves files and the shell WebSocket over TLS (HTTP/1.1 and HTTP/2 by ALPN)", async (t) => {
    const web = dashboardDir();
    t.after(() => rmSync(web, { recursive: true, force: true }));
    const pair = await makeSelfSigned(["localhost", "127.0.0.1"]);
    const server = await startApiServer({
      ...base,
      tls: pair,
      dashboardDir: web,
      routes: (router) =>
        router.service(ClientService, {
          async *shell() {
            yield { message: { case: "exit", value: { code: 7 } } };
          },
        }),
    });
    t.after(() => server.close());
    const page = await new Promise<Answer>((resolve, reject) => {
      const req = httpsRequest({ host: "127.0.0.1", port: server.port, path: "/", ca: pair.cert, servername: "localhost" }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks), httpVersion: res.httpVersion }));
      });
      req.on("error", reject);
      req.end();
    });
    assert.equal(page.httpVersion, "1.1");
    assert.equal(page.body.toString(), INDEX_HTML);
    const session = http2Connect(`https://localhost:${server.port}`, { ca: pair.cert });
    t.after(() => session.close());
    const h2 = await http2Get(session, "/assets/app-3f2a1b9c.js");
    assert.equal(h2.body.toString(), APP_JS);
    const ws = new WebSocket(`wss://localhost:${server.port}${SHELL_WEBSOCKET_PATH}`, { ca: pair.cert, origin: `https://localhost:${server.port}` });
    const closed = new Promise<{ code: number; frames: Buffer[] }>((resolve) => {
      const frames: Buffer[] = [];
      ws.on("message", (data: Buffer) => frames.push(data));
      ws.on("close", (code) => resolve({ code, frames }));
    });
    ws.on("open", () => {
      ws.send(JSON.stringify({ token: "" }));
      ws.send(toBinary(ShellRequestSchema, create(ShellRequestSchema, { message: { case: "start", value: { name: "x" } } })));
    });
    const { code, frames } = await closed;
    assert.equal(code, 1000);
    assert.equal(frames.length, 1, "one ShellResponse frame: the exit");
    assert.deepEqual([...frames[0]!], [0x1a, 0x02, 0x08, 0x07], "ShellResponse{exit{code:7}} in protobuf");
  });

  it("close() ends idle keep-alive sockets, HTTP/2 sessions and WebSockets at once, aborting the shell call", async () => {
    let shellAborted = false;
    let server: ApiServer | undefined = await startApiServer({
      ...base,
      // No dashboard: the keep-alive request below expects the 404 line (the built one would answer 200).
      dashboardDir: join(tmpdir(), "hakuriver-no-such-dashboard"),
      routes: (router) =>
        router.service(ClientService, {
          async *shell(requests, context) {
            context.signal.addEventListener("abort", () => (shellAborted = true));
            for await (const _ of requests) yield { message: { case: "stdout", value: new Uint8Array([104, 105]) } };
          },
        }),
    });
    const port = server.port;
    const agent = new Agent({ keepAlive: true });
    const first = await http1(port, "/", { agent });
    assert.equal(first.status, 404, "no dashboard here; the socket stays open for the next request");
    const session = http2Connect(`http://127.0.0.1:${port}`);
    await http2Get(session, "/");
    const ws = new WebSocket(`ws://127.0.0.1:${port}${SHELL_WEBSOCKET_PATH}`);
    const wsClosed = new Promise<number>((resolve) => ws.on("close", resolve));
    const echoed = new Promise<void>((resolve) => ws.once("message", () => resolve()));
    ws.on("open", () => {
      ws.send(JSON.stringify({ token: "" }));
      ws.send(toBinary(ShellRequestSchema, create(ShellRequestSchema, { message: { case: "start", value: { name: "x" } } })));
      ws.send(toBinary(ShellRequestSchema, create(ShellRequestSchema, { message: { case: "stdin", value: new Uint8Array([10]) } })));
    });
    await echoed;
    const started = Date.now();
    const closing = server.close().then(() => "closed" as const);
    const result = await Promise.race([closing, sleep(3000).then(() => "hung" as const)]);
    server = undefined;
    agent.destroy();
    session.destroy();
    assert.equal(result, "closed", "close() returned within 3 s");
    assert.ok([1001, 1006].includes(await wsClosed), "the WebSocket was closed by the Host");
    assert.ok(shellAborted, "the shell call's signal was aborted");
    assert.ok(Date.now() - started < 3000);
  });
});
