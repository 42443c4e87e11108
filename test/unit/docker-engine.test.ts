/**
 * A real dockerode client against a fake engine on a unix socket that
 * answers with a redirect to another local server: the redirect must not be
 * followed (no request reaches the other server) and the call must reject
 * (not crash the process).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { engineClient } from "../../src/shared/docker-engine.js";


test("engine clients refuse redirects instead of following them", async () => {
  const dir = mkdtempSync(join(tmpdir(), "hakuriver-engine-"));
  let reachedElsewhere = 0;
  const elsewhere = createServer((_req, res) => {
    reachedElsewhere += 1;
    res.end("{}");
  });
  await new Promise<void>((resolve) => elsewhere.listen(0, "127.0.0.1", () => resolve()));
  const target = `http://127.0.0.1:${(elsewhere.address() as AddressInfo).port}/images/x/json`;
  const engine = createServer((_req, res) => {
    res.writeHead(301, { location: target });
    res.end();
  });
  const socketPath = join(dir, "docker.sock");
  await new Promise<void>((resolve) => engine.listen(socketPath, () => resolve()));
  try {
    const docker = engineClient({ socketPath });
    await assert.rejects(docker.getImage("anything").inspect(), /redirect|301/i);
    // A followed redirect is sent after the original call failed: give it time to arrive.
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(reachedElsewhere, 0, "the redirect was followed");
  } finally {
    engine.close();
    elsewhere.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
