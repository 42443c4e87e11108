/**
 * Benchmark (on demand): an SSH login (`ssh ... true`) to a VPS through the
 * Host's SSH jump host (ssh -J: a second ssh to the jump host, direct-tcpip,
 * tunnel stream, runner, sshd) against the same login through the raw
 * proxy (the ProxyCommand `hakuriver ssh` and `ssh-config` use:
 * hakuriver ssh-proxy, REQUEST_TUNNEL, the same tunnel), medians of
 * rounds taken alternately in the same run. Aim: jump ≤ 1.3× proxy. Also
 * a bulk transfer (BENCH_BYTES, 256 MiB by default) each way, for the cost
 * of the jump hop's extra encryption in ssh2.
 *
 *   node dist/test/bench/jump-login.js
 *   BENCH_ROUNDS=21 node dist/test/bench/jump-login.js
 *
 * Needs root's Docker engine and hakuriver-test/debian-sshd:latest
 * (.ci/test-images.sh). Prints figures; asserts nothing.
 */
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { TestCluster } from "../helpers/cluster.js";
import { sh } from "../helpers/netns.js";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 11);
const BYTES = Number(process.env.BENCH_BYTES ?? 256 * 1024 ** 2);
const ENV = "benchjump";

function timed(command: string, args: readonly string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(command, [...args], { stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.once("close", (code) => {
      if (code !== 0) reject(new Error(`${command} ${args.join(" ")} exited ${code}: ${err}`));
      else resolve(Number(process.hrtime.bigint() - started) / 1e6);
    });
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
    // The ProxyCommand (hakuriver ssh-proxy) runs in ssh's environment: it sends this token.
    process.env["HAKURIVER_AUTH_TOKEN"] = cluster.adminToken;
    process.env["HAKURIVER_HOST"] = cluster.address;
    await cluster.startRunner("bench");
    const submitted = await cluster.cli(["vps", "submit", "--container", ENV, "--public-key-file", `${key}.pub`, "--wait", "--json"]);
    if (submitted.code !== 0) throw new Error(submitted.stderr);
    const taskId = (JSON.parse(submitted.stdout) as { tasks: { taskId: string }[] }).tasks[0]!.taskId;
    // Both paths: the same key, no host-key files (the check is not what is timed).
    const configFile = join(cluster.dir, "ssh_config");
    writeFileSync(configFile, `Host *\n  IdentityFile ${key}\n  IdentitiesOnly yes\n  BatchMode yes\n  StrictHostKeyChecking no\n  UserKnownHostsFile /dev/null\n  LogLevel ERROR\n`);
    const config = await cluster.cli(["ssh-config", taskId, "--proxy-port", String(cluster.sshProxyPort)]);
    const proxyCommand = /^\s*ProxyCommand (.*)$/m.exec(config.stdout)![1]!.replace(/%%/g, "%");
    const proxyTarget = ["-F", configFile, "-o", `ProxyCommand=${proxyCommand}`, `root@hakuriver-${taskId}`];
    const jumpTarget = ["-F", configFile, "-J", `jump@127.0.0.1:${cluster.sshJumpPort}`, `root@vps-${taskId}`];
    const viaProxy = [...proxyTarget, "true"];
    const viaJump = [...jumpTarget, "true"];
    // One of each first: the runner's tunnel path and the page cache warm up.
    await timed("ssh", viaProxy);
    await timed("ssh", viaJump);
    const proxy: number[] = [];
    const jump: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      proxy.push(await timed("ssh", viaProxy));
      jump.push(await timed("ssh", viaJump));
    }
    const ratio = median(jump) / median(proxy);
    console.log(`SSH login (ssh ... true) to a VPS, median of ${ROUNDS} alternating rounds:`);
    console.log(`  raw proxy (ProxyCommand hakuriver ssh-proxy): ${median(proxy).toFixed(0)} ms (min ${Math.min(...proxy).toFixed(0)})`);
    console.log(`  jump host (ssh -J jump@HOST:PORT):           ${median(jump).toFixed(0)} ms (min ${Math.min(...jump).toFixed(0)})`);
    console.log(`  jump / proxy: ${ratio.toFixed(2)}x (aim <= 1.3x)`);
    const upload = (target: string[]) => timed("sh", ["-c", `head -c ${BYTES} /dev/zero | ssh "$@" 'cat > /dev/null'`, "sh", ...target]);
    const download = (target: string[]) => timed("sh", ["-c", `ssh "$@" 'head -c ${BYTES} /dev/zero' > /dev/null`, "sh", ...target]);
    for (const [name, run] of [["upload (client → VPS)", upload], ["download (VPS → client)", download]] as const) {
      const proxyMs = await run(proxyTarget);
      const jumpMs = await run(jumpTarget);
      console.log(`${(BYTES / 1024 ** 2).toFixed(0)} MiB ${name}: raw proxy ${mbps(proxyMs)} MiB/s, jump host ${mbps(jumpMs)} MiB/s, jump / proxy ${(proxyMs / jumpMs).toFixed(2)}`);
    }
    await cluster.cli(["vps", "kill", taskId]);
  } finally {
    await cluster.cleanup();
    await sh("docker", ["rmi", `hakuriver/${ENV}:base`]).catch(() => "");
  }
}

await main();
