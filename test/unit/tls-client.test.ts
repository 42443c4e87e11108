import { test } from "node:test";
import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer as createTlsServer } from "node:tls";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { pino } from "pino";
import { ClientService } from "../../gen/hakuriver/v1/client_pb.js";
import { startApiServer, type ApiServer } from "../../src/host/server.js";
import { makeSelfSigned } from "../../src/host/tls-self-signed.js";
import { createHostConnection, createHostTransport, type HostTransportOptions } from "../../src/shared/transport.js";

const pair = await makeSelfSigned(["localhost", "127.0.0.1"]);
const fingerprint = new X509Certificate(pair.cert).fingerprint256;
const otherFingerprint = new X509Certificate((await makeSelfSigned(["localhost"])).cert).fingerprint256;

/** A TLS API server answering ListNodes, with the bearer tokens it saw. */
async function tlsApiServer(t: { after(fn: () => Promise<void>): void }): Promise<{ server: ApiServer; tokens: string[] }> {
  const tokens: string[] = [];
  const server = await startApiServer({
    host: "127.0.0.1",
    port: 0,
    routes: (router) => {
      router.service(ClientService, {
        listNodes: (_request, context) => {
          tokens.push(context.requestHeader.get("authorization") ?? "");
          return { nodes: [] };
        },
      });
    },
    interceptors: [],
    pingIntervalMs: 10_000,
    pingTimeoutMs: 10_000,
    readMaxBytes: 1024 * 1024,
    tls: pair,
    log: pino({ level: "silent" }),
  });
  t.after(() => server.close());
  return { server, tokens };
}

async function listNodes(address: string, options: HostTransportOptions): Promise<unknown> {
  const connection = createHostConnection(address, options);
  try {
    return await createClient(ClientService, connection.transport).listNodes({});
  } finally {
    connection.close();
  }
}

test("a pinned client reaches the Host when the fingerprint matches, in any spelling", async (t) => {
  const { server, tokens } = await tlsApiServer(t);
  const address = `127.0.0.1:${server.port}`;
  await listNodes(address, { token: "t1", tls: { fingerprint } });
  await listNodes(address, { token: "t2", tls: { fingerprint: `sha256:${fingerprint.replace(/:/g, "").toLowerCase()}` } });
  // createHostTransport (no session manager of the caller's) pins too.
  await createClient(ClientService, createHostTransport(address, { token: "t3", tls: { fingerprint } })).listNodes({});
  assert.deepEqual(tokens, ["Bearer t1", "Bearer t2", "Bearer t3"]);
});

test("a CA file verifies the Host, host name included", async (t) => {
  const { server } = await tlsApiServer(t);
  const dir = mkdtempSync(join(tmpdir(), "hakuriver-tls-ca-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const caFile = join(dir, "host.crt");
  writeFileSync(caFile, pair.cert);
  await listNodes(`localhost:${server.port}`, { tls: { caFile } });
  await listNodes(`127.0.0.1:${server.port}`, { tls: { caFile, fingerprint } });
  const wrongCa = join(dir, "other.crt");
  writeFileSync(wrongCa, (await makeSelfSigned(["localhost"])).cert);
  await assert.rejects(listNodes(`localhost:${server.port}`, { tls: { caFile: wrongCa } }), /self-signed certificate/);
});

test("a wrong pin fails UNAVAILABLE, naming both fingerprints, and the token never reaches the Host", async (t) => {
  const { server, tokens } = await tlsApiServer(t);
  await assert.rejects(listNodes(`127.0.0.1:${server.port}`, { token: "secret", tls: { fingerprint: otherFingerprint } }), (e: unknown) => {
    assert.ok(e instanceof ConnectError);
    assert.equal(e.code, Code.Unavailable);
    assert.equal(e.rawMessage, `the Host's certificate has SHA-256 fingerprint ${fingerprint}, not the pinned ${otherFingerprint}: check --tls-fingerprint`);
    return true;
  });
  assert.deepEqual(tokens, []);
});

test("on a pin mismatch not one byte is written after the handshake (no HTTP/2 preface, no request)", async (t) => {
  let received = 0;
  const server = createTlsServer({ cert: pair.cert, key: pair.key, ALPNProtocols: ["h2"] }, (socket) => {
    socket.on("data", (chunk: Buffer) => (received += chunk.length));
    socket.on("error", () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const { port } = server.address() as AddressInfo;
  // The message names the server's fingerprint: the client got as far as its certificate.
  await assert.rejects(listNodes(`127.0.0.1:${port}`, { token: "secret", tls: { fingerprint: otherFingerprint } }), new RegExp(`fingerprint ${fingerprint}, not the pinned`));
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.equal(received, 0);
});

test("HTTP/1.1 over TLS gets Connect (what browsers speak)", async (t) => {
  const { server } = await tlsApiServer(t);
  const body = await new Promise<string>((resolve, reject) => {
    const req = request(
      { host: "localhost", port: server.port, method: "POST", path: "/hakuriver.v1.ClientService/ListNodes", ca: pair.cert, headers: { "content-type": "application/json" } },
      (res) => {
        let text = "";
        res.on("data", (d: Buffer) => (text += d.toString()));
        res.on("end", () => resolve(`${res.statusCode} ${res.httpVersion} ${text}`));
      },
    );
    req.on("error", reject);
    req.end("{}");
  });
  assert.equal(body, "200 1.1 {}");
});

test("a plain-text client against the TLS port fails, and does not hang", async (t) => {
  const { server } = await tlsApiServer(t);
  await assert.rejects(listNodes(`127.0.0.1:${server.port}`, {}), (e: unknown) => e instanceof ConnectError);
});
