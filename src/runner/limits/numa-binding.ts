/**
 * NUMA binding of native tasks through numactl, and finding programs on a
 * task's PATH.
 */
import { accessSync, constants, statSync } from "node:fs";
import { delimiter, join, resolve } from "node:path";

/** The absolute path of `command` as a PATH lookup (or, with a `/`, a lookup from `cwd`) would find it, or undefined. */
export function findExecutable(command: string, path: string | undefined, cwd = process.cwd()): string | undefined {
  const candidates = command.includes("/") ? [resolve(cwd, command)] : (path ?? "").split(delimiter).filter(Boolean).map((dir) => join(dir, command));
  for (const candidate of candidates) {
    try {
      if (!statSync(candidate).isFile()) continue;
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not here.
    }
  }
  return undefined;
}

/** The argv prefix that binds a process's CPUs and memory to NUMA node `node`. */
export function numaPrefix(numactl: string, node: number): string[] {
  return [numactl, `--cpunodebind=${node}`, `--membind=${node}`];
}
