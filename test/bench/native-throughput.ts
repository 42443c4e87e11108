/**
 * Benchmark: native task throughput through one Host.
 * - N native `true` tasks (default 1,000), `--cores 1`, one SubmitTask call
 *   each (32 in flight), first submit → last completed (seen on a Watch),
 *   over one runner and then over two: tasks/s, the Host's CPU per task, and
 *   the two-runner figure as a ratio of the one-runner figure;
 * - the baseline, in the same run: how fast this machine spawns `true` from
 *   Node with the same parallelism the runners have (2 × cores, 1 core each).
 * Run: npm run bench -- native-throughput (HAKURIVER_BENCH_TASKS, default 1000;
 * HAKURIVER_BENCH_HOST_NODE_ARGS passes options to the Host's node, e.g. --cpu-prof).
 */
import { spawn } from "node:child_process";
import { availableParallelism } from "node:os";
import { TestCluster } from "../helpers/cluster.js";
import { cpuSeconds } from "../helpers/proc-stats.js";
import { runNativeTasks } from "../helpers/run-native-tasks.js";

const TASKS = Number(process.env.HAKURIVER_BENCH_TASKS ?? 1000);
const IN_FLIGHT = 32;

/** Spawns `true` `count` times, `parallel` at once; returns spawns per second. */
async function spawnRate(count: number, parallel: number): Promise<number> {
  const start = performance.now();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      next++;
      await new Promise<void>((resolve, reject) => spawn("true").once("exit", () => resolve()).once("error", reject));
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return count / ((performance.now() - start) / 1000);
}

interface Throughput {
  readonly tasksPerSecond: number;
  readonly hostCpuMsPerTask: number;
  readonly failed: number;
  readonly why: string;
}

/** Runs `TASKS` tasks through a fresh cluster of `runners` runners. */
async function throughput(runners: number): Promise<Throughput> {
  const cluster = new TestCluster({ HAKURIVER_LOG_LEVEL: "warn" });
  // For profiling: HAKURIVER_BENCH_HOST_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof".
  cluster.hostNodeArgs = process.env.HAKURIVER_BENCH_HOST_NODE_ARGS?.split(" ").filter(Boolean) ?? [];
  try {
    await cluster.startHost();
    for (let i = 0; i < runners; i++) await cluster.startRunner(`bench-${i}`);
    const pid = cluster.host!.child.pid!;
    let cpuStart = 0;
    const run = await runNativeTasks(cluster.client, { count: TASKS, cores: 1, inFlight: IN_FLIGHT, beforeSubmit: () => (cpuStart = cpuSeconds(pid)) });
    const cpu = cpuSeconds(pid) - cpuStart;
    return { tasksPerSecond: TASKS / run.seconds, hostCpuMsPerTask: (1000 * cpu) / TASKS, failed: run.notCompleted, why: run.notCompletedText };
  } finally {
    await cluster.cleanup();
  }
}

function describe(label: string, t: Throughput): string {
  return `${label}: ${t.tasksPerSecond.toFixed(0)} tasks/s, Host CPU ${t.hostCpuMsPerTask.toFixed(2)} ms/task${t.failed > 0 ? `, ${t.failed} NOT completed: ${t.why}` : ""}`;
}

const cores = availableParallelism();
const baseline = await spawnRate(TASKS, cores);
console.log(`baseline: node spawns \`true\` ${baseline.toFixed(0)} times/s, ${cores} at once (this machine's ceiling for ${cores}-core runners)`);
const one = await throughput(1);
console.log(describe(`${TASKS} native true, 1 runner, --cores 1`, one));
const two = await throughput(2);
console.log(describe(`${TASKS} native true, 2 runners, --cores 1`, two));
console.log(`2 runners / 1 runner: ${(two.tasksPerSecond / one.tasksPerSecond).toFixed(2)}× (aim ≥ 1.6×); 1 runner / spawn baseline: ${(one.tasksPerSecond / baseline).toFixed(2)}×`);
