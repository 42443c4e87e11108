/**
 * Benchmark: how long a CLI line takes from start to exit, against `node -e 0`
 * (Node's own start-up) on the same machine, in one run:
 * - `hakuriver --version`;
 * - `hakuriver task status ID` against a real Host (loopback).
 * Each is run 20 times, interleaved round by round so the three share the
 * machine's load; the median wall time and its ratio to `node -e 0` are printed.
 * Run: npm run bench -- cli-start (or node dist/test/bench/cli-start.js).
 */
import { spawnSync } from "node:child_process";
import { CLI, TestCluster } from "../helpers/cluster.js";

const RUNS = 20;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Wall time of one run of `node ARGS` in ms; throws on a non-zero exit. */
function timed(args: readonly string[], env: NodeJS.ProcessEnv): number {
  const start = performance.now();
  const result = spawnSync(process.execPath, args, { env, encoding: "utf8" });
  const ms = performance.now() - start;
  if (result.status !== 0) throw new Error(`node ${args.join(" ")} exited ${result.status}: ${result.stderr}`);
  return ms;
}

/** Runs the benchmark and prints its figures. */
async function benchCliStart(): Promise<void> {
  const cluster = new TestCluster({ HAKURIVER_LOG_LEVEL: "warn" });
  try {
    await cluster.startHost();
    const { tasks } = await cluster.client.submitTask({ command: "true", container: "NULL" });
    const id = tasks[0]!.taskId;
    const env = { ...process.env, ...cluster.cliEnv() };
    const lines: Record<string, readonly string[]> = {
      "node -e 0": ["-e", "0"],
      "hakuriver --version": [CLI, "--version"],
      [`hakuriver task status ID`]: [CLI, "task", "status", id],
    };
    const times = new Map<string, number[]>(Object.keys(lines).map((name) => [name, []]));
    for (const args of Object.values(lines)) timed(args, env); // Warm the file cache.
    for (let round = 0; round < RUNS; round++) {
      for (const [name, args] of Object.entries(lines)) times.get(name)!.push(timed(args, env));
    }
    const base = median(times.get("node -e 0")!);
    for (const [name, values] of times) {
      const ms = median(values);
      console.log(`${name.padEnd(26)} median ${ms.toFixed(1).padStart(6)} ms  ${(ms / base).toFixed(2)}× node -e 0  (${RUNS} runs)`);
    }
  } finally {
    await cluster.cleanup();
  }
}

await benchCliStart();
