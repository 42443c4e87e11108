/**
 * A second compiled language: a Go client built from the stubs in gen/go
 * (protoc-gen-go and protoc-gen-go-grpc) and Debian's grpc-go and protobuf
 * sources, in GOPATH mode with no module download, talks to a real Host.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdirSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { TestCluster } from "../helpers/cluster.js";

const run = promisify(execFile);
const root = fileURLToPath(new URL("../../../", import.meta.url));
/** Shared by every run on the machine (Go's cache is safe for concurrent builds). */
const GO_CACHE = join(tmpdir(), "hakuriver-go-build-cache");
/** Where Debian's golang-*-dev packages put their sources. */
const DEBIAN_GOPATH = "/usr/share/gocode";

let cluster: TestCluster;
let client: string;
let buildMs: number;

/**
 * Builds test/go/hakuriver-client into dir. The import path
 * hakuriver.dev/gen/go/... resolves through a GOPATH whose src/hakuriver.dev/gen
 * is a link to this checkout's gen/, so the client compiles against the
 * committed stubs as they are. -trimpath keeps that per-test directory out of
 * the cache keys, so a second run reuses every compiled package (cold ~10-30 s
 * on two busy cores, warm ~1 s).
 */
async function buildGoClient(dir: string): Promise<string> {
  const gopath = join(dir, "gopath");
  mkdirSync(join(gopath, "src", "hakuriver.dev"), { recursive: true });
  symlinkSync(join(root, "gen"), join(gopath, "src", "hakuriver.dev", "gen"));
  const binary = join(dir, "hakuriver-client");
  const env = { ...process.env, GO111MODULE: "off", GOPATH: `${gopath}:${DEBIAN_GOPATH}`, GOCACHE: GO_CACHE, GOFLAGS: "" };
  await run("go", ["build", "-trimpath", "-o", binary, "./test/go/hakuriver-client"], { cwd: root, env, timeout: 240_000 });
  return binary;
}

before(async () => {
  cluster = new TestCluster();
  const started = Date.now();
  [client] = await Promise.all([
    buildGoClient(cluster.dir).then((binary) => {
      buildMs = Date.now() - started;
      return binary;
    }),
    cluster.startHost().then(() => cluster.startRunner("go-node")),
  ]);
});

after(async () => {
  await cluster.cleanup();
});

/** What test/go/hakuriver-client prints. */
interface GoSeen {
  taskId: string;
  output: string;
  chunks: number;
  offsetsInOrder: boolean;
  endEvents: number;
  endStatus: string;
  endExitCode: number | null;
  endSize: number;
  taskStatus: string;
  taskExitCode: number | null;
  notFound: string;
  notFoundCode: number;
  details: string;
  nodes: string[];
  anonymous: string;
}

test("a Go grpc-go client generated from proto/ submits, follows logs to the exit code and gets gRPC status codes", async (t) => {
  t.diagnostic(`go build (GOPATH mode, cache ${GO_CACHE}) took ${buildMs} ms`);
  const { stdout } = await run(client, [cluster.address, cluster.adminToken], { timeout: 60_000 });
  const seen = JSON.parse(stdout) as GoSeen;
  assert.match(seen.taskId, /^\d+$/);
  assert.equal(seen.output, "from go\n");
  assert.ok(seen.chunks >= 1, "the output came in data chunks");
  assert.ok(seen.offsetsInOrder, "each chunk starts where the one before ended");
  assert.equal(seen.endEvents, 1, "one end event, then the stream closes");
  assert.equal(seen.endStatus, "TASK_STATUS_FAILED");
  assert.equal(seen.endExitCode, 3);
  assert.equal(seen.endSize, Buffer.byteLength("from go\n"));
  assert.equal(seen.taskStatus, seen.endStatus, "GetTask reports the final status the stream ended with");
  assert.equal(seen.taskExitCode, 3);
  assert.equal(seen.notFound, "NotFound", "Go sees NOT_FOUND as codes.NotFound");
  assert.equal(seen.notFoundCode, 5);
  assert.equal(seen.details, "task 1 not found");
  assert.deepEqual(seen.nodes, ["go-node"]);
  assert.equal(seen.anonymous, "Unauthenticated", "a call without the token is refused");
});
