/**
 * The README's second command, `npm run cluster`, as a new user runs it:
 * a fresh home, nothing set, auth on. The script must start the Host and a
 * runner, log this user in with the admin token, and leave a cluster that
 * runs a task with no token given by hand.
 */
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { runCli } from "../helpers/cluster.js";

const root = fileURLToPath(new URL("../../..", import.meta.url));
const home = mkdtempSync(join(tmpdir(), "hakuriver-home-"));

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** The environment of a user with a fresh home: no HakuRiver variables at all. */
function userEnv(extra: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith("HAKURIVER_") && value !== undefined) env[key] = value;
  return { ...env, HOME: home, ...extra };
}

/**
 * The addresses that listen on `port`, from /proc/net/tcp and tcp6 (state 0A =
 * LISTEN): IPv4 ones dotted, IPv6 ones as the kernel's hex.
 */
function listenAddresses(port: number): string[] {
  const lines = ["/proc/net/tcp", "/proc/net/tcp6"].flatMap((file) => readFileSync(file, "utf8").trim().split("\n").slice(1));
  const found: string[] = [];
  for (const line of lines) {
    const [, local, , state] = line.trim().split(/\s+/);
    const [hexIp, hexPort] = (local ?? "").split(":");
    if (state !== "0A" || Number.parseInt(hexPort ?? "", 16) !== port || !hexIp) continue;
    if (hexIp.length > 8) {
      found.push(`ipv6 ${hexIp}`);
      continue;
    }
    // Little-endian bytes: 0100007F is 127.0.0.1.
    found.push([3, 2, 1, 0].map((i) => Number.parseInt(hexIp.slice(i * 2, i * 2 + 2), 16)).join("."));
  }
  return found;
}

let ports: Record<string, string> = {};

after(() => {
  spawnSync("bash", [".ci/local-cluster.sh", "stop"], { cwd: root, env: userEnv(ports), encoding: "utf8" });
  rmSync(home, { recursive: true, force: true });
});

test("npm run cluster gives a working, logged-in cluster on a fresh home, auth on", async () => {
  ports = { HAKURIVER_NETWORK_HOST_PORT: String(await freePort()), HAKURIVER_NETWORK_HOST_SSH_PROXY_PORT: String(await freePort()) };
  const started = spawnSync("bash", [".ci/local-cluster.sh", "start"], { cwd: root, env: userEnv(ports), encoding: "utf8", timeout: 60_000 });
  assert.equal(started.status, 0, `${started.stdout}\n${started.stderr}`);
  assert.match(started.stdout, /Logged in to 127\.0\.0\.1:\d+ as admin/);
  assert.match(started.stdout, /online/);
  const api = Number(ports.HAKURIVER_NETWORK_HOST_PORT);
  const proxy = Number(ports.HAKURIVER_NETWORK_HOST_SSH_PROXY_PORT);
  // What it prints is what the Host listens on: loopback only, API and SSH proxy.
  assert.match(started.stdout, new RegExp(`Local cluster running \\(Host listening on 127\\.0\\.0\\.1:${api}, SSH proxy on 127\\.0\\.0\\.1:${proxy};`));
  assert.match(started.stdout, /Try: hakuriver task submit/);
  assert.doesNotMatch(started.stdout, /npx/);
  assert.deepEqual(listenAddresses(api), ["127.0.0.1"], "the API port listens on loopback only");
  assert.deepEqual(listenAddresses(proxy), ["127.0.0.1"], "the SSH proxy listens on loopback only");
  assert.equal(statSync(join(home, ".hakuriver", "admin.token")).mode & 0o777, 0o600, "the admin token is readable only by its user");
  assert.equal(statSync(join(home, ".hakuriver", "credentials")).mode & 0o777, 0o600);
  // As the README says to type it: no --host, no token.
  const env = userEnv({ HAKURIVER_NETWORK_HOST_PORT: ports.HAKURIVER_NETWORK_HOST_PORT! });
  const submitted = await runCli(["task", "submit", "--wait", "--", "echo", "hello"], env);
  assert.equal(submitted.code, 0, submitted.stderr);
  const whoami = await runCli(["whoami"], env);
  assert.match(whoami.stdout, /admin/);
  // Someone without the credential is refused.
  const stranger = await runCli(["nodes"], { ...env, HOME: mkdtempSync(join(tmpdir(), "hakuriver-stranger-")) });
  assert.notEqual(stranger.code, 0);
  assert.match(stranger.stderr, /no credential for 127\.0\.0\.1:\d+: run hakuriver login/);
});
