/**
 * A native task's own cgroup (v2, or v1 cpu + memory hierarchies): created
 * before the task starts with its CPU quota and memory limit written, joined
 * by the task's first process before it runs user code, read for OOM kills
 * when the task ends, then removed.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, rmdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { CgroupLayout } from "./cgroup-layout.js";

/** CFS period used for CPU quotas, in microseconds (the kernel's default). */
export const CPU_PERIOD_US = 100_000;

/** Limits to apply; 0 means none. */
export interface CgroupLimits {
  readonly cores: number;
  readonly memoryBytes: number;
}

/** A created task cgroup. */
export interface TaskCgroup {
  /** Files the task's first process writes its pid into (one per hierarchy). */
  readonly procsFiles: readonly string[];
  /** What was applied, in words (for logs and the task message). */
  readonly applied: readonly string[];
  /** The cgroup directories (for tests and diagnostics). */
  readonly dirs: readonly string[];
  /** OOM kills seen in the task's memory cgroup so far (0 without a memory limit). */
  oomKills(): number;
  /** Kills anything left in the cgroup and removes it; never throws. */
  remove(): Promise<void>;
}

/** The CPU quota in microseconds per {@link CPU_PERIOD_US} for `cores` (at least 1 ms, as the kernel requires). */
export function cpuQuotaUs(cores: number): number {
  return Math.max(1000, Math.round(cores * CPU_PERIOD_US));
}

/** Reads `name N` from a flat-keyed cgroup file such as memory.events or memory.oom_control. */
export function readCounter(text: string, name: string): number | undefined {
  const match = new RegExp(`^${name}\\s+(\\d+)$`, "m").exec(text);
  return match ? Number(match[1]) : undefined;
}

function read(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}

function pidsIn(dir: string): number[] {
  return read(join(dir, "cgroup.procs")).split("\n").filter(Boolean).map(Number).filter((p) => p > 0);
}

/** Removes cgroup dirs, killing leftover processes first and retrying while the kernel lets go of them. */
async function removeDirs(dirs: readonly string[]): Promise<void> {
  for (const dir of dirs) {
    for (let attempt = 0; attempt < 40 && existsSync(dir); attempt++) {
      for (const pid of pidsIn(dir)) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          // Already gone.
        }
      }
      try {
        rmdirSync(dir);
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  }
}

/** The cgroup directory name of a task, the same in every hierarchy. */
export function taskCgroupName(taskId: string): string {
  return `hakuriver-task-${taskId}`;
}

/**
 * Removes a task's cgroups in every hierarchy of `layout`, killing what is
 * left in them first: for tasks a previous runner started (its handle is
 * gone, so no {@link TaskCgroup.remove} will come). Absent ones are skipped.
 */
export async function removeTaskCgroups(taskId: string, layout: CgroupLayout): Promise<void> {
  if (!/^[A-Za-z0-9_-]+$/.test(taskId)) return;
  const parents = [layout.v2, layout.v1Cpu, layout.v1Memory].filter((dir): dir is string => dir !== undefined);
  await removeDirs([...new Set(parents)].map((parent) => join(parent, taskCgroupName(taskId))));
}

function makeDir(parent: string, name: string, made: string[]): string {
  const dir = join(parent, name);
  mkdirSync(dir);
  made.push(dir);
  return dir;
}

/**
 * Creates `hakuriver-task-<id>` with the limits the layout allows. Returns
 * undefined when nothing could be applied (the caller says so); limits the
 * layout cannot hold are left out of `applied`.
 */
