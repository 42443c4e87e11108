/**
 * VPS tasks and SSH through the Host to a runner behind NAT, for real: the
 * runner and its own dockerd live in a network namespace that can dial the
 * Host but that nothing can dial into; a Debian container runs sshd; the
 * system OpenSSH client logs in with `hakuriver ssh` and `ssh-config`.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { createReadStream, readFileSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { CLI, FAST_TIMING, TestCluster, waitUntil, type CliResult } from "../helpers/cluster.js";
import { NatNode, natUnsupported, sh } from "../helpers/netns.js";

const IMAGE = "hakuriver-test/debian-sshd:latest";
const ENV = "vpsdeb";

/** Sends a raw request line to the proxy; resolves with everything it answered. */
function rawRequest(host: string, port: number, line: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port }, () => socket.write(line));
    let text = "";
    socket.on("data", (d: Buffer) => (text += d.toString()));
    socket.on("error", reject);
    socket.on("close", () => resolve(text));
    setTimeout(() => socket.destroy(), 20_000).unref();
  });
}

/** Whether a TCP connect to host:port succeeds within `ms`. */
function canConnect(host: string, port: number, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const timer = setTimeout(() => (socket.destroy(), resolve(false)), ms);
    socket.once("connect", () => (clearTimeout(timer), socket.destroy(), resolve(true)));
    socket.once("error", () => (clearTimeout(timer), resolve(false)));
  });
}

