/**
 * Other languages generate clients from our protos: a Python client made
 * with protoc and grpcio (Debian's packages) talks to a real Host.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { TestCluster } from "../helpers/cluster.js";

const run = promisify(execFile);
const root = fileURLToPath(new URL("../../../", import.meta.url));
let cluster: TestCluster;

before(async () => {
  cluster = new TestCluster();
  await cluster.startHost();
  await cluster.startRunner("py-node");
});

after(async () => {
  await cluster.cleanup();
});

test("a Python grpcio client generated from proto/ submits, follows logs and gets gRPC status codes", async () => {
  const out = join(cluster.dir, "python");
  mkdirSync(out);
  const protos = readdirSync(join(root, "proto/hakuriver/v1")).map((f) => join(root, "proto/hakuriver/v1", f));
  await run("protoc", [`-I${join(root, "proto")}`, "-I/usr/include", `--python_out=${out}`, `--grpc_out=${out}`, "--plugin=protoc-gen-grpc=/usr/bin/grpc_python_plugin", ...protos]);
  const { stdout } = await run("/usr/bin/python3", [join(root, "test/fixtures/python_client.py"), cluster.address, out, cluster.adminToken], { timeout: 60_000 });
  const seen = JSON.parse(stdout) as { output: string; status: string; exitCode: number; notFound: string; details: string; nodes: string[]; anonymous: string };
  assert.equal(seen.output, "from python\n");
  assert.equal(seen.status, "TASK_STATUS_COMPLETED");
  assert.equal(seen.exitCode, 0);
  assert.equal(seen.notFound, "NOT_FOUND");
  assert.equal(seen.details, "task 1 not found");
  assert.deepEqual(seen.nodes, ["py-node"]);
  assert.equal(seen.anonymous, "UNAUTHENTICATED", "a call without the token is refused");
});
