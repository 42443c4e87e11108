/**
 * Benchmark: one Host and many simulated runners (the real control loop
 * with a fake executor, all in one other process, test/helpers/simulated-runners.ts)
 * at 1 s heartbeats (HAKURIVER_BENCH_HEARTBEAT_S). For each way of storing heartbeats, in the same run:
 * - `every heartbeat`: timing.heartbeat_flush_interval = 0, one UPDATE per
 *   heartbeat (the baseline, as before batching);
 * - `batched 5 s`: the default, in memory and one transaction every 5 s.
 * It prints the Host's CPU (% of one core) and RSS over the window, whether
 * every node stayed online, and ListNodes latency under that load against
 * the same Host idle (the runners stopped, the same nodes listed).
 * Run: npm run bench -- heartbeat (HAKURIVER_BENCH_RUNNERS, default 1000;
 * HAKURIVER_BENCH_SECONDS, default 30; HAKURIVER_BENCH_HEARTBEAT_MODES, default
 * "every,batched").
 */
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { NodeStatus } from "../../gen/hakuriver/v1/types_pb.js";
import { FAST_TIMING, TestCluster, sleep, waitUntil } from "../helpers/cluster.js";
import { cpuSeconds, rssMb } from "../helpers/proc-stats.js";

const RUNNERS = Number(process.env.HAKURIVER_BENCH_RUNNERS ?? 1000);
const SECONDS = Number(process.env.HAKURIVER_BENCH_SECONDS ?? 30);
/** Heartbeat interval in seconds (HAKURIVER_BENCH_HEARTBEAT_S; the issue asks 1 s at 1,000 runners, 5 s at 5,000). */
const INTERVAL_S = Number(process.env.HAKURIVER_BENCH_HEARTBEAT_S ?? 1);
const SIMULATOR = fileURLToPath(new URL("../helpers/simulated-runners.js", import.meta.url));
function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/** Calls that failed, by message (printed at the end: a failure is a finding, not a crash of the bench). */
const failures = new Map<string, number>();

function noteFailure(error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  failures.set(message, (failures.get(message) ?? 0) + 1);
}

/** ListNodes latencies (ms) of `calls` sequential calls, `gapMs` apart; failed calls are noted, not timed. */
async function listLatencies(cluster: TestCluster, calls: number, gapMs: number): Promise<number[]> {
  const latencies: number[] = [];
  for (let i = 0; i < calls; i++) {
    const start = performance.now();
    try {
      await cluster.client.listNodes({});
      latencies.push(performance.now() - start);
    } catch (error) {
      noteFailure(error);
    }
    await sleep(gapMs);
  }
  return latencies;
}

/** Online nodes; -1 when the call failed (noted). */
async function onlineCount(cluster: TestCluster): Promise<number> {
  try {
    const { nodes } = await cluster.client.listNodes({});
    return nodes.filter((n) => n.status === NodeStatus.ONLINE).length;
  } catch (error) {
    noteFailure(error);
    return -1;
  }
}

/** Starts the simulator and resolves once it says every runner was welcomed. */
async function startSimulator(cluster: TestCluster): Promise<ChildProcess> {
  const child = spawn(process.execPath, [SIMULATOR, cluster.address, cluster.joinToken, String(RUNNERS)], { stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      if (out.includes("welcomed")) resolve();
    });
    child.once("exit", (code) => reject(new Error(`the simulator exited (${code}) before every runner was welcomed`)));
  });
  return child;
}

async function stopSimulator(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
  await exited;
  clearTimeout(timer);
}

/** One Host, one way of storing heartbeats; prints one line of figures. */
async function measure(label: string, flushSeconds: number): Promise<void> {
  const cluster = new TestCluster({
    ...FAST_TIMING,
    HAKURIVER_TIMING_HEARTBEAT_INTERVAL: String(INTERVAL_S),
    HAKURIVER_TIMING_HEARTBEAT_TIMEOUT_FACTOR: "6",
    HAKURIVER_TIMING_CLEANUP_CHECK_INTERVAL: "1",
    HAKURIVER_TIMING_HEARTBEAT_FLUSH_INTERVAL: String(flushSeconds),
    HAKURIVER_RUNNER_BACKOFF_MS: "500",
  });
  let simulator: ChildProcess | undefined;
  try {
    await cluster.startHost();
    const pid = cluster.host!.child.pid!;
    const connectStart = performance.now();
    simulator = await startSimulator(cluster);
    let online = 0;
    const connectLimitMs = Number(process.env.HAKURIVER_BENCH_CONNECT_S ?? 120) * 1000;
    await waitUntil(async () => (online = await onlineCount(cluster)) === RUNNERS, connectLimitMs, () => `${label}: ${online} of ${RUNNERS} runners online after ${connectLimitMs / 1000} s`);
    const connectS = (performance.now() - connectStart) / 1000;
    // Settle: the hellos' burst is over, heartbeats are steady.
    await sleep(5000);
    const cpuStart = cpuSeconds(pid);
    const simStart = cpuSeconds(simulator.pid!);
    const wallStart = performance.now();
    let rssMax = 0;
    for (let s = 0; s < SECONDS; s++) {
      await sleep(1000);
      rssMax = Math.max(rssMax, rssMb(pid));
    }
    const wallS = (performance.now() - wallStart) / 1000;
    const hostCpu = (100 * (cpuSeconds(pid) - cpuStart)) / wallS;
    const simCpu = (100 * (cpuSeconds(simulator.pid!) - simStart)) / wallS;
    const loaded = await listLatencies(cluster, 40, 100);
    online = await onlineCount(cluster);
    await stopSimulator(simulator);
    simulator = undefined;
    await sleep(2000);
    const idle = await listLatencies(cluster, 40, 100);
    const ratio = quantile(loaded, 0.5) / quantile(idle, 0.5);
    console.log(
      `${label}: ${RUNNERS} runners, ${INTERVAL_S} s heartbeats, ${SECONDS} s: Host ${hostCpu.toFixed(1)} % of a core, RSS ${rssMb(pid).toFixed(0)} MB (max ${rssMax.toFixed(0)}); ` +
        `${online}/${RUNNERS} online at the end; ListNodes median ${quantile(loaded, 0.5).toFixed(1)} ms (p90 ${quantile(loaded, 0.9).toFixed(1)}) vs idle ${quantile(idle, 0.5).toFixed(1)} ms (p90 ${quantile(idle, 0.9).toFixed(1)}) = ${ratio.toFixed(2)}×; ` +
        `all connected in ${connectS.toFixed(1)} s; the simulator used ${simCpu.toFixed(0)} % of a core`,
    );
  } finally {
    if (simulator) await stopSimulator(simulator);
    await cluster.cleanup();
  }
}

// HAKURIVER_BENCH_HEARTBEAT_MODES=batched measures only the default (the baseline at 1,000 runners can take minutes to come online).
const modes = (process.env.HAKURIVER_BENCH_HEARTBEAT_MODES ?? "every,batched").split(",");
if (modes.includes("every")) await measure("every heartbeat written (flush interval 0, the baseline)", 0);
if (modes.includes("batched")) await measure("batched (flush interval 5 s, the default)", 5);
for (const [message, count] of failures) console.log(`failed ListNodes calls: ${count} × ${message}`);
