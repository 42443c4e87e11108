/**
 * `hakuriver forward` to a runner behind NAT, for real: the runner and its
 * own dockerd live in a network namespace that can dial the Host but that
 * nothing can dial into. A busybox httpd serves inside a VPS (on the
 * container's own address), as a native command task and as a container
 * command task (both on the runner's loopback); pages and a 50 MB file
 * come back intact through the forward, two connections at once; bad input
 * fails as typed; nothing is left open on the runner once the client goes
 * away. The Host runs its SSH proxy on
 * a non-default port and the CLI is told only --host: `ssh` and
 * `ssh-config` learn the port by asking (DescribeCluster).
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { createServer, connect, type AddressInfo } from "node:net";
import { join } from "node:path";
import { Code, ConnectError } from "@connectrpc/connect";
import { CLI, FAST_TIMING, TestCluster, waitUntil, type CliResult, type Proc } from "../helpers/cluster.js";
import { NatNode, natUnsupported, sh } from "../helpers/netns.js";
import { parseExposition, sampleValue } from "../helpers/prometheus.js";

const IMAGE = "hakuriver-test/debian-sshd:latest";
const ENV = "fwddeb";
const BIG_BYTES = 50 * 1024 * 1024;

/** A running `hakuriver forward` and the address it printed. */
interface Forward {
  readonly child: ChildProcess;
  readonly address: string;
  output(): string;
  readonly exited: Promise<number | null>;
}

function startForward(args: string[], env: Record<string, string>): Promise<Forward> {
  const child = spawn(process.execPath, [CLI, "forward", ...args], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + 30_000;
    const poll = () => {
      const match = /^Forwarding (\S+) to port/m.exec(out);
      if (match) return resolve({ child, address: match[1]!, output: () => out, exited });
      if (child.exitCode !== null || Date.now() > deadline) return reject(new Error(`forward did not start:\n${out}`));
      setTimeout(poll, 50);
    };
    poll();
  });
}

function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

async function fetchBytes(url: string): Promise<{ status: number; body: Buffer }> {
  const response = await fetch(url);
  return { status: response.status, body: Buffer.from(await response.arrayBuffer()) };
}

/**
 * An HTTP/1.0 GET on a raw connection whose reading waits for `read()`
 * (so a test can hold several downloads open at once); resolves with the body.
 */
function rawGet(address: string, path: string): { read(): Promise<Buffer> } {
  const port = Number(/:(\d+)$/.exec(address)![1]);
  const socket = connect({ host: address.replace(/:\d+$/, ""), port });
  socket.pause();
  socket.once("connect", () => socket.write(`GET ${path} HTTP/1.0\r\n\r\n`));
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    socket.on("data", (d: Buffer) => chunks.push(d));
    socket.once("error", reject);
    socket.once("end", () => {
      const all = Buffer.concat(chunks);
      const head = all.indexOf("\r\n\r\n");
      if (head < 0 || !/^HTTP\/1\.[01] 200/.test(all.subarray(0, head).toString())) reject(new Error(`bad response: ${all.subarray(0, 200).toString()}`));
      else resolve(all.subarray(head + 4));
    });
  });
  done.catch(() => {});
  return { read: () => (socket.resume(), done) };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
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

/** The code of a ForwardPort call that must fail, opened on `taskId`/`port`. */
async function forwardCallCode(cluster: TestCluster, taskId: string, port: number): Promise<{ code: Code; message: string }> {
  async function* requests() {
    yield { message: { case: "open" as const, value: { taskId, port } } };
    await new Promise((resolve) => setTimeout(resolve, 20_000));
  }
  try {
    for await (const response of cluster.client.forwardPort(requests(), { timeoutMs: 30_000 })) assert.fail(`the forward opened: ${response.message.case}`);
    assert.fail("the forward ended without an error");
  } catch (error) {
    const e = ConnectError.from(error);
    return { code: e.code, message: e.rawMessage };
  }
}

