/**
 * The Host's SSH jump host, for real: stock OpenSSH (`ssh -J`, scp,
 * ProxyJump from `ssh-config --jump`) reaches a Debian sshd VPS whose
 * runner and Docker engine live in a network namespace nothing can dial
 * (behind NAT). No hakuriver code runs on the client side of a login: the
 * client's config file and known_hosts are all it has. Also: refusals
 * (a wrong key, other hosts and ports, a session channel, another user's
 * VPS, a VPS not running) with the reason visible in ssh's output, keys
 * registered with `hakuriver key add`, and a host key that survives a Host
 * restart.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { FAST_TIMING, TestCluster, waitUntil, type CliResult } from "../helpers/cluster.js";
import { NatNode, natUnsupported, sh } from "../helpers/netns.js";
import { parseExposition, sampleValue } from "../helpers/prometheus.js";

const IMAGE = "hakuriver-test/debian-sshd:latest";
const ENV = "jumpdeb";

function runTool(command: string, args: readonly string[], timeoutMs = 60_000): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(command, [...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

const sha256 = (file: string) => createHash("sha256").update(readFileSync(file)).digest("hex");

describe("the SSH jump host, with stock OpenSSH, to a VPS behind NAT", { timeout: 600_000 }, () => {
  let nat: NatNode;
  // The Host binds the NAT's veth address, where TLS would default to on; tunnels are this test's subject.
  const cluster = new TestCluster({ ...FAST_TIMING, HAKURIVER_TLS_MODE: "off" });
  const home = join(cluster.dir, "home");
  const cli = (args: string[], env: Record<string, string> = {}) => cluster.cli(args, { HOME: home, ...env });
  const key = (name: string) => join(cluster.dir, name);
  const knownHosts = join(cluster.dir, "known_hosts");
  let vpsId = "";
  let jump = "";
  let jumpHostKey = "";

  /** An ssh config for the client: strict host keys from `knownHosts`; the jump hop logs in with `jumpKey`, the VPS with `vpsKey`. */
  const config = (name: string, jumpKey: string, vpsKey = key("vps_key")) => {
    const file = join(cluster.dir, `${name}.ssh_config`);
    writeFileSync(
      file,
      [
        // IdentityFile adds up over matching sections: each hop names exactly one key.
        `Host ${cluster.hostIp}`,
        `  IdentityFile ${jumpKey}`,
        "Host vps-*",
        `  IdentityFile ${vpsKey}`,
        "Host *",
        "  IdentitiesOnly yes",
        "  BatchMode yes",
        "  StrictHostKeyChecking yes",
        `  UserKnownHostsFile ${knownHosts}`,
        "  ConnectTimeout 20",
        "",
      ].join("\n"),
    );
    return file;
  };
  const ssh = (configFile: string, args: readonly string[]) => runTool("ssh", ["-F", configFile, ...args]);
  /** `ssh -J jump@HOST:PORT root@vps-ID ...`, the line the issue names. */
  const jumpSsh = (configFile: string, id: string, command: readonly string[]) => ssh(configFile, ["-J", `jump@${jump}`, `root@vps-${id}`, ...command]);
  /** A channel straight to the jump host: `ssh -W target jump@HOST -p PORT`. */
  const direct = (configFile: string, target: string) => ssh(configFile, ["-p", String(cluster.sshJumpPort), "-W", target, `jump@${cluster.hostIp}`]);

  const submitVps = async (publicKeyFile: string): Promise<string> => {
    const submitted = await cli(["vps", "submit", "--container", ENV, "--public-key-file", publicKeyFile, "--wait", "--json"]);
    assert.equal(submitted.code, 0, submitted.stderr + submitted.stdout);
    return (JSON.parse(submitted.stdout) as { tasks: { taskId: string }[] }).tasks[0]!.taskId;
  };

  before(async () => {
    const unsupported = await natUnsupported();
    assert.equal(unsupported, undefined, `cannot run the NAT test: ${unsupported}`);
    await sh("docker", ["image", "inspect", IMAGE]).catch(() => assert.fail(`${IMAGE} is missing (run .ci/test-images.sh)`));
    nat = await NatNode.create();
    await nat.startDocker();
    await nat.loadImage(IMAGE, `hakuriver/${ENV}:base`);
    for (const name of ["vps_key", "registered_key", "wrong_key", "bob_key"]) await sh("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", key(name)]);
    cluster.hostIp = nat.hostIp;
    await cluster.startHost();
    assert.ok(cluster.sshJumpPort > 0, "the host printed its ssh jump port");
    jump = `${cluster.hostIp}:${cluster.sshJumpPort}`;
    await cluster.startRunner("jumpnode", { wrapper: nat.wrapper, env: { DOCKER_HOST: nat.dockerHost, HAKURIVER_RUNNER_DOCKER_HOST: nat.dockerHost } });
    vpsId = await submitVps(`${key("vps_key")}.pub`);
    // The client's known_hosts: the jump host's key as DescribeCluster gives it, the VPS's as its runner reported.
    const described = await cluster.client.describeCluster({});
    assert.equal(described.sshJumpPort, cluster.sshJumpPort);
    assert.match(described.sshJumpHostKey, /^ssh-ed25519 [A-Za-z0-9+/=]+$/);
    jumpHostKey = described.sshJumpHostKey;
    const { task } = await cluster.client.getTask({ taskId: vpsId });
    assert.ok(task!.sshHostKeys.length > 0, "the runner reported the VPS's host keys");
    writeFileSync(knownHosts, [`[${cluster.hostIp}]:${cluster.sshJumpPort} ${jumpHostKey}`, ...task!.sshHostKeys.map((k) => `vps-${vpsId} ${k}`), ""].join("\n"));
  });

  after(async () => {
    await cluster.cleanup();
    await nat?.destroy();
  });

  it("ssh -J jump@HOST:PORT root@vps-ID runs a command in the VPS, both host keys checked", async () => {
    const expected = (await nat.docker(["exec", `hakuriver-vps-${vpsId}`, "uname", "-a"])).trim();
    const result = await jumpSsh(config("vps", key("vps_key")), vpsId, ["uname", "-a"]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout.trim(), expected);
    const exit = await jumpSsh(config("vps", key("vps_key")), vpsId, ["exit", "7"]);
    assert.equal(exit.code, 7, exit.stderr);
    // Behind NAT: the VPS's sshd cannot be dialled from here at all.
    const { task } = await cluster.client.getTask({ taskId: vpsId });
    const dialled = await runTool("ssh", ["-F", config("vps", key("vps_key")), "-o", "ConnectTimeout=2", "-p", String(task!.sshPort), `root@${nat.nodeIp}`, "true"]);
    assert.notEqual(dialled.code, 0);
  });

  it("scp through the jump, both ways, keeps a 5 MB file intact; sftp sees it", async () => {
    const configFile = config("vps", key("vps_key"));
    const file = join(cluster.dir, "up.bin");
    writeFileSync(file, randomBytes(5 * 1024 * 1024));
    const up = await runTool("scp", ["-q", "-F", configFile, "-J", `jump@${jump}`, file, `root@vps-${vpsId}:/root/up.bin`]);
    assert.equal(up.code, 0, up.stderr);
    const remote = await jumpSsh(configFile, vpsId, ["sha256sum", "/root/up.bin"]);
    assert.equal(remote.stdout.split(/\s+/)[0], sha256(file), remote.stderr);
    const back = join(cluster.dir, "back.bin");
    const down = await runTool("scp", ["-q", "-F", configFile, "-J", `jump@${jump}`, `root@vps-${vpsId}:/root/up.bin`, back]);
    assert.equal(down.code, 0, down.stderr);
    assert.equal(sha256(back), sha256(file));
    const batch = join(cluster.dir, "sftp.batch");
    writeFileSync(batch, "ls -l /root/up.bin\n");
    const sftp = await runTool("sftp", ["-F", configFile, "-J", `jump@${jump}`, "-b", batch, `root@vps-${vpsId}`]);
    assert.equal(sftp.code, 0, sftp.stderr);
    assert.match(sftp.stdout, /5242880 .*\/root\/up\.bin/);
  });

  it("refuses a key it does not know", async () => {
    const refused = await jumpSsh(config("wrong", key("wrong_key"), key("wrong_key")), vpsId, ["true"]);
    assert.equal(refused.code, 255);
    assert.match(refused.stderr, /jump@[^:]+: Permission denied \(publickey\)/, refused.stderr);
  });

  it("refuses a session, another host, another port, a command task and an unknown id, saying why", async () => {
    const configFile = config("vps", key("vps_key"));
    const shell = await ssh(configFile, ["-p", String(cluster.sshJumpPort), `jump@${cluster.hostIp}`, "true"]);
    assert.notEqual(shell.code, 0);
    assert.match(shell.stderr, /open failed: administratively prohibited: the HakuRiver jump host runs no shell, command or sftp/, shell.stderr);
    const otherHost = await direct(configFile, `${nat.nodeIp}:22`);
    assert.notEqual(otherHost.code, 0);
    assert.match(otherHost.stderr, new RegExp(`administratively prohibited: .*"${nat.nodeIp.replace(/\./g, "\\.")}" names no VPS`), otherHost.stderr);
    const otherPort = await direct(configFile, `vps-${vpsId}:80`);
    assert.match(otherPort.stderr, /administratively prohibited: the HakuRiver jump host forwards only to port 22 of a VPS/, otherPort.stderr);
    const command = await cli(["task", "submit", "--container", "NULL", "--json", "--", "sleep", "60"]);
    assert.equal(command.code, 0, command.stderr);
    const commandId = (JSON.parse(command.stdout) as { tasks: { taskId: string }[] }).tasks[0]!.taskId;
    const notVps = await direct(configFile, `vps-${commandId}:22`);
    assert.match(notVps.stderr, new RegExp(`task ${commandId} is a command task, not a VPS`), notVps.stderr);
    const unknown = await direct(configFile, "vps-12345:22");
    assert.match(unknown.stderr, /VPS 12345 not found/, unknown.stderr);
    assert.equal((await cli(["task", "kill", commandId])).code, 0);
  });

  it("key add lets a registered key jump into a VPS submitted with another key; key remove takes it back", async () => {
    // The jump hop with the registered key, the VPS's sshd with the VPS's own key.
    const configFile = config("registered", key("registered_key"));
    const before = await jumpSsh(configFile, vpsId, ["echo", "in"]);
    assert.equal(before.code, 255);
    assert.match(before.stderr, /Permission denied \(publickey\)/, before.stderr);
    const added = await cli(["key", "add", `${key("registered_key")}.pub`]);
    assert.equal(added.code, 0, added.stderr);
    const keyId = /Added key (key_[0-9a-f]+)/.exec(added.stdout)?.[1];
    assert.ok(keyId, added.stdout);
    const listed = await cli(["key", "list", "--json"]);
    assert.equal(listed.code, 0, listed.stderr);
    assert.deepEqual((JSON.parse(listed.stdout) as { keyId: string; user: string }[]).map((k) => [k.keyId, k.user]), [[keyId, "admin"]]);
    const after = await jumpSsh(configFile, vpsId, ["echo", "in"]);
    assert.equal(after.code, 0, after.stderr);
    assert.equal(after.stdout.trim(), "in");
    assert.equal((await cli(["key", "remove", keyId])).code, 0);
    const removed = await jumpSsh(configFile, vpsId, ["echo", "in"]);
    assert.equal(removed.code, 255);
  });

  it("a user's registered key reaches only their own VPS", async () => {
    const bob = await cli(["user", "add", "bob", "--role", "user", "--json"]);
    assert.equal(bob.code, 0, bob.stderr);
    const added = await cli(["key", "add", `${key("bob_key")}.pub`, "--user", "bob"]);
    assert.equal(added.code, 0, added.stderr);
    const refused = await jumpSsh(config("bob", key("bob_key")), vpsId, ["true"]);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, new RegExp(`administratively prohibited: VPS ${vpsId} belongs to admin: a user may jump to only their own work`), refused.stderr);
  });

  it("ssh-config --jump output, used as the config file, logs in (ProxyJump, keys pinned)", async () => {
    const printed = await cli(["ssh-config", vpsId, "--jump", "--identity-file", key("vps_key")]);
    assert.equal(printed.code, 0, printed.stderr);
    assert.match(printed.stdout, new RegExp(`^  ProxyJump hakuriver-jump-${cluster.hostIp.replace(/\./g, "\\.")}-${cluster.sshJumpPort}$`, "m"));
    assert.match(printed.stdout, new RegExp(`^  Port ${cluster.sshJumpPort}$`, "m"));
    assert.doesNotMatch(printed.stdout, /accept-new|ProxyCommand/);
    const fingerprint = /SSH jump host key (SHA256:\S+)/.exec(cluster.host!.output())?.[1];
    assert.ok(fingerprint && printed.stdout.includes(`its key: ${fingerprint}.`), "the block names the key the Host printed");
    const ours = readFileSync(join(home, ".hakuriver", "known_hosts"), "utf8");
    assert.ok(ours.includes(`hakuriver-jump-${cluster.hostIp}-${cluster.sshJumpPort} ${jumpHostKey}`), ours);
    const configFile = join(cluster.dir, "printed.ssh_config");
    writeFileSync(configFile, `${printed.stdout}Host *\n  BatchMode yes\n`);
    const login = await ssh(configFile, [`hakuriver-${vpsId}`, "echo", "via-config"]);
    assert.equal(login.code, 0, login.stderr);
    assert.equal(login.stdout.trim(), "via-config");
    const scp = await runTool("scp", ["-q", "-F", configFile, `hakuriver-${vpsId}:/etc/hostname`, join(cluster.dir, "hostname")]);
    assert.equal(scp.code, 0, scp.stderr);
    // --install puts the same block in ~/.ssh/config (0600), once however often it runs.
    for (let i = 0; i < 2; i++) {
      const installed = await cli(["ssh-config", vpsId, "--jump", "--install", "--identity-file", key("vps_key")]);
      assert.equal(installed.code, 0, installed.stderr);
    }
    const sshConfig = readFileSync(join(home, ".ssh", "config"), "utf8");
    assert.equal(sshConfig.split(`# BEGIN hakuriver vps-${vpsId} `).length, 2, sshConfig);
    assert.equal(statSync(join(home, ".ssh", "config")).mode & 0o777, 0o600);
    const viaInstalled = await ssh(join(home, ".ssh", "config"), ["-o", "BatchMode=yes", `hakuriver-${vpsId}`, "echo", "installed"]);
    assert.equal(viaInstalled.code, 0, viaInstalled.stderr);
    assert.equal(viaInstalled.stdout.trim(), "installed");
  });

  it("survives garbage and a client that stops mid-handshake", async () => {
    const { connect } = await import("node:net");
    for (const payload of [randomBytes(4096), Buffer.from("SSH-2.0-x\r\n"), Buffer.concat([Buffer.from("SSH-2.0-x\r\n"), randomBytes(2000)])]) {
      await new Promise<void>((resolve) => {
        const socket = connect({ host: cluster.hostIp, port: cluster.sshJumpPort }, () => socket.end(payload));
        socket.on("error", () => resolve());
        socket.on("close", () => resolve());
        socket.resume();
        setTimeout(() => (socket.destroy(), resolve()), 5000).unref();
      });
    }
    const still = await jumpSsh(config("vps", key("vps_key")), vpsId, ["echo", "alive"]);
    assert.equal(still.code, 0, still.stderr);
    assert.equal(still.stdout.trim(), "alive");
  });

  it("leaves no tunnel open, even after a client killed mid-session, and refuses a VPS that is no longer running", async () => {
    const scrape = async () => {
      const response = await fetch(`http://${cluster.address}/metrics`, { headers: { authorization: `Bearer ${cluster.adminToken}` } });
      return parseExposition(await response.text());
    };
    const sessions = async () => sampleValue(await scrape(), "hakuriver_tunnel_sessions");
    await waitUntil(async () => (await sessions()) === 0, 10_000, () => "a jump tunnel stayed open");
    // A client (ssh and its jump hop) killed with SIGKILL while a command runs under a pty.
    const client = spawn("ssh", ["-F", config("vps", key("vps_key")), "-tt", "-J", `jump@${jump}`, `root@vps-${vpsId}`, "sleep", "321"], { detached: true, stdio: "ignore" });
    const sleeping = async () => (await nat.docker(["exec", `hakuriver-vps-${vpsId}`, "sh", "-c", "cat /proc/[0-9]*/cmdline | tr '\\0' ' '"])).includes("sleep 321");
    await waitUntil(sleeping, 20_000, () => "the command never started in the VPS");
    assert.equal(await sessions(), 1);
    process.kill(-client.pid!, "SIGKILL");
    await waitUntil(async () => (await sessions()) === 0, 15_000, () => "the killed client's tunnel stayed open");
    await waitUntil(async () => !(await sleeping()), 15_000, () => "the killed client's command kept running in the VPS");
    const audit = await cli(["audit", "--json", "--limit", "200"]);
    const jumps = (JSON.parse(audit.stdout) as { action: string; outcome: string }[]).filter((e) => e.action === "jump");
    assert.ok(jumps.some((e) => e.outcome === "ok") && jumps.some((e) => e.outcome === "refused"), audit.stdout);
    // Once the VPS ends its key names nothing: a key registered for the admin still logs in, to be told why.
    const added = await cli(["key", "add", `${key("registered_key")}.pub`]);
    assert.equal(added.code, 0, added.stderr);
    assert.equal((await cli(["vps", "kill", vpsId])).code, 0);
    await waitUntil(async () => (await cluster.client.getTask({ taskId: vpsId })).task!.status !== 3, 20_000);
    const unknownNow = await direct(config("vps", key("vps_key")), `vps-${vpsId}:22`);
    assert.match(unknownNow.stderr, /Permission denied \(publickey\)/, unknownNow.stderr);
    const ended = await direct(config("registered", key("registered_key")), `vps-${vpsId}:22`);
    assert.match(ended.stderr, new RegExp(`open failed: connect failed: VPS ${vpsId} is not running \\(status: killed\\)`), ended.stderr);
  });

  it("keeps its host key across a Host restart", async () => {
    const printed = /SSH jump host key (SHA256:\S+) \(made now/.exec(cluster.host!.output())?.[1];
    assert.ok(printed, cluster.host!.output());
    assert.equal(printed, (await sh("ssh-keygen", ["-lf", join(cluster.dir, "ssh_jump_host_ed25519_key")])).split(" ")[1]);
    // The same port again, so the known_hosts line pinned for [HOST]:PORT applies.
    const port = cluster.sshJumpPort;
    await cluster.kill(cluster.host!, "SIGTERM");
    await cluster.startHost(0, ["--ssh-jump-port", String(port)]);
    assert.match(cluster.host!.output(), new RegExp(`SSH jump host key ${printed.replace(/[+/]/g, "\\$&")} \\(kept`));
    assert.equal((await cluster.client.describeCluster({})).sshJumpHostKey, jumpHostKey);
    // A stock client that pinned the key before the restart still connects (refused only for asking a shell).
    const shell = await ssh(config("registered", key("registered_key")), ["-p", String(cluster.sshJumpPort), `jump@${cluster.hostIp}`, "true"]);
    assert.match(shell.stderr, /runs no shell/, shell.stderr);
  });
});
