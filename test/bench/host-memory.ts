/**
 * Benchmark: the Host's resident memory idle, right after 10,000 tasks have
 * run to completion, and 60 s later (aims: ≤ 80 MB, ≤ 150 MB, back within
 * 20 MB of idle). The tasks are native `true` with `cores 0` on one runner,
 * submitted 32 at a time, each a SubmitTask call of its own; a Watch sees
 * them end. Idle is read after a warm-up of 20 tasks, so it counts the
 * code paths a working Host has loaded, not a Host that never ran one.
 * Run: npm run bench -- host-memory (HAKURIVER_BENCH_TASKS, default 10000;
 * HAKURIVER_BENCH_SETTLE_S, default 60; HAKURIVER_BENCH_HOST_NODE_ARGS, options to the Host's node).
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { Client } from "@connectrpc/connect";
import type { ClientService } from "../../gen/hakuriver/v1/client_pb.js";
import { TestCluster } from "../helpers/cluster.js";
import { rssMb } from "../helpers/proc-stats.js";
import { runNativeTasks } from "../helpers/run-native-tasks.js";

const TASKS = Number(process.env.HAKURIVER_BENCH_TASKS ?? 10_000);
const SETTLE_S = Number(process.env.HAKURIVER_BENCH_SETTLE_S ?? 60);
const IN_FLIGHT = 32;

/** Runs `count` native `true` tasks (no cores reserved); returns what did not complete ("" when all did). */
async function runTasks(client: Client<typeof ClientService>, count: number): Promise<string> {
  return (await runNativeTasks(client, { count, cores: 0, inFlight: IN_FLIGHT })).notCompletedText;
}

const cluster = new TestCluster({ HAKURIVER_LOG_LEVEL: "warn" });
// Options for the Host's node, e.g. HAKURIVER_BENCH_HOST_NODE_ARGS="--max-semi-space-size=2".
cluster.hostNodeArgs = process.env.HAKURIVER_BENCH_HOST_NODE_ARGS?.split(" ").filter(Boolean) ?? [];
try {
  await cluster.startHost();
  await cluster.startRunner("bench");
  const pid = cluster.host!.child.pid!;
  await runTasks(cluster.client, 20);
  await sleep(5_000);
  const idle = rssMb(pid);
  console.log(`Host RSS idle (after 20 warm-up tasks): ${idle.toFixed(0)} MB (aim ≤ 80 MB)`);
  const start = performance.now();
  const notCompleted = await runTasks(cluster.client, TASKS);
  const seconds = (performance.now() - start) / 1000;
  const after = rssMb(pid);
  console.log(`after ${TASKS} tasks (${(TASKS / seconds).toFixed(0)} tasks/s${notCompleted ? `; NOT completed: ${notCompleted}` : ""}): ${after.toFixed(0)} MB (aim ≤ 150 MB)`);
  await sleep(SETTLE_S * 1000);
  const later = rssMb(pid);
  console.log(`${SETTLE_S} s later: ${later.toFixed(0)} MB, ${(later - idle).toFixed(0)} MB above idle (aim ≤ 20 MB)`);
} finally {
  await cluster.cleanup();
}
