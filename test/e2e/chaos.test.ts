/**
 * Fault injection: a mixed load of native and Docker tasks while the Host
 * and the runners are killed with SIGKILL at random points and restarted.
 * Afterwards: no acknowledged task is lost, none ran twice, none is stuck
 * in a non-final status, no container, process or cgroup is left behind,
 * and the runners' descriptors are back to their idle count.
 *
 * The schedule comes from a seeded generator: the seed is printed, and
 * `HAKURIVER_CHAOS_SEED=N` replays a run.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, readlinkSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { TaskStatus } from "../../gen/hakuriver/v1/types_pb.js";
import { FAST_TIMING, TestCluster, sleep, waitUntil, type Proc } from "../helpers/cluster.js";
import { docker, removeTestDockerState } from "../helpers/docker.js";
import { listAllTasks } from "../helpers/list-all.js";

const suffix = `${process.pid}${Date.now().toString(36)}`;
const ENV = `envc${suffix}`;
const RUNNERS = [`chaosa${suffix}`, `chaosb${suffix}`];
/** Every task's argv carries it, so a leftover process is found by name. */
const MARKER = `hakuriver-chaos-${suffix}`;
const STEPS = 40;
const FINAL: readonly TaskStatus[] = [TaskStatus.COMPLETED, TaskStatus.FAILED, TaskStatus.KILLED, TaskStatus.KILLED_OOM, TaskStatus.LOST];

let cluster: TestCluster;
const runners = new Map<string, Proc>();
let idleFds = 0;
/** Every Host and runner process started, killed ones included, for their logs. */
const allProcs: { label: string; proc: Proc }[] = [];

/** mulberry32: a small seeded generator, so a failing schedule can be replayed. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function openFds(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

/** Every process's log lines (all generations of Host and runners) that name one of `ids`. */
function logLinesAbout(ids: readonly string[]): string {
  const lines = allProcs.flatMap(({ label, proc }) => proc.output().split("\n").filter((line) => ids.some((id) => line.includes(id))).map((line) => `[${label}] ${line}`));
  return lines.join("\n").slice(0, 20_000);
}

/** What a process's descriptors point at, counted by kind (for failure messages). */
function describeFds(pid: number): string {
  const kinds = new Map<string, number>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    let target: string;
    try {
      target = readlinkSync(`/proc/${pid}/fd/${fd}`).replace(/\d+/g, "N");
    } catch {
      continue;
    }
    kinds.set(target, (kinds.get(target) ?? 0) + 1);
  }
  return [...kinds].map(([kind, count]) => `${kind} ×${count}`).join(", ");
}

async function startRunner(name: string): Promise<void> {
  const proc = await cluster.startRunner(name);
  allProcs.push({ label: `${name}#${allProcs.length}`, proc });
  runners.set(name, proc);
}

before(async () => {
  // Nodes go offline only after 15 s of silence, so a killed runner's Docker tasks are re-adopted, not lost.
  cluster = new TestCluster({ ...FAST_TIMING, HAKURIVER_TIMING_HEARTBEAT_TIMEOUT_FACTOR: "75", HAKURIVER_LOG_LEVEL: "info" });
  allProcs.push({ label: "host#0", proc: await cluster.startHost() });
  for (const name of RUNNERS) await startRunner(name);
  idleFds = Math.max(...RUNNERS.map((name) => openFds(runners.get(name)!.child.pid!)));
  assert.equal((await cluster.cli(["docker", "create-container", "hakuriver-test/busybox:latest", ENV])).code, 0);
  assert.equal((await cluster.cli(["docker", "create-tar", ENV])).code, 0);
});

after(async () => {
  await cluster.cleanup();
  for (const name of RUNNERS) removeTestDockerState(name, ENV);
});