export async function createTaskCgroup(taskId: string, limits: CgroupLimits, layout: CgroupLayout): Promise<TaskCgroup | undefined> {
  if (!/^[A-Za-z0-9_-]+$/.test(taskId)) throw new Error(`task id "${taskId}" is not usable as a cgroup name`);
  const name = taskCgroupName(taskId);
  const made: string[] = [];
  const applied: string[] = [];
  let oomFile: string | undefined;
  let oomKey = "oom_kill";
  try {
    if (layout.v2 && (limits.cores > 0 || limits.memoryBytes > 0)) {
      const dir = makeDir(layout.v2, name, made);
      if (limits.cores > 0) {
        writeFileSync(join(dir, "cpu.max"), `${cpuQuotaUs(limits.cores)} ${CPU_PERIOD_US}`);
        applied.push(`CPU quota ${limits.cores} cores (cgroup v2)`);
      }
      if (limits.memoryBytes > 0) {
        writeFileSync(join(dir, "memory.max"), String(limits.memoryBytes));
        if (existsSync(join(dir, "memory.swap.max"))) writeFileSync(join(dir, "memory.swap.max"), "0");
        oomFile = join(dir, "memory.events");
        applied.push(`memory limit ${limits.memoryBytes} bytes, no swap (cgroup v2)`);
      }
    } else {
      if (layout.v1Cpu && limits.cores > 0) {
        const dir = makeDir(layout.v1Cpu, name, made);
        writeFileSync(join(dir, "cpu.cfs_period_us"), String(CPU_PERIOD_US));
        writeFileSync(join(dir, "cpu.cfs_quota_us"), String(cpuQuotaUs(limits.cores)));
        applied.push(`CPU quota ${limits.cores} cores (cgroup v1)`);
      }
      if (layout.v1Memory && limits.memoryBytes > 0) {
        const dir = makeDir(layout.v1Memory, name, made);
        writeFileSync(join(dir, "memory.limit_in_bytes"), String(limits.memoryBytes));
        // Memory+swap equal to memory: the task may not swap past its limit.
        if (existsSync(join(dir, "memory.memsw.limit_in_bytes"))) writeFileSync(join(dir, "memory.memsw.limit_in_bytes"), String(limits.memoryBytes));
        oomFile = join(dir, "memory.oom_control");
        if (readCounter(read(oomFile), "oom_kill") === undefined) {
          oomFile = join(dir, "memory.failcnt");
          oomKey = "";
        }
        applied.push(`memory limit ${limits.memoryBytes} bytes, no swap (cgroup v1)`);
      }
    }
  } catch (error) {
    await removeDirs(made);
    throw new Error(`cannot set up the task's cgroup: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (made.length === 0) return undefined;
  return {
    procsFiles: made.map((dir) => join(dir, "cgroup.procs")),
    applied,
    dirs: made,
    oomKills: () => {
      if (!oomFile) return 0;
      const text = read(oomFile);
      // Kernels before 4.13 lack oom_kill in v1; a non-zero failcnt is the best sign left.
      return oomKey === "" ? Number(text.trim() || 0) : (readCounter(text, oomKey) ?? 0);
    },
    remove: () => removeDirs(made),
  };
}

/**
 * The argv that joins the cgroups and then execs the task: a tiny `sh`
 * script that writes its own pid (`$$`, which the exec keeps) into each
 * procs file. Paths and the user's argv travel as positional parameters,
 * never inside the script text.
 */
export function joinCgroupArgv(procsFiles: readonly string[], argv: readonly string[]): string[] {
  const script = 'n=$1; shift; while [ "$n" -gt 0 ]; do echo $$ > "$1" || { echo "hakuriver: cannot join cgroup $1" >&2; exit 125; }; shift; n=$((n-1)); done; exec "$@"';
  return ["/bin/sh", "-c", script, "hakuriver-cgroup-join", String(procsFiles.length), ...procsFiles, ...argv];
}

/**
 * Removes empty `hakuriver-task-*` cgroups left by a runner that exited
 * while its tasks ran. Only those older than `minAgeMs` go, so a cgroup
 * another runner on this machine has just made (and not yet joined) stays.
 */
export function sweepStaleCgroups(layout: CgroupLayout, minAgeMs = 60_000, now = Date.now()): string[] {
  const removed: string[] = [];
  for (const parent of [layout.v2, layout.v1Cpu, layout.v1Memory]) {
    if (!parent) continue;
    let names: string[] = [];
    try {
      names = readdirSync(parent).filter((name) => name.startsWith("hakuriver-task-"));
    } catch {
      continue;
    }
    for (const name of names) {
      const dir = join(parent, name);
      try {
        if (now - statSync(dir).mtimeMs < minAgeMs || pidsIn(dir).length > 0) continue;
        rmdirSync(dir);
        removed.push(dir);
      } catch {
        // Busy or gone: leave it.
      }
    }
  }
  return removed;
}
