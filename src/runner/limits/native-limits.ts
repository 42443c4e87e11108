/**
 * Decides how a native task's limits are applied on this node and builds the
 * argv that applies them:
 *  1. systemd running → `systemd-run --scope` with CPUQuota / MemoryMax;
 *  2. else a writable cgroup filesystem (v2, or v1 cpu/memory) → the task's
 *     own cgroup, joined by a tiny `sh` wrapper before user code runs;
 *  3. a NUMA target → `numactl --cpunodebind=N --membind=N` in front.
 * Whatever cannot be applied is returned as notes, which end up in the
 * task's status message: limits are never silently pretended.
 */
import { type CgroupLayout, detectCgroupLayout } from "./cgroup-layout.js";
import { createTaskCgroup, joinCgroupArgv, sweepStaleCgroups, type TaskCgroup } from "./cgroups.js";
import { findExecutable, numaPrefix } from "./numa-binding.js";
import { scopeArgv, systemdRunning, watchScopeOom } from "./systemd-scope.js";

/** What a native task asks for. */
export interface NativeLimitRequest {
  readonly taskId: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly cores: number;
  readonly memoryBytes: number;
  readonly numaNode: number | undefined;
  /** PATH of the task's environment (to find the command, numactl and systemd-run). */
  readonly path: string | undefined;
  /** The task's working directory (for a relative command). */
  readonly cwd: string;
  /** numactl binary (paths.numactl_path); empty or absent: numactl on `path`, then in /usr/bin, /bin, /usr/local/bin. */
  readonly numactlPath?: string;
}

/** How the limits will be applied. */
export interface LimitPlan {
  /** The argv to spawn (the user's command last, unchanged). */
  readonly argv: readonly string[];
  /** Human notes for the task's message (what is not enforced, and why). */
  readonly notes: readonly string[];
  /** "systemd", "cgroup" or "none". */
  readonly mechanism: "systemd" | "cgroup" | "none";
  readonly cgroup?: TaskCgroup;
  /** Called with the spawned pid; returns a reader of OOM kills for the task. */
  readonly watchOom: (pid: number) => () => number;
  /** Releases what the plan created (the task's cgroup); never throws. */
  readonly cleanup: () => Promise<void>;
}

/** Probes of the machine, injectable for tests. */
export interface LimitProbes {
  readonly systemd: () => boolean;
  readonly cgroups: () => CgroupLayout;
  readonly which: (command: string, path: string | undefined, cwd?: string) => string | undefined;
}

let cachedLayout: CgroupLayout | undefined;

/** The real machine's probes (the cgroup layout is detected once per runner). */
export const machineProbes: LimitProbes = {
  systemd: () => systemdRunning(),
  cgroups: () => {
    if (!cachedLayout) {
      cachedLayout = detectCgroupLayout();
      // Once per runner: clear what a previous runner could not (it exited while its tasks ran).
      sweepStaleCgroups(cachedLayout);
    }
    return cachedLayout;
  },
  which: findExecutable,
};

const noOom = (): (() => number) => () => 0;

/** Plans (and for cgroups, prepares) the limits of one native task. */
export async function planNativeLimits(request: NativeLimitRequest, probes: LimitProbes = machineProbes): Promise<LimitPlan> {
  const userArgv = [request.command, ...request.args];
  const notes: string[] = [];
  const wantsLimits = request.cores > 0 || request.memoryBytes > 0;
  // A command that does not exist is spawned bare, so it fails as "command not found" rather than inside a wrapper.
  if (!probes.which(request.command, request.path, request.cwd)) {
    return { argv: userArgv, notes, mechanism: "none", watchOom: noOom, cleanup: async () => {} };
  }
  let inner = userArgv;
  if (request.numaNode !== undefined) {
    const configured = request.numactlPath ?? "";
    const numactl = configured !== "" ? probes.which(configured, request.path) : (probes.which("numactl", request.path) ?? probes.which("numactl", "/usr/bin:/bin:/usr/local/bin"));
    if (numactl) inner = [...numaPrefix(numactl, request.numaNode), ...userArgv];
    else if (configured !== "") notes.push(`NUMA binding to node ${request.numaNode} is not applied: paths.numactl_path ${configured} is not an executable file on this node`);
    else notes.push(`NUMA binding to node ${request.numaNode} is not applied: numactl is not installed on this node`);
  }
  if (!wantsLimits) return { argv: inner, notes, mechanism: "none", watchOom: noOom, cleanup: async () => {} };

  if (probes.systemd()) {
    const systemdRun = probes.which("systemd-run", request.path) ?? "systemd-run";
    return {
      argv: [...scopeArgv(request.taskId, request.cores, request.memoryBytes, systemdRun), ...inner],
      notes,
      mechanism: "systemd",
      watchOom: (pid) => {
        const watch = watchScopeOom(pid, request.taskId);
        return () => watch.oomKills();
      },
      cleanup: async () => {},
    };
  }

  const cgroup = await createTaskCgroup(request.taskId, request, probes.cgroups());
  if (!cgroup) {
    notes.push("limits are not enforced: no systemd and no writable cgroup filesystem on this node; the task runs in its own process group only");
    return { argv: inner, notes, mechanism: "none", watchOom: noOom, cleanup: async () => {} };
  }
  if (request.cores > 0 && !cgroup.applied.some((a) => a.startsWith("CPU"))) notes.push("the CPU limit is not enforced: no writable cpu cgroup on this node");
  if (request.memoryBytes > 0 && !cgroup.applied.some((a) => a.startsWith("memory"))) notes.push("the memory limit is not enforced: no writable memory cgroup on this node");
  return {
    argv: joinCgroupArgv(cgroup.procsFiles, inner),
    notes,
    mechanism: "cgroup",
    cgroup,
    watchOom: () => () => cgroup.oomKills(),
    cleanup: () => cgroup.remove(),
  };
}
