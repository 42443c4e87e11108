/**
 * Many simulated runners in one process, for scale benchmarks: each is the
 * real runner control loop (hello, heartbeats at the interval the Host
 * welcomes, reconnect with backoff) over its own HTTP/2 connection, with a
 * fake executor behind the real supervisor instead of processes.
 *
 * As a program: `node simulated-runners.js ADDRESS JOIN_TOKEN COUNT [PREFIX]`
 * prints `welcomed N` once every runner has had its first welcome, and stops
 * them all on SIGTERM or SIGINT (then prints `stopped`).
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { pino } from "pino";
import { ControlLoop } from "../../src/runner/control-loop.js";
import { keepRunningOnStrayErrors } from "../../src/shared/last-resort.js";
import { StateFile } from "../../src/runner/state-file.js";
import { Supervisor } from "../../src/runner/supervisor.js";
import { FakeExecutor } from "./fake-executor.js";

/** Runners started by {@link startSimulatedRunners}. */
export interface SimulatedRunners {
  /** Resolves once every runner has been welcomed at least once. */
  readonly welcomed: Promise<void>;
  /** Stops every control loop and removes their state dirs. */
  stop(): Promise<void>;
}

/** Starts `count` runners named `PREFIX-0000`... against the Host at `address`. */
export function startSimulatedRunners(address: string, joinToken: string, count: number, prefix = "sim"): SimulatedRunners {
  const dir = mkdtempSync(join(tmpdir(), "hakuriver-sim-"));
  const log = pino({ level: process.env.HAKURIVER_LOG_LEVEL ?? "warn" });
  // As runner/main.ts does: a library's stray error (connect-node pings a destroyed session under load) is logged, not fatal.
  keepRunningOnStrayErrors(log);
  const loops: { loop: ControlLoop; done: Promise<void> }[] = [];
  const welcomes: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    const name = `${prefix}-${String(i).padStart(4, "0")}`;
    const stateDir = join(dir, name);
    mkdirSync(stateDir);
    const executor = new FakeExecutor();
    const loop = new ControlLoop({
      hostAddress: address,
      name,
      joinToken,
      version: "simulated",
      resources: async () => ({ cores: 8, memoryBytes: 16n * 1024n ** 3n }),
      supervisor: (reporter) => new Supervisor({ executorFor: () => executor, executors: [executor], sharedDir: stateDir, localTempDir: stateDir, state: new StateFile(stateDir, name), log, reporter }),
      log,
    });
    welcomes.push(new Promise((resolve) => (loop.onWelcome = () => resolve())));
    loops.push({ loop, done: loop.run() });
  }
  return {
    welcomed: Promise.all(welcomes).then(() => undefined),
    stop: async () => {
      for (const { loop } of loops) loop.stop();
      await Promise.all(loops.map((l) => l.done));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [address, joinToken, count, prefix] = process.argv.slice(2);
  if (!address || joinToken === undefined || !count) {
    console.error("usage: simulated-runners ADDRESS JOIN_TOKEN COUNT [PREFIX]");
    process.exit(2);
  }
  const runners = startSimulatedRunners(address, joinToken, Number(count), prefix);
  const stop = async () => {
    await runners.stop();
    console.log("stopped");
    process.exit(0);
  };
  process.once("SIGTERM", () => void stop());
  process.once("SIGINT", () => void stop());
  await runners.welcomed;
  console.log(`welcomed ${count}`);
}
