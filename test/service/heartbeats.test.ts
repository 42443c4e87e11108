/**
 * Heartbeats through the real control stream of an in-memory Host with a
 * long flush interval: ListNodes shows a heartbeat as soon as the Host has
 * it (nothing stored yet), and the Host's stop stores it, so a restart
 * lists the node as last seen.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { timestampMs } from "@bufbuild/protobuf/wkt";
import { NodeStatus } from "../../gen/hakuriver/v1/types_pb.js";
import { openDatabase } from "../../src/host/store/open-db.js";
import { NodeRepo } from "../../src/host/store/node-repo.js";
import { inMemoryHost, ScriptedRunner } from "../helpers/in-memory-host.js";

/** Polls briefly (real time) until `check` holds. */
async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function storedNode(dbFile: string, name: string) {
  const db = await openDatabase(dbFile);
  try {
    return await new NodeRepo(db.db).get(name);
  } finally {
    await db.close();
  }
}

test("ListNodes shows the newest heartbeat before it is stored; the Host's stop stores it", async () => {
  const host = await inMemoryHost({ heartbeatFlushIntervalMs: 60_000 });
  const dbFile = join(host.dir, "host.db");
  let stopped = false;
  try {
    const runner = new ScriptedRunner(host.runnerClient, "node-hb");
    assert.equal((await runner.next()).message.case, "welcome");
    runner.freeze();
    runner.send({ message: { case: "heartbeat", value: { usage: { cpuPercent: 63.5 } } } });
    let listed = 0;
    await until(async () => {
      const node = (await host.client.listNodes({})).nodes.find((n) => n.name === "node-hb");
      listed = node?.lastHeartbeat ? Number(timestampMs(node.lastHeartbeat)) : 0;
      return node?.status === NodeStatus.ONLINE && node.usage?.cpuPercent === 63.5;
    }, "the heartbeat's usage in ListNodes");
    const before = await storedNode(dbFile, "node-hb");
    assert.notEqual((before?.usage as { cpuPercent?: number } | undefined)?.cpuPercent, 63.5, "not stored before the flush");

    await runner.disconnect();
    await host.core.stop();
    stopped = true;
    const after = await storedNode(dbFile, "node-hb");
    assert.equal((after?.usage as { cpuPercent?: number } | undefined)?.cpuPercent, 63.5, "the stop stored the last usage");
    assert.equal(after?.lastHeartbeat, listed, "and the last-seen time ListNodes showed");
  } finally {
    if (stopped) rmSync(host.dir, { recursive: true, force: true });
    else await host.close();
  }
});