test("killing the Host and runners at random points loses, repeats and leaves behind nothing", { timeout: 600_000 }, async () => {
  const seed = Number(process.env.HAKURIVER_CHAOS_SEED ?? Math.floor(Math.random() * 2 ** 31));
  console.log(`chaos seed ${seed} (HAKURIVER_CHAOS_SEED=${seed} replays it)`);
  const random = seeded(seed);
  const acknowledged = new Set<string>();
  const kills = { host: 0, runner: 0 };
  let refused = 0;
  for (let step = 0; step < STEPS; step++) {
    const roll = random();
    if (roll < 0.1) {
      kills.host += 1;
      await cluster.kill(cluster.host!);
      await sleep(random() * 500);
      allProcs.push({ label: `host#${allProcs.length}`, proc: await cluster.startHost(cluster.port) });
    } else if (roll < 0.22) {
      kills.runner += 1;
      const name = RUNNERS[Math.floor(random() * RUNNERS.length)]!;
      await cluster.kill(runners.get(name)!);
      await startRunner(name);
    }
    for (let i = 0; i < 3; i++) {
      const inDocker = random() < 0.35;
      const limited = !inDocker && random() < 0.5;
      const script = `echo "$HAKURIVER_TASK_ID" >> starts.log; sleep ${(random() * 0.8).toFixed(2)}; echo finished`;
      try {
        const { tasks } = await cluster.client.submitTask({
          command: "sh",
          args: ["-c", script, MARKER],
          container: inDocker ? ENV : "NULL",
          targets: [RUNNERS[Math.floor(random() * RUNNERS.length)]!],
          cores: limited ? 1 : 0,
          memory: limited ? "256M" : "",
        });
        tasks.forEach((t) => acknowledged.add(t.taskId));
      } catch {
        // Not acknowledged (the Host is down or the node not back yet): it may or may not exist, and must not be stuck either way.
        refused += 1;
      }
    }
    await sleep(random() * 300);
  }
  console.log(`chaos: ${acknowledged.size} acknowledged, ${refused} refused, ${kills.host} Host kills, ${kills.runner} runner kills`);
  assert.ok(acknowledged.size >= STEPS, `too few tasks were acknowledged (${acknowledged.size}) for the run to mean anything`);

  // Settle: every task the Host holds reaches a final status.
  let open: string[] = [];
  await waitUntil(
    async () => {
      const tasks = await listAllTasks(cluster.client);
      open = tasks.filter((t) => !FINAL.includes(t.status)).map((t) => `${t.taskId}: ${TaskStatus[t.status]} ${t.message}`);
      return open.length === 0;
    },
    120_000,
    () => `tasks stuck in a non-final status: ${open.join("; ")}`,
  );

  const tasks = await listAllTasks(cluster.client);
  const held = new Map(tasks.map((t) => [t.taskId, t]));
  const lost = [...acknowledged].filter((id) => !held.has(id));
  assert.deepEqual(lost, [], "acknowledged tasks missing after the restarts");

  const starts = new Map<string, number>();
  const log = join(cluster.sharedDir, "shared_data", "starts.log");
  for (const id of existsSync(log) ? readFileSync(log, "utf8").split("\n").filter(Boolean) : []) starts.set(id, (starts.get(id) ?? 0) + 1);
  const twice = [...starts]
    .filter(([, count]) => count > 1)
    .map(([id, count]) => `${id} ×${count} (${TaskStatus[held.get(id)?.status ?? 0]} on ${held.get(id)?.assignedNode}, container ${held.get(id)?.container}: ${held.get(id)?.message})`);
  assert.deepEqual(twice, [], `tasks that ran more than once; what the logs say of them:\n${logLinesAbout([...starts].filter(([, n]) => n > 1).map(([id]) => id))}`);
  const completedUnstarted = tasks.filter((t) => t.status === TaskStatus.COMPLETED && !starts.has(t.taskId)).map((t) => t.taskId);
  assert.deepEqual(completedUnstarted, [], "tasks completed without running");
  const completed = tasks.filter((t) => t.status === TaskStatus.COMPLETED).length;
  console.log(`chaos: ${completed} completed, ${tasks.filter((t) => t.status === TaskStatus.LOST).length} lost to runner kills`);
  assert.ok(completed > 0, "no task completed at all");

  // Nothing left behind: containers, processes, cgroups, descriptors.
  await waitUntil(
    () => RUNNERS.every((name) => docker("ps", "-aq", "--filter", `label=hakuriver.runner=${name}`).trim() === ""),
    20_000,
    () => `task containers left: ${RUNNERS.map((name) => docker("ps", "-a", "--filter", `label=hakuriver.runner=${name}`)).join("\n")}`,
  );
  const leftProcesses = (): string => {
    try {
      return execFileSync("pgrep", ["-af", MARKER], { encoding: "utf8" }).trim();
    } catch {
      return ""; // pgrep exits 1 when nothing matches
    }
  };
  await waitUntil(() => leftProcesses() === "", 10_000, () => `task processes left: ${leftProcesses()}`);
  const leftCgroups = (): string[] => {
    let found: string[];
    try {
      found = execFileSync("find", ["/sys/fs/cgroup", "-maxdepth", "3", "-name", "hakuriver-task-*"], { encoding: "utf8" }).split("\n").filter(Boolean);
    } catch (error) {
      found = String((error as { stdout?: string }).stdout ?? "").split("\n").filter(Boolean);
    }
    return found.filter((path) => held.has(path.slice(path.lastIndexOf("hakuriver-task-") + "hakuriver-task-".length).replace(/\.scope$/, "")));
  };
  await waitUntil(() => leftCgroups().length === 0, 10_000, () => `task cgroups left: ${leftCgroups().join(", ")}`);
  for (const name of RUNNERS) {
    const pid = runners.get(name)!.child.pid!;
    await waitUntil(() => openFds(pid) <= idleFds + 4, 10_000, () => `runner ${name} holds ${openFds(pid)} descriptors; idle was ${idleFds}: ${describeFds(pid)}`);
  }
});
