/**
 * The runner's tunnel dialer against a small real HTTP/2 Host: closeAll
 * (called when the runner stops) ends every open tunnel stream.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer as createHttp2Server } from "node:http2";
import { createServer as createTcpServer, type AddressInfo, type Server } from "node:net";
import { create } from "@bufbuild/protobuf";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { pino } from "pino";
import { OpenTunnelSchema, RunnerService, type TunnelRequest } from "../../gen/hakuriver/v1/runner_pb.js";
import { TunnelDialer } from "../../src/runner/tunnels.js";

function listen(server: Server | ReturnType<typeof createHttp2Server>): Promise<number> {
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)));
}

test("closeAll ends every open tunnel", async () => {
  let streams = 0;
  const host = createHttp2Server(connectNodeAdapter({
    routes: (router) => router.service(RunnerService, {
      async *tunnel(requests: AsyncIterable<TunnelRequest>) {
        streams += 1;
        // Hold the stream open for as long as the runner sends (an idle SSH session).
        for await (const request of requests) void request;
      },
    }),
  }));
  const sshd = createTcpServer((socket) => socket.on("error", () => {}));
  const hostPort = await listen(host);
  const sshPort = await listen(sshd);
  try {
    const dialer = new TunnelDialer({ hostAddress: `127.0.0.1:${hostPort}`, joinToken: "", log: pino({ level: "silent" }), portOf: () => sshPort });
    const opened = dialer.open(create(OpenTunnelSchema, { taskId: "7", tunnelId: "t1" }));
    for (let i = 0; streams === 0; i++) {
      assert.ok(i < 500, "the tunnel stream reached the Host");
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    assert.equal(dialer.count, 1);
    dialer.closeAll();
    await opened;
    assert.equal(dialer.count, 0);
  } finally {
    sshd.close();
    host.close();
  }
});
