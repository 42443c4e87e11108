/**
 * Runs a command task as a plain process on the node: argv spawned without
 * a shell, in its own process group (so kill, pause and resume reach every
 * child), working dir `shared_dir/shared_data`, a small clean environment.
 * CPU and memory limits and NUMA binding are applied by `../limits/`
 * (systemd scope, else the task's own cgroup, plus numactl); what cannot be
 * applied is noted in the task's status message.
 */
import { spawn } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { constants } from "node:os";
import type { TaskSpec } from "../../../gen/hakuriver/v1/runner_pb.js";
import { removeTaskCgroups } from "../limits/cgroups.js";
import { type LimitProbes, machineProbes, planNativeLimits } from "../limits/native-limits.js";
import type { Executor, ExitInfo, OutputSink, Recovery, StartContext, TaskHandle } from "./executor.js";
import { spawnTurn } from "./spawn-turns.js";

/** Grace between SIGTERM and SIGKILL when killing a task. */
const KILL_GRACE_MS = 3000;

/** The environment a native task gets: a few basics, the HAKURIVER_* vars, then the task's own. */
export function taskEnvironment(spec: TaskSpec, context: StartContext, base: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of ["PATH", "HOME", "USER", "LOGNAME", "LANG", "LC_ALL", "TZ", "TMPDIR"]) {
    const value = base[name];
    if (value !== undefined) env[name] = value;
  }
  env.PATH ??= "/usr/local/bin:/usr/bin:/bin";
  env.HAKURIVER_TASK_ID = spec.taskId;
  env.HAKURIVER_SHARED_DIR = context.sharedDir;
  env.HAKURIVER_LOCAL_TEMP_DIR = context.localTempDir;
  if (spec.numaNode !== undefined) env.HAKURIVER_TARGET_NUMA_NODE = String(spec.numaNode);
  // The GPUs the target reserved: CUDA (and NVML-based tools) see only these.
  if (spec.gpus.length > 0) env.CUDA_VISIBLE_DEVICES = env.HAKURIVER_TARGET_GPUS = spec.gpus.join(",");
  return { ...env, ...spec.env };
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is already gone.
  }
}

/** The kernel's start time of a process (field 22 of /proc/PID/stat), to tell a reused pid apart. */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
  } catch {
    return undefined;
  }
}

/**
 * Whether the memory limit ended the task itself: its main process died of
 * SIGKILL while its memory cgroup counted an OOM kill. A main process that
 * exited by itself (any code) after the killer took a child was not ended
 * by the limit: it ends by its own exit. `sigkillMeansOom` covers a
 * systemd scope whose counter went away with the scope.
 */
export function oomWasFatal(oomKills: number, signal: NodeJS.Signals | null, sigkillMeansOom = false): boolean {
  if (signal !== "SIGKILL") return false;
  return oomKills > 0 || sigkillMeansOom;
}

/**
 * Pids of processes whose environment names one of `taskIds` as its
 * HAKURIVER_TASK_ID (every native task's process has it); none when the list is empty.
 */
export function processesOfTasks(taskIds: readonly string[]): number[] {
  if (taskIds.length === 0) return [];
  const wanted = new Set(taskIds.map((id) => `HAKURIVER_TASK_ID=${id}`));
  const found: number[] = [];
  for (const entry of readdirSync("/proc")) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid <= 1 || pid === process.pid) continue;
    let environ: string;
    try {
      environ = readFileSync(`/proc/${pid}/environ`, "utf8");
    } catch {
      continue; // gone, or not ours to read
    }
    if (environ.split("\0").some((line) => wanted.has(line))) found.push(pid);
  }
  return found;
}

/** Native executor. */
export class NativeExecutor implements Executor {
  readonly name = "native";

  /**
   * `probes` is injectable so tests can model machines without cgroups or
   * systemd; `numactlPath` is paths.numactl_path (empty: numactl on the task's PATH).
   */
  constructor(
    private readonly probes: LimitProbes = machineProbes,
    private readonly numactlPath = "",
  ) {}

