/**
 * Native limits through systemd, where systemd is the running init: the
 * task runs in a transient scope unit `hakuriver-task-<id>.scope` with
 * CPUQuota, MemoryMax and MemorySwapMax=0 (the original's documented path).
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** True when systemd manages this machine (the check `sd_booted()` makes). */
export function systemdRunning(marker = "/run/systemd/system"): boolean {
  return existsSync(marker);
}

/** The scope unit name of a task. */
export function scopeUnit(taskId: string): string {
  return `hakuriver-task-${taskId}.scope`;
}

/** The `systemd-run --scope` argv prefix for a task with these limits (0 = none). */
export function scopeArgv(taskId: string, cores: number, memoryBytes: number, systemdRun = "systemd-run"): string[] {
  const argv = [systemdRun, "--scope", "--quiet", "--collect", `--unit=${scopeUnit(taskId)}`, `--description=HakuRiver task ${taskId}`];
  if (cores > 0) argv.push(`--property=CPUQuota=${Math.max(1, Math.round(cores * 100))}%`);
  if (memoryBytes > 0) argv.push(`--property=MemoryMax=${memoryBytes}`, "--property=MemorySwapMax=0");
  argv.push("--");
  return argv;
}

/** Reads OOM kills of a task's scope once its process has moved there. */
export interface ScopeOomWatch {
  oomKills(): number;
}

/**
 * Finds the scope's memory accounting from `/proc/PID/cgroup` (systemd-run
 * moves itself into the scope before it execs the task, so this polls
 * briefly), then reads its OOM counter whenever asked.
 */
export function watchScopeOom(pid: number, taskId: string, cgroupRoot = "/sys/fs/cgroup"): ScopeOomWatch {
  const unit = scopeUnit(taskId);
  let files: string[] = [];
  let tries = 0;
  const find = (): void => {
    let text = "";
    try {
      text = readFileSync(`/proc/${pid}/cgroup`, "utf8");
    } catch {
      return;
    }
    for (const line of text.split("\n")) {
      const [, controllers = "", path = ""] = /^\d+:([^:]*):(.*)$/.exec(line) ?? [];
      if (!path.endsWith(unit)) continue;
      // Unified (v2 or hybrid "unified" mount) first, then the v1 memory hierarchy.
      if (controllers === "") files.push(join(cgroupRoot, path, "memory.events"), join(cgroupRoot, "unified", path, "memory.events"));
      if (controllers.split(",").includes("memory")) files.push(join(cgroupRoot, "memory", path, "memory.oom_control"));
    }
    if (files.length === 0 && tries++ < 40) setTimeout(find, 50).unref();
  };
  find();
  return {
    oomKills: () => {
      for (const file of files) {
        try {
          const match = /^oom_kill\s+(\d+)$/m.exec(readFileSync(file, "utf8"));
          if (match) return Number(match[1]);
        } catch {
          // Not this one.
        }
      }
      return 0;
    },
  };
}
