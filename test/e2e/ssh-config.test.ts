/**
 * `hakuriver ssh-config ID --install` as a new user runs it: a fresh HOME
 * with no ~/.ssh, a real VPS (Debian sshd in the local engine), the real
 * OpenSSH client logging in through the Host's proxy with strict host-key
 * checking against the key the runner reported.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { FAST_TIMING, TestCluster, type CliResult } from "../helpers/cluster.js";
import { sh } from "../helpers/netns.js";

const IMAGE = "hakuriver-test/debian-sshd:latest";
const ENV = "sshcfg";

function runSsh(args: readonly string[], env: Record<string, string>): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn("ssh", [...args], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.once("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

describe("ssh-config --install on a fresh machine", { timeout: 400_000 }, () => {
  const cluster = new TestCluster({ ...FAST_TIMING, HAKURIVER_TLS_MODE: "off" });
  const home = join(cluster.dir, "home");
  const keyDir = join(cluster.dir, "keys");
  const key = join(keyDir, "vps_key");
  const env = () => ({ HOME: home });
  let vpsId = "";

  before(async () => {
    await sh("docker", ["image", "inspect", IMAGE]).catch(() => assert.fail(`${IMAGE} is missing (run .ci/test-images.sh)`));
    await sh("docker", ["tag", IMAGE, `hakuriver/${ENV}:base`]);
    mkdirSync(home, { recursive: true });
    mkdirSync(keyDir, { recursive: true });
    await sh("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", key]);
    await cluster.startHost();
    await cluster.startRunner("sshcfg-node");
    const submitted = await cluster.cli(["vps", "submit", "--container", ENV, "--public-key-file", `${key}.pub`, "--wait", "--json"], env());
    assert.equal(submitted.code, 0, submitted.stderr + submitted.stdout);
    vpsId = (JSON.parse(submitted.stdout) as { tasks: { taskId: string }[] }).tasks[0]!.taskId;
  });

  after(async () => {
    if (vpsId) await cluster.cli(["vps", "kill", vpsId], env());
    await cluster.cleanup();
    if (vpsId) await sh("docker", ["rm", "-f", `hakuriver-vps-${vpsId}`]).catch(() => {});
  });

  it("the Host publishes the sshd host keys the runner read", async () => {
    const { task } = await cluster.client.getTask({ taskId: vpsId });
    assert.ok(task!.sshHostKeys.length > 0, "no host keys on the task");
    assert.ok(task!.sshHostKeys.every((k) => /^(ssh|ecdsa)-\S+ [A-Za-z0-9+/=]+$/.test(k)), task!.sshHostKeys.join("\n"));
  });

  it("creates ~/.ssh (0700) and one block, twice run, with IdentityFile and strict checking", async () => {
    assert.equal(existsSync(join(home, ".ssh")), false);
    const args = ["ssh-config", vpsId, "--install", "--proxy-port", String(cluster.sshProxyPort)];
    const first = await cluster.cli(args, env());
    assert.equal(first.code, 0, first.stderr);
    assert.equal(statSync(join(home, ".ssh")).mode & 0o777, 0o700);
    assert.equal(statSync(join(home, ".ssh", "config")).mode & 0o777, 0o600);
    const second = await cluster.cli(args, env());
    assert.equal(second.code, 0, second.stderr);
    const config = readFileSync(join(home, ".ssh", "config"), "utf8");
    assert.equal(config.split(`# BEGIN hakuriver vps-${vpsId} `).length, 2, config);
    assert.equal(config.split(`Host hakuriver-${vpsId}\n`).length, 2, config);
    assert.match(config, new RegExp(`IdentityFile ${key}\\n`));
    assert.match(config, /StrictHostKeyChecking yes/);
    assert.doesNotMatch(config, /StrictHostKeyChecking (no|accept-new)/);
    assert.match(readFileSync(join(home, ".hakuriver", "known_hosts"), "utf8"), new RegExp(`^hakuriver-${vpsId} ssh-ed25519 `, "m"));
  });

  it("ssh -F ~/.ssh/config hakuriver-ID logs in with the host key checked", async () => {
    const login = await runSsh(["-F", join(home, ".ssh", "config"), "-o", "BatchMode=yes", `hakuriver-${vpsId}`, "echo", "in-the-vps"], cluster.cliEnv(env()));
    assert.equal(login.code, 0, login.stderr);
    assert.equal(login.stdout.trim(), "in-the-vps");
  });

  it("a tampered known_hosts entry makes ssh refuse", async () => {
    const knownHosts = join(home, ".hakuriver", "known_hosts");
    const good = readFileSync(knownHosts, "utf8");
    const fake = join(keyDir, "fake");
    await sh("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", fake]);
    const fakeKey = readFileSync(`${fake}.pub`, "utf8").trim().split(" ").slice(0, 2).join(" ");
    writeFileSync(knownHosts, `hakuriver-${vpsId} ${fakeKey}\n`);
    try {
      const login = await runSsh(["-F", join(home, ".ssh", "config"), "-o", "BatchMode=yes", `hakuriver-${vpsId}`, "true"], cluster.cliEnv(env()));
      assert.notEqual(login.code, 0);
      assert.match(login.stderr, /REMOTE HOST IDENTIFICATION HAS CHANGED|Host key verification failed/);
    } finally {
      writeFileSync(knownHosts, good);
    }
  });
});
