/**
 * Benchmark (on demand): TCP throughput through `hakuriver forward`
 * (client → CLI → Host → runner's tunnel stream → the task's port) against
 * the same transfer straight to the task's port on loopback, both
 * directions, in the same run. The task is a native command task running a
 * small byte server on its node's loopback; the runner and Host are local.
 *
 *   node dist/test/bench/forward-throughput.js            # 1 GiB each way, 3 rounds
 *   BENCH_BYTES=1073741824 BENCH_ROUNDS=5 node dist/test/bench/forward-throughput.js
 *   BENCH_ONLY=GET node dist/test/bench/forward-throughput.js   # one direction
 *   BENCH_PROFILE_DIR=/tmp/prof node dist/...    # --cpu-prof of the Host, runner and CLI
 *
 * Prints figures (medians); asserts nothing. Aim: forwarded ≥ 0.5× direct.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import { connect, createServer, type AddressInfo } from "node:net";
import { join } from "node:path";
import { CLI, TestCluster, waitUntil } from "../helpers/cluster.js";

const BYTES = Number(process.env.BENCH_BYTES ?? 1024 ** 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
/** `GET` or `PUT` alone (for profiling one direction); both by default. */
const ONLY = process.env.BENCH_ONLY;
/** Where the Host, the runner and the forwarding CLI write --cpu-prof profiles; none by default. */
const PROFILE_DIR = process.env.BENCH_PROFILE_DIR;
const PROFILE_ARGS = PROFILE_DIR ? ["--cpu-prof", `--cpu-prof-dir=${PROFILE_DIR}`] : [];

/** The task: `GET n\n` sends n bytes then FIN; `PUT n\n` reads n bytes then answers `ok\n`. */
const SERVER = `
const net = require("node:net");
const block = Buffer.alloc(1024 * 1024, 7);
net.createServer({ allowHalfOpen: true }, (socket) => {
  let head = "";
  const onHead = (chunk) => {
    head += chunk.toString("latin1");
    const newline = head.indexOf("\\n");
    if (newline < 0) return;
    socket.off("data", onHead);
    const [verb, size] = head.slice(0, newline).split(" ");
    let left = Number(size);
    if (verb === "GET") {
      const pump = () => {
        while (left > 0) {
          const part = left >= block.length ? block : block.subarray(0, left);
          left -= part.length;
          if (!socket.write(part)) return socket.once("drain", pump);
        }
        socket.end();
      };
      pump();
    } else {
      left -= Buffer.byteLength(head.slice(newline + 1), "latin1");
      const done = () => socket.end("ok\\n");
      if (left <= 0) return done();
      socket.on("data", (c) => { left -= c.length; if (left <= 0) done(); });
    }
  };
  socket.on("data", onHead);
  socket.on("error", () => {});
}).listen(Number(process.argv[2]), "127.0.0.1");
`;

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

/** One transfer of BYTES to or from 127.0.0.1:port; resolves with its milliseconds. */
function transfer(port: number, verb: "GET" | "PUT"): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const socket = connect({ host: "127.0.0.1", port });
    let received = 0;
    socket.on("data", (chunk: Buffer) => (received += chunk.length));
    socket.once("error", reject);
    socket.once("end", () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      socket.destroy();
      if (verb === "GET" && received !== BYTES) reject(new Error(`got ${received} of ${BYTES} bytes`));
      else resolve(ms);
    });
    socket.once("connect", () => {
      socket.write(`${verb} ${BYTES}\n`);
      if (verb === "GET") return;
      const block = Buffer.alloc(1024 * 1024, 9);
      let left = BYTES;
      const pump = () => {
        while (left > 0) {
          const part = left >= block.length ? block : block.subarray(0, left);
          left -= part.length;
          if (!socket.write(part)) return void socket.once("drain", pump);
        }
      };
      pump();
    });
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const mbps = (ms: number) => (BYTES / 1024 ** 2 / (ms / 1000)).toFixed(0);

async function main(): Promise<void> {
  const cluster = new TestCluster({ HAKURIVER_LOG_LEVEL: "warn", HAKURIVER_TLS_MODE: "off" });
  let forward: ChildProcess | undefined;
  try {
    cluster.hostNodeArgs = PROFILE_ARGS;
    await cluster.startHost();
    await cluster.startRunner("bench", PROFILE_DIR ? { wrapper: ["sh", "-c", `exec "$0" ${PROFILE_ARGS.join(" ")} "$@"`] } : {});
    const script = join(cluster.dir, "byte-server.cjs");
    writeFileSync(script, SERVER);
    const port = await freePort();
    const submitted = await cluster.cli(["task", "submit", "--container", "NULL", "--json", "--", process.execPath, script, String(port)]);
    if (submitted.code !== 0) throw new Error(submitted.stderr);
    const taskId = (JSON.parse(submitted.stdout) as { tasks: { taskId: string }[] }).tasks[0]!.taskId;
    await waitUntil(async () => (await transfer(port, "PUT").then(() => true, () => false)), 30_000, () => "the byte server never listened");
    forward = spawn(process.execPath, [...PROFILE_ARGS, CLI, "forward", taskId, String(port), "--local", "0"], { env: { ...process.env, ...cluster.cliEnv() }, stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    forward.stdout!.on("data", (d: Buffer) => (out += d.toString()));
    await waitUntil(() => /Forwarding \S+:(\d+) /.test(out), 30_000, () => `forward did not start: ${out}`);
    const local = Number(/Forwarding \S+:(\d+) /.exec(out)![1]);
    console.log(`Forward throughput benchmark: ${(BYTES / 1024 ** 2).toFixed(0)} MiB each way, ${ROUNDS} interleaved rounds, medians`);
    for (const verb of (["GET", "PUT"] as const).filter((v) => ONLY === undefined || v === ONLY)) {
      const direct: number[] = [];
      const forwarded: number[] = [];
      for (let i = 0; i < ROUNDS; i++) {
        direct.push(await transfer(port, verb));
        forwarded.push(await transfer(local, verb));
      }
      const name = verb === "GET" ? "download (task → client)" : "upload (client → task)";
      console.log(`${name}: direct ${mbps(median(direct))} MiB/s, forwarded ${mbps(median(forwarded))} MiB/s, ratio ${(median(direct) / median(forwarded)).toFixed(2)}`);
    }
    await cluster.cli(["task", "kill", taskId]);
  } finally {
    forward?.kill("SIGINT");
    await cluster.cleanup();
  }
}

await main();
