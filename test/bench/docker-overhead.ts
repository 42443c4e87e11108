/**
 * Benchmark (run on demand): the overhead of HakuRiver's Docker path over a
 * bare `docker run --rm IMAGE true` on the same engine. Prints the median
 * submit→completed time of a trivial container task, the median bare run,
 * and their ratio. Run: `npm run build && node dist/test/bench/docker-overhead.js [RUNS]`.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { TaskKind, TaskStatus } from "../../gen/hakuriver/v1/types_pb.js";
import { FAST_TIMING, TestCluster } from "../helpers/cluster.js";

const run = promisify(execFile);
const IMAGE = "hakuriver-test/busybox:latest";
const RUNS = Number(process.argv[2] ?? 15);
const FINAL = new Set([TaskStatus.COMPLETED, TaskStatus.FAILED, TaskStatus.KILLED, TaskStatus.KILLED_OOM, TaskStatus.LOST]);

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function bareRun(network = "default"): Promise<number> {
  const started = performance.now();
  await run("docker", ["run", "--rm", "--network", network, IMAGE, "true"]);
  return performance.now() - started;
}

async function main(): Promise<void> {
  const env = `bench${process.pid}`;
  const cluster = new TestCluster(FAST_TIMING);
  try {
    await cluster.startHost();
    await cluster.startRunner("bench");
    await cluster.cli(["docker", "create-container", IMAGE, env]);
    await cluster.cli(["docker", "create-tar", env]);
    const taskRun = async (): Promise<number> => {
      const started = performance.now();
      const { tasks } = await cluster.client.submitTask({ kind: TaskKind.COMMAND, command: "true", container: env, cores: 1, targets: ["bench"] });
      const taskId = tasks[0]!.taskId;
      for (;;) {
        const { task } = await cluster.client.getTask({ taskId });
        if (task && FINAL.has(task.status)) {
          if (task.status !== TaskStatus.COMPLETED) throw new Error(`bench task ended ${TaskStatus[task.status]}: ${task.message}`);
          return performance.now() - started;
        }
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    };
    await taskRun(); // warm-up: image check, connections
    await bareRun();
    const ours: number[] = [];
    const bare: number[] = [];
    const bareHost: number[] = [];
    for (let i = 0; i < RUNS; i += 1) {
      // Interleaved, so drift in the engine's speed hits all alike.
      ours.push(await taskRun());
      bare.push(await bareRun());
      bareHost.push(await bareRun("host"));
    }
    const a = median(ours);
    const b = median(bare);
    const c = median(bareHost);
    console.log(`runs: ${RUNS}`);
    console.log(`hakuriver container task, submit->completed: median ${(a / 1000).toFixed(3)} s (min ${(Math.min(...ours) / 1000).toFixed(3)}, max ${(Math.max(...ours) / 1000).toFixed(3)})`);
    console.log(`bare docker run --rm ${IMAGE} true:  median ${(b / 1000).toFixed(3)} s (min ${(Math.min(...bare) / 1000).toFixed(3)}, max ${(Math.max(...bare) / 1000).toFixed(3)})`);
    console.log(`bare docker run --rm --network host (our tasks use the host network): median ${(c / 1000).toFixed(3)} s`);
    console.log(`ratio vs bare docker run: ${(a / b).toFixed(2)}; vs bare with --network host: ${(a / c).toFixed(2)} (original HakuRiver: 0.61 s / 0.39 s = 1.56; aim < 1.15)`);
  } finally {
    await cluster.cleanup();
    await run("docker", ["rm", "-f", env]).catch(() => undefined);
    await run("docker", ["rmi", "-f", `hakuriver/${env}:base`]).catch(() => undefined);
  }
}

await main();