describe("hakuriver forward to a runner behind NAT", { timeout: 600_000 }, () => {
  let nat: NatNode;
  // A node is lost only after 10 s of silence: the last test sees a node offline whose VPS still counts as running.
  const cluster = new TestCluster({ ...FAST_TIMING, HAKURIVER_TLS_MODE: "off", HAKURIVER_TIMING_HEARTBEAT_TIMEOUT_FACTOR: "50" });
  const key = join(cluster.dir, "key");
  const home = join(cluster.dir, "home");
  // Only --host (through HAKURIVER_HOST) and the token: no proxy port anywhere on the client's side.
  const cliEnv = () => cluster.cliEnv({ HOME: home });
  const cli = (args: string[]) => cluster.cli(args, { HOME: home });
  const page = `<html>hello from the VPS ${randomBytes(8).toString("hex")}</html>\n`;
  const big = randomBytes(BIG_BYTES);
  let proxyPort = 0;
  let vpsId = "";
  let vpsAddress = "";
  let runner: Proc | undefined;

  /** Established TCP connections inside the node's namespace to the VPS's `port` at the container's own address (the runner's side of forwards). */
  const runnerConnections = async (port: number) =>
    (await sh("nsenter", [...nat.wrapper.slice(1), "ss", "-Htn", "state", "established", "dst", `${vpsAddress}:${port}`])).trim().split("\n").filter(Boolean).length;

  before(async () => {
    const unsupported = await natUnsupported();
    assert.equal(unsupported, undefined, `cannot run the NAT test: ${unsupported}`);
    await sh("docker", ["image", "inspect", IMAGE]).catch(() => assert.fail(`${IMAGE} is missing (run .ci/test-images.sh)`));
    mkdirSync(home, { recursive: true });
    nat = await NatNode.create();
    await nat.startDocker();
    await nat.loadImage(IMAGE, `hakuriver/${ENV}:base`);
    await sh("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", key]);
    cluster.hostIp = nat.hostIp;
    proxyPort = await freePort();
    await cluster.startHost(0, ["--ssh-proxy-port", String(proxyPort)]);
    assert.equal(cluster.sshProxyPort, proxyPort, "the Host's proxy listens on the port asked");
    assert.notEqual(proxyPort, 8002);
    runner = await cluster.startRunner("fwdnode", { wrapper: nat.wrapper, env: { DOCKER_HOST: nat.dockerHost, HAKURIVER_RUNNER_DOCKER_HOST: nat.dockerHost } });
    const submitted = await cli(["vps", "submit", "--container", ENV, "--public-key-file", `${key}.pub`, "--wait", "--json"]);
    assert.equal(submitted.code, 0, submitted.stderr + submitted.stdout);
    vpsId = (JSON.parse(submitted.stdout) as { tasks: { taskId: string }[] }).tasks[0]!.taskId;
    // The web server inside the VPS: busybox's httpd on the container's own port 8080 (never published).
    const container = `hakuriver-vps-${vpsId}`;
    const site = join(cluster.dir, "site");
    mkdirSync(site);
    writeFileSync(join(site, "index.html"), page);
    writeFileSync(join(site, "big.bin"), big);
    await nat.docker(["cp", "/bin/busybox", `${container}:/usr/local/bin/busybox`]);
    await nat.docker(["cp", `${site}/.`, `${container}:/srv`]);
    await nat.docker(["exec", "-d", container, "/usr/local/bin/busybox", "httpd", "-f", "-p", "8080", "-h", "/srv"]);
    vpsAddress = (await nat.docker(["inspect", "-f", "{{.NetworkSettings.IPAddress}}", container])).trim();
    assert.match(vpsAddress, /^\d+\.\d+\.\d+\.\d+$/);
  });

  after(async () => {
    await cluster.cleanup();
    await nat?.destroy();
  });

  it("fetches a page and a 50 MB file intact from a VPS's port, two connections at once; Ctrl-C stops it", async () => {
    const forward = await startForward([vpsId, "8080", "--local", "0"], cliEnv());
    try {
      assert.match(forward.output(), new RegExp(`to port 8080 of VPS ${vpsId} on fwdnode`));
      const index = await fetchBytes(`http://${forward.address}/index.html`);
      assert.equal(index.status, 200);
      assert.equal(index.body.toString(), page);
      const want = sha256(big);
      const whole = await fetchBytes(`http://${forward.address}/big.bin`);
      assert.equal(whole.body.length, BIG_BYTES);
      assert.equal(sha256(whole.body), want);
      // Two downloads open at once: both reach the runner before either is read, then both finish intact.
      const one = rawGet(forward.address, "/big.bin");
      const two = rawGet(forward.address, "/big.bin");
      await waitUntil(async () => (await runnerConnections(8080)) === 2, 15_000, () => "the runner never held two connections at once");
      const bodies = await Promise.all([one.read(), two.read()]);
      for (const body of bodies) {
        assert.equal(body.length, BIG_BYTES);
        assert.equal(sha256(body), want);
      }
    } finally {
      forward.child.kill("SIGINT");
    }
    assert.equal(await forward.exited, 0, forward.output());
    await waitUntil(async () => (await runnerConnections(8080)) === 0, 15_000, () => "a connection to the VPS's port stayed open on the runner");
    // /metrics counted the three downloads, and no forward is left open on the Host.
    const scrape = async () => {
      const response = await fetch(`http://${cluster.address}/metrics`, { headers: { authorization: `Bearer ${cluster.adminToken}` } });
      assert.equal(response.status, 200);
      return parseExposition(await response.text());
    };
    await waitUntil(async () => sampleValue(await scrape(), "hakuriver_forward_connections") === 0, 10_000, () => "a forward stayed open on the Host");
    assert.ok((sampleValue(await scrape(), "hakuriver_forward_bytes_total", { direction: "to_client" }) ?? 0) >= 3 * BIG_BYTES);
  });

  it("drops the runner's side when the client is killed mid-transfer", async () => {
    const forward = await startForward([vpsId, "8080", "--local", "0"], cliEnv());
    const [host, port] = [forward.address.replace(/:\d+$/, ""), Number(/:(\d+)$/.exec(forward.address)![1])];
    // A download that reads nothing: the transfer stalls with the connection open end to end.
    const socket = connect({ host, port });
    await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
    socket.write("GET /big.bin HTTP/1.0\r\n\r\n");
    socket.pause();
    await waitUntil(async () => (await runnerConnections(8080)) === 1, 15_000, () => "the runner never connected to the VPS's port");
    forward.child.kill("SIGKILL");
    await forward.exited;
    socket.destroy();
    await waitUntil(async () => (await runnerConnections(8080)) === 0, 20_000, () => "the runner kept its connection after the client died");
  });

  /** Waits for command task `taskId` to run, forwards `port` and checks its /index.html is `page`; kills the task after. */
  async function expectPageThroughForward(taskId: string, port: number, runsWithinMs: number, page: string): Promise<void> {
    try {
      await waitUntil(async () => (await cluster.client.getTask({ taskId })).task?.status === 3, runsWithinMs, () => `task ${taskId} never ran`);
      const forward = await startForward([taskId, String(port), "--local", "0"], cliEnv());
      try {
        // busybox may take a moment to listen after the task runs.
        let got: { status: number; body: Buffer } | undefined;
        await waitUntil(async () => {
          got = await fetchBytes(`http://${forward.address}/index.html`).catch(() => undefined);
          return got?.status === 200;
        }, 15_000, () => `no page through the forward: ${forward.output()}`);
        assert.equal(got!.body.toString(), page);
      } finally {
        forward.child.kill("SIGINT");
      }
      assert.equal(await forward.exited, 0, forward.output());
    } finally {
      await cli(["task", "kill", taskId]);
    }
  }

  it("forwards to a native command task's port on the runner's loopback", async () => {
    const site = join(cluster.dir, "native-site");
    mkdirSync(site);
    writeFileSync(join(site, "index.html"), "native task page\n");
    const port = 18_000 + Math.floor(Math.random() * 1000);
    const submitted = await cli(["task", "submit", "--container", "NULL", "--json", "--", "/bin/busybox", "httpd", "-f", "-p", String(port), "-h", site]);
    assert.equal(submitted.code, 0, submitted.stderr);
    const taskId = (JSON.parse(submitted.stdout) as { tasks: { taskId: string }[] }).tasks[0]!.taskId;
    await expectPageThroughForward(taskId, port, 30_000, "native task page\n");
  });

  it("forwards to a container command task's port (it shares the runner's network)", async () => {
    await nat.loadImage("hakuriver-test/busybox:latest", "hakuriver/fwdbb:base");
    const port = 19_000 + Math.floor(Math.random() * 1000);
    const serve = `mkdir -p /tmp/site && echo container task page > /tmp/site/index.html && exec httpd -f -p ${port} -h /tmp/site`;
    const submitted = await cli(["task", "submit", "--container", "fwdbb", "--json", "--", "sh", "-c", serve]);
    assert.equal(submitted.code, 0, submitted.stderr);
    const taskId = (JSON.parse(submitted.stdout) as { tasks: { taskId: string }[] }).tasks[0]!.taskId;
    await expectPageThroughForward(taskId, port, 60_000, "container task page\n");
  });

  it("refuses bad input as typed, with the right codes", async () => {
    for (const bad of ["0", "65536", "http"]) {
      const result = await cli(["forward", vpsId, bad]);
      assert.equal(result.code, 2, `port ${bad}: ${result.stderr}`);
      assert.match(result.stderr, /REMOTE_PORT must be a TCP port from 1 to 65535/);
      assert.doesNotMatch(result.stderr, /\n\s+at /, "no stack trace");
    }
    const badLocal = await cli(["forward", vpsId, "8080", "--local", "70000"]);
    assert.equal(badLocal.code, 2, badLocal.stderr);
    assert.match(badLocal.stderr, /--local must be a TCP port from 0 to 65535/);
    const unknown = await cli(["forward", "12345", "8080"]);
    assert.equal(unknown.code, 1, unknown.stderr);
    assert.match(unknown.stderr, /task 12345 not found/);
    assert.equal(unknown.stderr.trim().split("\n").length, 1, `one line, no stack trace: ${unknown.stderr}`);
    const finished = await cli(["task", "submit", "--container", "NULL", "--wait", "--json", "--", "true"]);
    assert.equal(finished.code, 0, finished.stderr);
    const finishedId = (JSON.parse(finished.stdout) as { tasks: { taskId: string }[] }).tasks[0]!.taskId;
    const ended = await cli(["forward", finishedId, "8080"]);
    assert.equal(ended.code, 1, ended.stderr);
    assert.match(ended.stderr, new RegExp(`task ${finishedId} is completed: only a running task's ports can be forwarded`));
    assert.equal(ended.stderr.trim().split("\n").length, 1, `one line: ${ended.stderr}`);
    // The Host checks the same on every call (a client without the CLI's own checks).
    assert.deepEqual((await forwardCallCode(cluster, vpsId, 0)).code, Code.InvalidArgument);
    assert.deepEqual((await forwardCallCode(cluster, vpsId, 65536)).code, Code.InvalidArgument);
    assert.deepEqual((await forwardCallCode(cluster, "12345", 8080)).code, Code.NotFound);
    const onFinished = await forwardCallCode(cluster, finishedId, 8080);
    assert.equal(onFinished.code, Code.FailedPrecondition);
    assert.match(onFinished.message, /is completed/);
  });

  it("a port nothing listens on: a clear message, and the local connection is closed", async () => {
    const refused = await forwardCallCode(cluster, vpsId, 9);
    assert.equal(refused.code, Code.FailedPrecondition);
    assert.match(refused.message, new RegExp(`nothing listens on port 9 in VPS ${vpsId}`));
    const forward = await startForward([vpsId, "9", "--local", "0"], cliEnv());
    try {
      const [host, port] = [forward.address.replace(/:\d+$/, ""), Number(/:(\d+)$/.exec(forward.address)![1])];
      const closed = await new Promise<string>((resolve, reject) => {
        const socket = connect({ host, port });
        let got = "";
        socket.on("data", (d: Buffer) => (got += d.toString()));
        socket.once("close", () => resolve(got));
        socket.once("error", () => {});
        setTimeout(() => reject(new Error("the local connection stayed open")), 20_000).unref();
      });
      assert.equal(closed, "");
      await waitUntil(() => /nothing listens on port 9/.test(forward.output()), 5000, () => forward.output());
      assert.match(forward.output(), /hakuriver forward: connection from 127\.0\.0\.1:\d+: error \(failed precondition\): nothing listens on port 9/);
      assert.equal(forward.child.exitCode, null, "one refused connection does not stop the forward");
    } finally {
      forward.child.kill("SIGINT");
    }
    assert.equal(await forward.exited, 0);
  });

  it("DescribeCluster tells a client the proxy port and the heartbeat interval", async () => {
    const described = await cluster.client.describeCluster({});
    assert.equal(described.sshProxyPort, proxyPort);
    assert.equal(described.heartbeatIntervalMs, 200n);
  });

  it("hakuriver ssh with only --host learns the Host's proxy port", async () => {
    const result = await cli(["ssh", vpsId, "--", "-i", key, "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes", "echo", "logged-in"]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout.trim(), "logged-in");
    assert.doesNotMatch(result.stderr, /warning: could not ask/);
  });

  it("hakuriver ssh-config with only --host writes the Host's proxy port, and ssh logs in with it", async () => {
    const config = await cli(["ssh-config", vpsId]);
    assert.equal(config.code, 0, config.stderr);
    assert.match(config.stdout, new RegExp(`--proxy-port ${proxyPort}\\b`));
    const configFile = join(cluster.dir, "ssh_config");
    writeFileSync(configFile, `${config.stdout}  IdentityFile ${key}\n  IdentitiesOnly yes\n  BatchMode yes\n`);
    const login = await runTool("ssh", ["-F", configFile, `hakuriver-${vpsId}`, "echo", "via-config"], cliEnv());
    assert.equal(login.code, 0, login.stderr);
    assert.equal(login.stdout.trim(), "via-config");
  });

  it("a hand-written ProxyCommand `hakuriver ssh-proxy ID` with only --host learns the port too", async () => {
    const login = await runTool("ssh", [
      "-i", key, "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
      "-o", `ProxyCommand=${process.execPath} ${CLI} ssh-proxy ${vpsId}`, `root@vps-${vpsId}`, "echo", "hand-written",
    ], cliEnv());
    assert.equal(login.code, 0, login.stderr);
    assert.equal(login.stdout.trim(), "hand-written");
  });

  it("the Host and the runner logged no stray error through all of it", () => {
    for (const [name, output] of [["host", cluster.host!.output()], ["runner", runner!.output()]] as const) {
      assert.doesNotMatch(output, /escaped its handler|nobody waiting for it/, `${name}:\n${output.slice(-3000)}`);
    }
  });

  it("a node gone offline: UNAVAILABLE, and the forward says so per connection", async () => {
    const forward = await startForward([vpsId, "8080", "--local", "0"], cliEnv());
    try {
      await cluster.kill(runner!);
      // The Host sees the control stream close at once; the node is lost (and the VPS with it) only after 10 s.
      let offline = { code: Code.Unknown, message: "" };
      await waitUntil(async () => (offline = await forwardCallCode(cluster, vpsId, 8080)).code === Code.Unavailable, 8000, () => `still ${Code[offline.code]}: ${offline.message}`);
      const { task } = await cluster.client.getTask({ taskId: vpsId });
      assert.equal(task?.status, 3, "the VPS still counts as running (its node is not lost yet)");
      assert.match(offline.message, /node fwdnode of task \d+ is offline/);
      const [host, port] = [forward.address.replace(/:\d+$/, ""), Number(/:(\d+)$/.exec(forward.address)![1])];
      await new Promise<void>((resolve) => {
        const socket = connect({ host, port });
        socket.once("close", () => resolve());
        socket.once("error", () => {});
      });
      await waitUntil(() => /error \(unavailable\): node fwdnode of task \d+ is offline/.test(forward.output()), 5000, () => forward.output());
    } finally {
      forward.child.kill("SIGINT");
    }
    assert.equal(await forward.exited, 0);
  });
});
