/**
 * Finds and kills a process and every descendant, from /proc: an exec's
 * command may have started children (a shell's jobs), and none of them may
 * outlive the client that went away. Works for container processes too,
 * as the runner shares the machine (and PID namespace) with its engine.
 */
import { readdirSync, readFileSync } from "node:fs";

/** The parent pid of `pid` from /proc/PID/stat, or undefined when it is gone. */
function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return undefined;
  }
}

/** `root` and every live descendant of it (parents before children). */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid <= 1) continue;
    const parent = parentOf(pid);
    if (parent === undefined) continue;
    children.set(parent, [...(children.get(parent) ?? []), pid]);
  }
  const tree: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const pid = queue.shift()!;
    if (tree.includes(pid)) continue;
    tree.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return tree;
}

/** Sends `signal` to `root` and all its descendants; returns how many were signalled. */
export function signalTree(root: number, signal: NodeJS.Signals = "SIGKILL"): number {
  if (!Number.isInteger(root) || root <= 1) return 0;
  let sent = 0;
  for (const pid of processTree(root)) {
    try {
      process.kill(pid, signal);
      sent += 1;
    } catch {
      // Already gone.
    }
  }
  return sent;
}
