/**
 * `--json` through the CLI as typed: the shared shapes (lower-case status
 * words, every field present), and `logs --json` as JSON lines.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { TestCluster, submittedIds } from "../helpers/cluster.js";

let cluster: TestCluster;

before(async () => {
  cluster = new TestCluster();
  await cluster.startHost();
  await cluster.startRunner("json-node");
});

after(async () => {
  await cluster.cleanup();
});

test("task submit --wait --json prints {batchId, tasks} with status words and every field", async () => {
  const result = await cluster.cli(["task", "submit", "--wait", "--json", "--container", "NULL", "--", "sh", "-c", "printf 'h\\303\\251\\n'; printf '\\377' >&2; exit 3"]);
  assert.equal(result.code, 3, result.stderr);
  const batch = JSON.parse(result.stdout) as { batchId: string; tasks: Record<string, unknown>[] };
  assert.deepEqual(Object.keys(batch), ["batchId", "tasks"]);
  const task = batch.tasks[0]!;
  assert.equal(task.status, "failed");
  assert.equal(task.kind, "command");
  assert.equal(task.exitCode, 3);
  assert.equal(task.numaNode, null, "unset optional fields are null, not missing");
  assert.deepEqual(task.gpus, []);

  const id = submittedIds(result.stdout)[0]!;
  const logs = await cluster.cli(["logs", id, "--json"]);
  assert.equal(logs.code, 0, logs.stderr);
  const records = logs.stdout.trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.deepEqual(records[0], { stream: "stdout", offset: "0", bytes: "4", data: "hé\n", dataBase64: null });
  assert.deepEqual(records.at(-1), { end: { status: "failed", exitCode: 3, size: "4" } });
  const stderr = await cluster.cli(["logs", id, "--stderr", "--json"]);
  const first = JSON.parse(stderr.stdout.split("\n")[0]!) as Record<string, unknown>;
  assert.deepEqual(first, { stream: "stderr", offset: "0", bytes: "1", data: null, dataBase64: "/w==" }, "bytes that are not UTF-8 come as base64");
});

test("nodes, health and node undrain --json use one node shape with zero values present", async () => {
  const nodes = JSON.parse((await cluster.cli(["nodes", "--json"])).stdout) as Record<string, unknown>[];
  const node = nodes.find((n) => n.name === "json-node")!;
  assert.equal(node.status, "online");
  const health = JSON.parse((await cluster.cli(["health", "--json"])).stdout) as { nodes: Record<string, unknown>[] };
  const undrained = JSON.parse((await cluster.cli(["node", "undrain", "json-node", "--json"])).stdout) as Record<string, unknown>;
  for (const shape of [health.nodes[0]!, undrained]) {
    assert.deepEqual(Object.keys(shape), Object.keys(node), "the same fields in every command's node");
    assert.equal(shape.drained, false);
    assert.equal(shape.status, "online");
  }
});
