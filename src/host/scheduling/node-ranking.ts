/**
 * Which of the nodes a task fits on now comes first, and why, in words.
 *
 * Two rules, by what the task asks for:
 * - **GPUs by count: best fit.** The fewest free GPUs (so a node's whole
 *   set stays free for a bigger request), then the fewest free cores, then
 *   the least free memory, then the fewest active tasks, then the first by
 *   name.
 * - **Everything else: spread.** The largest share of the node's cores still
 *   free once it holds the task, then the fewest active tasks (what spreads
 *   zero-core tasks, which leave every share as it was), then the largest
 *   share of free memory, then the first by name.
 *
 * The scheduler ranks every candidate of every task it places, so ranking
 * compares numbers only; the reason is written once per placement, from the
 * winner and the runner-up.
 */
import { formatBytes, formatCores } from "../../shared/units.js";
import type { Demand, NodeCapacity, NodeUsage } from "./placement.js";

const EPSILON = 1e-9;

/** A node that can take the demand now, as ranking sees it. Free amounts are before the task. */
export interface Candidate {
  readonly node: NodeCapacity;
  readonly freeGpus: number;
  readonly freeCores: number;
  readonly freeMemoryBytes: number;
  /** Active tasks the node holds now. */
  readonly activeTasks: number;
  /** Share (0-1) of the node's cores still free once it holds the task; 0 for a node that reports none. */
  readonly coresShareLeft: number;
  /** Share (0-1) of the node's memory still free once it holds the task; 0 for a node that reports none. */
  readonly memoryShareLeft: number;
}

/** The candidate for `node` (which fits the demand now), given what it holds. */
export function candidateOf(node: NodeCapacity, demand: Demand, usage: NodeUsage | undefined, freeGpus: number): Candidate {
  const freeCores = node.cores - (usage?.cores ?? 0);
  const freeMemoryBytes = node.memoryBytes - (usage?.memoryBytes ?? 0);
  return {
    node,
    freeGpus,
    freeCores,
    freeMemoryBytes,
    activeTasks: usage?.activeTasks ?? 0,
    coresShareLeft: node.cores > 0 ? (freeCores - demand.cores) / node.cores : 0,
    memoryShareLeft: node.memoryBytes > 0 ? (freeMemoryBytes - demand.memoryBytes) / node.memoryBytes : 0,
  };
}

/** One way to order candidates: negative when `a` goes first, positive when `b` does, 0 when it cannot tell them apart. */
type Criterion = (a: Candidate, b: Candidate) => number;

function fewer(a: number, b: number): number {
  return Math.abs(a - b) <= EPSILON ? 0 : a - b;
}

const fewestFreeGpus: Criterion = (a, b) => a.freeGpus - b.freeGpus;
const fewestFreeCores: Criterion = (a, b) => fewer(a.freeCores, b.freeCores);
const leastFreeMemory: Criterion = (a, b) => fewer(a.freeMemoryBytes, b.freeMemoryBytes);
const fewestActiveTasks: Criterion = (a, b) => a.activeTasks - b.activeTasks;
const largestCoresShare: Criterion = (a, b) => fewer(b.coresShareLeft, a.coresShareLeft);
const largestMemoryShare: Criterion = (a, b) => fewer(b.memoryShareLeft, a.memoryShareLeft);

const BEST_FIT: readonly Criterion[] = [fewestFreeGpus, fewestFreeCores, leastFreeMemory, fewestActiveTasks];
const SPREAD: readonly Criterion[] = [largestCoresShare, fewestActiveTasks, largestMemoryShare];

/** The rule for a demand: best fit for GPUs by count, spread for everything else. */
export function criteriaFor(demand: Demand): readonly Criterion[] {
  return (demand.gpuCount ?? 0) > 0 ? BEST_FIT : SPREAD;
}

/** Whether `a` ranks before `b`; equals keep the earlier one (nodes come by name). */
export function ranksBefore(a: Candidate, b: Candidate, criteria: readonly Criterion[]): boolean {
  for (const criterion of criteria) {
    const order = criterion(a, b);
    if (order !== 0) return order < 0;
  }
  return false;
}

function tasksText(count: number): string {
  return count === 1 ? "1 active task" : `${count} active tasks`;
}

/** Cores for people; whole numbers (the usual case) skip formatCores' rounding. */
function cores(n: number): string {
  return Number.isInteger(n) ? String(n) : formatCores(n);
}

function coresText(c: Candidate): string {
  return `${cores(Math.max(0, c.freeCores))} of ${cores(c.node.cores)} cores free`;
}

function memoryText(c: Candidate): string {
  return `${formatBytes(Math.max(0, c.freeMemoryBytes))} of ${formatBytes(c.node.memoryBytes)} free`;
}

/**
 * Why `best` was chosen, in one line: "placed on beta: most free cores (6
 * of 8 cores free; alpha 5 of 8 cores free), 3 active tasks (alpha 5)".
 * `runnerUp` is the candidate ranked second, absent when `best` was the
 * only node with room.
 */
export function placementReason(best: Candidate, runnerUp: Candidate | undefined, demand: Demand): string {
  const on = `placed on ${best.node.name}`;
  if (!runnerUp) return `${on}: the only node with room now (${coresText(best)}, ${tasksText(best.activeTasks)})`;
  const other = runnerUp.node.name;
  const count = demand.gpuCount ?? 0;
  const criteria = criteriaFor(demand);
  const decided = criteria.find((criterion) => criterion(best, runnerUp) !== 0);
  switch (decided) {
    case fewestFreeGpus:
      return `${on}: best fit for ${count} GPU${count === 1 ? "" : "s"} (${best.freeGpus} free; ${other} ${runnerUp.freeGpus})`;
    case fewestFreeCores:
      return `${on}: best fit for ${count} GPU${count === 1 ? "" : "s"} (${best.freeGpus} free, as on ${other}), fewest free cores (${coresText(best)}; ${other} ${coresText(runnerUp)})`;
    case leastFreeMemory:
      return `${on}: best fit for ${count} GPU${count === 1 ? "" : "s"} (${best.freeGpus} free and ${coresText(best)}, as on ${other}), least free memory (${memoryText(best)}; ${other} ${memoryText(runnerUp)})`;
    case largestCoresShare:
      return `${on}: most free cores (${coresText(best)}; ${other} ${coresText(runnerUp)}), ${tasksText(best.activeTasks)} (${other} ${runnerUp.activeTasks})`;
    case fewestActiveTasks:
      return `${on}: fewest active tasks (${best.activeTasks}; ${other} ${runnerUp.activeTasks}), ${coresText(best)} (${other} ${coresText(runnerUp)})`;
    case largestMemoryShare:
      return `${on}: most free memory (${memoryText(best)}; ${other} ${memoryText(runnerUp)}), ${tasksText(best.activeTasks)} and ${coresText(best)} as on ${other}`;
    default:
      return `${on}: tied with ${other} (${coresText(best)}, ${tasksText(best.activeTasks)}), first by name`;
  }
}