  async start(spec: TaskSpec, sink: OutputSink, context: StartContext): Promise<TaskHandle> {
    const cwd = join(context.sharedDir, "shared_data");
    mkdirSync(cwd, { recursive: true });
    const env = taskEnvironment(spec, context);
    const plan = await planNativeLimits(
      {
        taskId: spec.taskId,
        command: spec.command,
        args: spec.args,
        cores: spec.cores,
        memoryBytes: Number(spec.memoryBytes),
        numaNode: spec.numaNode,
        path: env.PATH,
        cwd,
        numactlPath: this.numactlPath,
      },
      this.probes,
    );
    plan.notes.forEach((note) => context.note(note));
    const [file = spec.command, ...argv] = plan.argv;
    await spawnTurn();
    const child = spawn(file, argv, { cwd, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.on("data", (chunk: Buffer) => sink.stdout(chunk));
    child.stderr.on("data", (chunk: Buffer) => sink.stderr(chunk));
    let signalled = false;
    let oomKills: () => number = () => 0;
    const exited = new Promise<ExitInfo>((resolve) => {
      child.once("error", (error: NodeJS.ErrnoException) => {
        const detail = error.code === "ENOENT" ? `command not found: ${spec.command}` : `cannot start ${spec.command}: ${error.message}`;
        sink.stderr(Buffer.from(`hakuriver: ${detail}\n`));
        void plan.cleanup().then(() => resolve({ exitCode: error.code === "ENOENT" ? 127 : 126, oomKilled: false, detail }));
      });
      child.once("close", (code, signal) => {
        // Read the OOM counter before the cgroup goes away.
        const kills = spec.memoryBytes > 0n ? oomKills() : 0;
        // After a kill by the user, a SIGKILL is the runner's own, not the limit's.
        const fatal = spec.memoryBytes > 0n && !signalled && oomWasFatal(kills, signal, plan.mechanism === "systemd");
        const memory = { oomKilled: fatal, processOomKilled: kills > 0 && !fatal, memoryLimitBytes: Number(spec.memoryBytes) };
        const info: ExitInfo = signal
          ? { exitCode: 128 + (constants.signals[signal] ?? 0), ...memory, detail: `killed by ${signal}` }
          : { exitCode: code ?? -1, ...memory };
        void plan.cleanup().then(() => resolve(info));
      });
    });
    // Wait for spawn (or its failure) so a missing command is reported, not thrown later.
    await new Promise<void>((resolve) => {
      child.once("spawn", () => resolve());
      child.once("error", () => resolve());
    });
    const pid = child.pid ?? -1;
    if (pid > 0) oomKills = plan.watchOom(pid);
    let killTimer: NodeJS.Timeout | undefined;
    void exited.then(() => clearTimeout(killTimer));
    return {
      ref: pid > 0 ? `${pid}:${processStartTime(pid) ?? ""}` : "",
      wait: () => exited,
      kill: async () => {
        if (pid <= 0) return;
        signalled = true;
        signalGroup(pid, "SIGTERM");
        signalGroup(pid, "SIGCONT");
        killTimer = setTimeout(() => signalGroup(pid, "SIGKILL"), KILL_GRACE_MS);
        killTimer.unref();
      },
      pause: async () => signalGroup(pid, "SIGSTOP"),
      resume: async () => signalGroup(pid, "SIGCONT"),
    };
  }

  /** Native tasks cannot be re-adopted: their output pipes died with the old runner. */
  async recover(): Promise<Recovery> {
    return { kind: "lost" };
  }

  /**
   * Kills what is left of a task, never leaving it orphaned: by pid and start
   * time (a reused pid is spared), or, with no pid recorded (the old runner may
   * have died just after the spawn), by its HAKURIVER_TASK_ID. Its cgroups go
   * too (a systemd scope is collected by systemd itself): the old runner's
   * cleanup died with it, and the start-up sweep leaves young or busy ones.
   */
  async destroy(taskId: string, ref: string): Promise<void> {
    const [pidText, startTime] = ref.split(":");
    const pid = Number(pidText);
    if (pid > 0 && startTime && processStartTime(pid) === startTime) signalGroup(pid, "SIGKILL");
    else if (ref === "") for (const found of processesOfTasks([taskId])) signalGroup(found, "SIGKILL");
    if (!this.probes.systemd()) await removeTaskCgroups(taskId, this.probes.cgroups());
  }

  /** Nothing to sweep: a native task nobody recorded was never spawned. */
  async sweepOrphans(): Promise<void> {}
}
