/**
 * Benchmark (on demand): an SSH bulk transfer through the Host's tunnel
 * (ssh → ssh-proxy → Host proxy → tunnel stream → runner → sshd) against
 * the same transfer straight to the container's sshd on loopback, both
 * directions, plus the connect latency the tunnel adds.
 *
 *   node dist/test/bench/ssh-tunnel.js            # 1 GiB each way
 *   BENCH_BYTES=268435456 node dist/test/bench/ssh-tunnel.js
 *
 * Needs root's Docker engine and hakuriver-test/debian-sshd:latest
 * (.ci/test-images.sh). Prints figures; asserts nothing.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { connect } from "node:net";
import { TestCluster } from "../helpers/cluster.js";
import { sh } from "../helpers/netns.js";

const BYTES = Number(process.env.BENCH_BYTES ?? 1024 ** 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const ENV = "benchsshd";

function timed(command: string, args: readonly string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(command, [...args], { stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.once("close", (code) => {
      if (code !== 0) reject(new Error(`${command} exited ${code}: ${err}`));
      else resolve(Number(process.hrtime.bigint() - started) / 1e6);
    });
  });
}

/** Time from connect to `SUCCESS` on the raw proxy protocol (no ssh, no CLI start-up). */
function proxyHandshake(port: number, taskId: string, token: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const socket = connect({ host: "127.0.0.1", port }, () => socket.write(`REQUEST_TUNNEL ${taskId} ${token}\n`));
    socket.once("data", (d: Buffer) => {
      socket.destroy();
      if (d.toString().startsWith("SUCCESS")) resolve(Number(process.hrtime.bigint() - started) / 1e6);
      else reject(new Error(d.toString()));
    });
    socket.once("error", reject);
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const mbps = (ms: number) => (BYTES / 1024 ** 2 / (ms / 1000)).toFixed(1);

async function main(): Promise<void> {
  await sh("docker", ["tag", "hakuriver-test/debian-sshd:latest", `hakuriver/${ENV}:base`]);
  const cluster = new TestCluster();
  const key = join(cluster.dir, "key");
  try {
    await sh("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", key]);
    await cluster.startHost();
    // The ssh-config ProxyCommand (hakuriver ssh-proxy) runs in ssh's environment: it sends this token.
    process.env["HAKURIVER_AUTH_TOKEN"] = cluster.adminToken;
    process.env["HAKURIVER_HOST"] = cluster.address;
    await cluster.startRunner("bench");
    const submitted = await cluster.cli(["vps", "submit", "--container", ENV, "--public-key-file", `${key}.pub`, "--wait", "--json"]);
    if (submitted.code !== 0) throw new Error(submitted.stderr);
    const taskId = (JSON.parse(submitted.stdout) as { tasks: { taskId: string }[] }).tasks[0]!.taskId;
    const { task } = await cluster.client.getTask({ taskId });
    const common = ["-i", key, "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR"];
    // The ProxyCommand `hakuriver ssh` and `ssh-config` use.
    const config = await cluster.cli(["ssh-config", taskId, "--proxy-port", String(cluster.sshProxyPort)]);
    const proxyCommand = /^\s*ProxyCommand (.*)$/m.exec(config.stdout)![1]!.replace(/%%/g, "%");
    const direct = [...common, "-p", String(task!.sshPort), "root@127.0.0.1"];
    const tunnel = [...common, "-o", `ProxyCommand=${proxyCommand}`, `root@hakuriver-${taskId}`];
    const upload = (target: string[]) => timed("sh", ["-c", `head -c ${BYTES} /dev/zero | ssh "$@" 'cat > /dev/null'`, "sh", ...target]);
    const download = (target: string[]) => timed("sh", ["-c", `ssh "$@" 'head -c ${BYTES} /dev/zero' > /dev/null`, "sh", ...target]);
    console.log(`SSH tunnel benchmark: ${(BYTES / 1024 ** 2).toFixed(0)} MiB each way, ${ROUNDS} connect rounds`);
    for (const [name, run] of [["upload (client → VPS)", upload], ["download (VPS → client)", download]] as const) {
      const directMs = await run(direct);
      const tunnelMs = await run(tunnel);
      console.log(`${name}: direct ${mbps(directMs)} MiB/s, tunnel ${mbps(tunnelMs)} MiB/s, ratio ${(directMs / tunnelMs).toFixed(2)}`);
    }
    const directConnect: number[] = [];
    const tunnelConnect: number[] = [];
    const handshakes: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      directConnect.push(await timed("ssh", [...direct, "true"]));
      tunnelConnect.push(await timed("ssh", [...tunnel, "true"]));
      handshakes.push(await proxyHandshake(cluster.sshProxyPort, taskId, cluster.adminToken));
    }
    const added = median(tunnelConnect) - median(directConnect);
    console.log(`connect (ssh ... true, median): direct ${median(directConnect).toFixed(0)} ms, tunnel ${median(tunnelConnect).toFixed(0)} ms, added ${added.toFixed(0)} ms`);
    console.log(`proxy handshake REQUEST_TUNNEL → SUCCESS (Host asks the runner, runner dials back), median: ${median(handshakes).toFixed(1)} ms`);
    await cluster.cli(["vps", "kill", taskId]);
  } finally {
    await cluster.cleanup();
    await sh("docker", ["rmi", `hakuriver/${ENV}:base`]).catch(() => "");
  }
}

await main();