async function sha256(file: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

function runTool(command: string, args: readonly string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(command, [...args], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.once("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

describe("VPS over SSH to a runner behind NAT", { timeout: 600_000 }, () => {
  let nat: NatNode;
  // The Host binds the NAT's veth address (not loopback), where TLS would default to on;
  // this test is about tunnels, and its helpers dial plain text (TLS is test/e2e/tls.test.ts's).
  const cluster = new TestCluster({ ...FAST_TIMING, HAKURIVER_TLS_MODE: "off" });
  const key = join(cluster.dir, "key");
  let vpsId = "";
  let sshArgs: string[] = [];

  // A HOME of its own: ssh-config writes ~/.hakuriver/known_hosts, vps submit notes its key there.
  const home = join(cluster.dir, "home");
  const cli = (args: string[]) => cluster.cli(args, { HOME: home });
  const vpsStatus = async (id: string) => (await cluster.client.getTask({ taskId: id })).task!;

  before(async () => {
    // What this test needs is installed by .ci/setup.sh; its absence is a failure, never a skip.
    const unsupported = await natUnsupported();
    assert.equal(unsupported, undefined, `cannot run the NAT test: ${unsupported}`);
    await sh("docker", ["image", "inspect", IMAGE]).catch(() => assert.fail(`${IMAGE} is missing (run .ci/test-images.sh)`));
    nat = await NatNode.create();
    await nat.startDocker();
    await nat.loadImage(IMAGE, `hakuriver/${ENV}:base`);
    await sh("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", key]);
    cluster.hostIp = nat.hostIp;
    await cluster.startHost();
    assert.ok(cluster.sshProxyPort > 0, "the host printed its ssh proxy port");
    await cluster.startRunner("natnode", { wrapper: nat.wrapper, env: { DOCKER_HOST: nat.dockerHost, HAKURIVER_RUNNER_DOCKER_HOST: nat.dockerHost } });
    const submitted = await cli(["vps", "submit", "--container", ENV, "--public-key-file", `${key}.pub`, "--wait", "--json"]);
    assert.equal(submitted.code, 0, submitted.stderr + submitted.stdout);
    vpsId = (JSON.parse(submitted.stdout) as { tasks: { taskId: string }[] }).tasks[0]!.taskId;
    sshArgs = ["ssh", vpsId, "--proxy-port", String(cluster.sshProxyPort), "--", "-i", key, "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes"];
  });

  after(async () => {
    await cluster.cleanup();
    await nat?.destroy();
  });

  it("starts the VPS container in the node's engine, sshd on its loopback only", async () => {
    const task = await vpsStatus(vpsId);
    assert.equal(task.assignedNode, "natnode");
    assert.ok(task.sshPort > 0);
    const inspect = JSON.parse(await nat.docker(["inspect", `hakuriver-vps-${vpsId}`]))[0];
    assert.equal(inspect.HostConfig.RestartPolicy.Name, "unless-stopped");
    assert.equal(inspect.Config.Labels["hakuriver.task_id"], vpsId);
    assert.deepEqual(inspect.NetworkSettings.Ports["22/tcp"].map((p: { HostIp: string }) => p.HostIp), ["127.0.0.1"]);
    // Behind NAT: nothing in the root namespace can dial the node.
    assert.equal(await canConnect(nat.nodeIp, task.sshPort, 1500), false);
    const status = await cli(["vps", "status", vpsId]);
    assert.match(status.stdout, new RegExp(`hakuriver ssh ${vpsId}`));
    const list = await cli(["vps", "list"]);
    assert.match(list.stdout, new RegExp(`${vpsId}\\s+running\\s+natnode`));
  });

  it("hakuriver ssh ID -- uname -a prints the container's kernel line and returns ssh's exit code", async () => {
    const expected = (await nat.docker(["exec", `hakuriver-vps-${vpsId}`, "uname", "-a"])).trim();
    const result = await cli([...sshArgs, "uname", "-a"]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout.trim(), expected);
    const failing = await cli([...sshArgs, "exit", "7"]);
    assert.equal(failing.code, 7);
  });

  it("hakuriver ssh ID checks the VPS's host key against the one its runner reported", async () => {
    const task = await vpsStatus(vpsId);
    assert.ok(task.sshHostKeys.length > 0, "the runner reported host keys");
    const options = sshArgs.slice(sshArgs.indexOf("--") + 1);
    const result = await cli([...sshArgs, "-o", "LogLevel=DEBUG1", "true"]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, new RegExp(`Host 'hakuriver-${vpsId}' is known and matches`), result.stderr);
    const knownHosts = readFileSync(join(home, ".hakuriver", "known_hosts"), "utf8");
    for (const hostKey of task.sshHostKeys) assert.ok(knownHosts.includes(`hakuriver-${vpsId} ${hostKey}`), `known_hosts lacks ${hostKey}:\n${knownHosts}`);
    // ssh -G prints the options it would use: the check is on, against that file (not StrictHostKeyChecking=no).
    const effective = await cli(["ssh", vpsId, "--proxy-port", String(cluster.sshProxyPort), "--", ...options, "-G"]);
    assert.equal(effective.code, 0, effective.stderr);
    assert.match(effective.stdout, /^stricthostkeychecking true$/m);
    assert.match(effective.stdout, new RegExp(`^userknownhostsfile ${join(home, ".hakuriver", "known_hosts").replace(/\./g, "\\.")}$`, "m"));
  });

  it("scp of a 100 MB random file through the ssh-config entry keeps its sha256", async () => {
    const config = await cli(["ssh-config", vpsId, "--proxy-port", String(cluster.sshProxyPort)]);
    assert.equal(config.code, 0, config.stderr);
    assert.match(config.stdout, new RegExp(`^Host hakuriver-${vpsId}$`, "m"));
    assert.match(config.stdout, /^  StrictHostKeyChecking yes$/m, "the host key is checked");
    const configFile = join(cluster.dir, "ssh_config");
    writeFileSync(configFile, `${config.stdout}  IdentityFile ${key}\n  IdentitiesOnly yes\n  BatchMode yes\n`);
    const file = join(cluster.dir, "random.bin");
    writeFileSync(file, randomBytes(100 * 1024 * 1024));
    const want = await sha256(file);
    const up = await runTool("scp", ["-q", "-F", configFile, file, `hakuriver-${vpsId}:/root/random.bin`], cluster.cliEnv());
    assert.equal(up.code, 0, up.stderr);
    const remote = await runTool("ssh", ["-F", configFile, `hakuriver-${vpsId}`, "sha256sum", "/root/random.bin"], cluster.cliEnv());
    assert.equal(remote.stdout.split(/\s+/)[0], want, remote.stderr);
    const back = join(cluster.dir, "back.bin");
    const down = await runTool("scp", ["-q", "-F", configFile, `hakuriver-${vpsId}:/root/random.bin`, back], cluster.cliEnv());
    assert.equal(down.code, 0, down.stderr);
    assert.equal(await sha256(back), want);
  });

  it("serves two sessions at once", async () => {
    // The first session can only finish if the second one runs while it is open.
    const first = cli([...sshArgs, "sh", "-c", "'i=0; while [ ! -f /tmp/flag ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done; rm -f /tmp/flag; echo first-done'"]);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const second = await cli([...sshArgs, "sh", "-c", "'touch /tmp/flag; echo second-done'"]);
    assert.equal(second.stdout.trim(), "second-done", second.stderr);
    const done = await first;
    assert.equal(done.stdout.trim(), "first-done", done.stderr);
  });

  it("answers bad requests with the original's ERROR lines", async () => {
    // Each request line carries the admin's token: the token check comes first (auth-runners.test.ts checks its refusals).
    const proxy = (line: string) => rawRequest(cluster.hostIp, cluster.sshProxyPort, line.replace(/\n$/, ` ${cluster.adminToken}\n`));
    assert.equal(await proxy("HELLO\n"), "ERROR Invalid request format.\n");
    assert.equal(await proxy("REQUEST_TUNNEL abc\n"), "ERROR Invalid task ID format.\n");
    assert.equal(await proxy("REQUEST_TUNNEL 12345\n"), "ERROR Task 12345 not found.\n");
    const viaCli = await cli(["ssh-proxy", "12345", "--proxy-port", String(cluster.sshProxyPort)]);
    assert.equal(viaCli.code, 255);
    assert.match(viaCli.stderr, /hakuriver ssh-proxy: Task 12345 not found\./);
    const command = await cli(["task", "submit", "--container", "NULL", "--json", "--", "true"]);
    assert.equal(command.code, 0, command.stderr);
    const commandId = (JSON.parse(command.stdout) as { tasks: { taskId: string }[] }).tasks[0]!.taskId;
    assert.equal(await proxy(`REQUEST_TUNNEL ${commandId}\n`), `ERROR Task ${commandId} is not a VPS task.\n`);
    // A second VPS, killed: its container goes away and the proxy refuses it.
    const other = await cli(["vps", "submit", "--container", ENV, "--public-key-file", `${key}.pub`, "--wait", "--json"]);
    assert.equal(other.code, 0, other.stderr);
    const otherId = (JSON.parse(other.stdout) as { tasks: { taskId: string }[] }).tasks[0]!.taskId;
    const killed = await cli(["vps", "kill", otherId]);
    assert.equal(killed.code, 0, killed.stderr);
    await waitUntil(async () => (await nat.docker(["ps", "-aq", "--filter", `name=hakuriver-vps-${otherId}`])).trim() === "", 30_000, () => "the killed VPS's container was not removed");
    assert.equal(await proxy(`REQUEST_TUNNEL ${otherId}\n`), `ERROR VPS task ${otherId} is not active (status: killed).\n`);
  });

  it("pause blocks a session and resume restores it", async () => {
    const child = spawn(process.execPath, [CLI, ...sshArgs, "sh", "-c", "'while read line; do echo \"got $line\"; done'"], {
      env: { ...process.env, ...cluster.cliEnv() },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    child.stdin.write("one\n");
    await waitUntil(() => out.includes("got one"), 20_000, () => `no echo before pause: ${out}`);
    assert.equal((await cli(["vps", "pause", vpsId])).code, 0);
    child.stdin.write("two\n");
    await new Promise((resolve) => setTimeout(resolve, 2000));
    assert.ok(!out.includes("got two"), "a paused VPS answered");
    assert.equal((await cli(["vps", "resume", vpsId])).code, 0);
    await waitUntil(() => out.includes("got two"), 20_000, () => `no echo after resume: ${out}`);
    child.stdin.end();
    assert.equal(await exited, 0);
  });

  it("kill removes the container", async () => {
    const killed = await cli(["vps", "kill", vpsId]);
    assert.equal(killed.code, 0, killed.stderr);
    await waitUntil(async () => (await nat.docker(["ps", "-aq", "--filter", `name=hakuriver-vps-${vpsId}`])).trim() === "", 30_000, () => "container still there");
    await waitUntil(async () => (await vpsStatus(vpsId)).status !== 3, 10_000);
    const refused = await rawRequest(cluster.hostIp, cluster.sshProxyPort, `REQUEST_TUNNEL ${vpsId} ${cluster.adminToken}\n`);
    assert.equal(refused, `ERROR VPS task ${vpsId} is not active (status: killed).\n`);
  });
});
