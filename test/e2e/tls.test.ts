/**
 * TLS on the Host's API port, end to end: a Host started with `--tls auto`,
 * the CLI and a runner pinning its fingerprint or trusting its certificate
 * file, a browser-like HTTP/1.1 client, and the ways it must fail (a wrong
 * pin, a plain-text client, a Host given a broken certificate).
 *
 * Every process runs with auth.enabled = false for now: users, roles and
 * tokens are being added beside this work, and this test is about the
 * transport, not about credentials.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { FAST_TIMING, TestCluster, runCli, submittedIds, waitUntil, type CliResult } from "../helpers/cluster.js";

/** No stack trace: one-line errors only. */
function assertNoStack(result: CliResult): void {
  assert.doesNotMatch(result.stderr, /^\s+at /m, result.stderr);
}

describe("TLS on the Host's API port", () => {
  const cluster = new TestCluster(FAST_TIMING);
  const certFile = join(cluster.dir, "tls", "host.crt");
  let fingerprint = "";
  const cli = (args: string[], env: Record<string, string> = {}) => cluster.cli(args, env);
  const pinned = (args: string[]) => cli(["--tls-fingerprint", fingerprint, ...args]);
  const online = async (name: string): Promise<boolean> => {
    const result = await pinned(["nodes", "--json"]);
    if (result.code !== 0) return false;
    return (JSON.parse(result.stdout) as { name: string; status: string }[]).some((n) => n.name === name && n.status === "online");
  };

  before(async () => {
    await cluster.startHost(0, ["--tls", "auto"]);
    const match = /^TLS on \(auto certificate (\S+)\), SHA-256 fingerprint ((?:[0-9A-F]{2}:){31}[0-9A-F]{2})$/m.exec(cluster.host!.output());
    assert.ok(match, `the Host printed its TLS line:\n${cluster.host!.output()}`);
    assert.equal(match[1], certFile, "the certificate lies in the state dir (the db file's dir)");
    fingerprint = match[2]!;
    const lines = cluster.host!.output().split("\n");
    assert.ok(lines.findIndex((l) => l.startsWith("TLS on")) < lines.findIndex((l) => l.startsWith("HakuRiver host listening on")), "TLS line first");
  });

  after(() => cluster.cleanup());

  it("serves the CLI when it pins the fingerprint", async () => {
    const result = await pinned(["nodes"]);
    assert.equal(result.code, 0, result.stderr);
  });

  it("serves a runner that pins it: it comes online and runs a task", async () => {
    const runner = await cluster.startRunner("tls-pinned", { env: { HAKURIVER_TLS_FINGERPRINT: fingerprint }, wait: false });
    await waitUntil(() => online("tls-pinned"), 20_000, () => `runner never came online\n${runner.output()}`);
    const submitted = await pinned(["task", "submit", "--wait", "--json", "--target", "tls-pinned", "--", "echo", "hi"]);
    assert.equal(submitted.code, 0, submitted.stderr);
    const [id] = submittedIds(submitted.stdout);
    const logs = await pinned(["logs", id!]);
    assert.equal(logs.stdout, "hi\n", logs.stderr);
  });

  it("serves a runner that trusts the certificate file", async () => {
    const runner = await cluster.startRunner("tls-ca", { env: { HAKURIVER_TLS_CA_FILE: certFile }, wait: false });
    await waitUntil(() => online("tls-ca"), 20_000, () => `runner never came online\n${runner.output()}`);
  });

  it("refuses a wrong pin with a message that names both fingerprints, and no stack trace", async () => {
    const wrong = fingerprint.replace(/^../, fingerprint.startsWith("00") ? "11" : "00");
    const result = await cli(["--tls-fingerprint", wrong, "nodes"]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, new RegExp(`^error \\(unavailable\\): the Host's certificate has SHA-256 fingerprint ${fingerprint}, not the pinned ${wrong}: check --tls-fingerprint$`, "m"));
    assertNoStack(result);
    const malformed = await cli(["--tls-fingerprint", "AB:CD", "nodes"]);
    assert.equal(malformed.code, 2);
    assert.match(malformed.stderr, /tls\.fingerprint "AB:CD" is not a SHA-256 fingerprint/);
  });

  it("verifies the Host against --ca, by its name localhost", async () => {
    const result = await cli(["--ca", certFile, "nodes"], { HAKURIVER_HOST: `localhost:${cluster.port}` });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /tls-pinned/);
  });

  it("answers HTTP/1.1 over TLS (what browsers speak) with Connect JSON", async () => {
    const { stdout } = await promisify(execFile)("curl", [
      "-sS", "--fail", "--http1.1", "--cacert", certFile,
      "-H", "content-type: application/json", "-H", `authorization: Bearer ${cluster.adminToken}`, "-d", "{}",
      `https://localhost:${cluster.port}/hakuriver.v1.ClientService/ListNodes`,
    ]);
    const body = JSON.parse(stdout) as { nodes: { name: string }[] };
    assert.ok(body.nodes.some((n) => n.name === "tls-pinned"), stdout);
  });

  it("fails a plain-text client cleanly, with a hint", async () => {
    const result = await cli(["nodes"]);
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /^error: the Host at \S+ dropped the connection \(.*\)\. If it serves TLS .* pass --tls-fingerprint FP or --ca FILE\.$/m);
    assertNoStack(result);
  });

  it("a Host given a garbage certificate does not start, and says why", async () => {
    const garbage = join(cluster.dir, "garbage.crt");
    writeFileSync(garbage, "this is not a certificate\n");
    const args = ["host", "--bind", "127.0.0.1", "--port", "0", "--ssh-proxy-port", "0", "--db", join(cluster.dir, "other", "host.db"), "--shared-dir", cluster.sharedDir];
    const result = await runCli([...args, "--tls-cert", garbage, "--tls-key", garbage], cluster.env, undefined, 20_000);
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, new RegExp(`^error: tls\\.cert_file ${garbage} is not a PEM certificate`, "m"));
    assert.doesNotMatch(result.stdout, /listening on/);
    assertNoStack(result);
    const keyless = await runCli([...args, "--tls-cert", certFile], cluster.env, undefined, 20_000);
    assert.notEqual(keyless.code, 0);
    assert.match(keyless.stderr, /tls\.cert_file is set .* but tls\.key_file is not/);
  });
});
