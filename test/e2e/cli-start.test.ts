/**
 * A client command loads only what it needs: the built CLI (a bundle, with a
 * chunk per command file) never loads the Host's or Runner's code, nor the
 * files of other commands; `--version` loads no client stack at all. The
 * evidence is the list of modules the ES loader loaded (record-loads.ts).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { CLI, TestCluster } from "../helpers/cluster.js";

const RECORDER = fileURLToPath(new URL("../helpers/record-loads.js", import.meta.url));
/** Packages only the Host or a Runner use. */
const SERVER_PACKAGES = ["better-sqlite3", "kysely", "pino", "dockerode", "ssh2", "@peculiar/x509", "ws"];

/** Runs the built CLI with `args` and returns its exit, output and the URLs it loaded. */
function loadsOf(args: string[], env: Record<string, string> = {}): { code: number | null; stdout: string; stderr: string; urls: string[] } {
  const dir = mkdtempSync(join(tmpdir(), "hakuriver-loads-"));
  try {
    const file = join(dir, "loads.txt");
    const result = spawnSync(process.execPath, ["--import", RECORDER, CLI, ...args], { env: { ...process.env, ...env, HAKURIVER_TEST_LOADS: file }, encoding: "utf8" });
    const urls = readFileSync(file, "utf8").split("\n").filter((u) => u !== "" && !u.includes("/test/helpers/record-loads"));
    return { code: result.status, stdout: result.stdout, stderr: result.stderr, urls };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The loaded files of the bundle's directory, by name. */
function bundleFiles(urls: readonly string[]): string[] {
  const bin = dirname(CLI);
  return urls.filter((u) => u.startsWith("file:") && dirname(fileURLToPath(u)) === bin).map((u) => basename(fileURLToPath(u)));
}

function assertNoServerCode(urls: readonly string[]): void {
  for (const url of urls) {
    assert.doesNotMatch(url, /\/dist\/src\/(host|runner)\//, `loaded server code: ${url}`);
    for (const name of SERVER_PACKAGES) assert.ok(!url.includes(`/node_modules/${name}/`), `loaded ${name}: ${url}`);
  }
}

test("the bin is one bundle with source maps, loading nothing from dist/src or node_modules for --version", () => {
  const bundle = readFileSync(CLI, "utf8");
  assert.match(bundle, /\/\/# sourceMappingURL=hakuriver\.js\.map\s*$/);
  const map = JSON.parse(readFileSync(`${CLI}.map`, "utf8")) as { sources: string[] };
  assert.ok(map.sources.some((s) => s.endsWith("src/main.ts")), `the map names src/main.ts: ${map.sources.slice(0, 5).join(", ")}`);

  const run = loadsOf(["--version"]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /^\d+\.\d+\.\d+\n$/);
  assertNoServerCode(run.urls);
  const files = run.urls.filter((u) => u.startsWith("file:"));
  assert.deepEqual(files.filter((u) => !bundleFiles([u]).length), [], "only the bundle's own files");
  // No command file and no client stack: no contract, no HTTP/2, no TLS.
  assert.ok(!run.urls.includes("node:http2") && !run.urls.includes("node:tls"), `the client stack was loaded: ${run.urls.join(" ")}`);
  assert.deepEqual(bundleFiles(run.urls).filter((f) => /-(task|vps|docker|ssh|top|client_pb)-/.test(f)), []);
});

test("task status ID against a real Host loads the task commands' file and the client, no server code, no other command", async () => {
  const cluster = new TestCluster();
  try {
    await cluster.startHost();
    const { tasks } = await cluster.client.submitTask({ command: "true", container: "NULL" });
    const id = tasks[0]!.taskId;
    const run = loadsOf(["task", "status", id], cluster.cliEnv());
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, new RegExp(`\\b${id}\\b`));
    assertNoServerCode(run.urls);
    assert.ok(run.urls.includes("node:http2"), "the client stack (HTTP/2) was loaded");
    const files = bundleFiles(run.urls);
    assert.ok(files.some((f) => /^hakuriver-task-/.test(f)), `the task commands' chunk: ${files.join(" ")}`);
    assert.deepEqual(files.filter((f) => /^hakuriver-(vps|docker|ssh|top|top-view|logs|nodes|users|tokens|audit|init|auth|servers)-/.test(f)), [], `other commands' chunks: ${files.join(" ")}`);
  } finally {
    await cluster.cleanup();
  }
});
