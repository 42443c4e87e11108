/**
 * Placement: which node (and NUMA node, GPUs) a task can run on now, given
 * what active tasks hold. Pure functions over plain data, so the ledger
 * and the choices are unit-tested without a Host.
 */
import { formatBytes } from "../../shared/units.js";

/** A node's capacity and state as placement sees it. */
export interface NodeCapacity {
  readonly name: string;
  readonly online: boolean;
  readonly drained: boolean;
  readonly cores: number;
  readonly memoryBytes: number;
  readonly numaNodes: readonly { readonly id: number; readonly cores: number; readonly memoryBytes: number }[];
  readonly gpus: readonly number[];
}

/** What a task asks for. */
export interface Demand {
  readonly cores: number;
  readonly memoryBytes: number;
  /** Requested node, or null for auto-placement. */
  readonly node: string | null;
  readonly numaNode: number | null;
  /** GPUs named by index (a `node::0,1` target). */
  readonly gpus: readonly number[];
  /** GPUs asked for by count, any free ones of one node; absent or 0 = none. Never set together with `gpus`. */
  readonly gpuCount?: number;
}

/** What one active task holds on its node. */
export interface Holding {
  readonly node: string;
  readonly cores: number;
  readonly memoryBytes: number;
  readonly gpus: readonly number[];
  /** The NUMA node it is bound to, if any (its cores and memory count there too). */
  readonly numaNode?: number | null;
  /** The holder, named in "GPU in use" reasons. */
  readonly taskId?: string;
}

/** Resources in use per node, derived from active tasks (so they are released exactly once, when a task stops being active). */
export interface NodeUsage {
  cores: number;
  memoryBytes: number;
  readonly gpus: Set<number>;
  /** GPU index → the task holding it (when known). */
  readonly gpuHolders: Map<number, string>;
  /** Cores and memory held by tasks bound to each NUMA node. */
  readonly numa: Map<number, { cores: number; memoryBytes: number }>;
  /** The holders (where named), in the order they were added. */
  readonly taskIds: string[];
}

/** An empty usage record. */
export function emptyUsage(): NodeUsage {
  return { cores: 0, memoryBytes: 0, gpus: new Set(), gpuHolders: new Map(), numa: new Map(), taskIds: [] };
}

/** Adds one holding to the ledger (also used to reserve a placement within one pass). */
export function hold(ledger: Map<string, NodeUsage>, holding: Holding): void {
  const usage = ledger.get(holding.node) ?? emptyUsage();
  usage.cores += holding.cores;
  usage.memoryBytes += holding.memoryBytes;
  if (holding.taskId !== undefined) usage.taskIds.push(holding.taskId);
  for (const gpu of holding.gpus) {
    usage.gpus.add(gpu);
    if (holding.taskId !== undefined) usage.gpuHolders.set(gpu, holding.taskId);
  }
  if (holding.numaNode !== undefined && holding.numaNode !== null) {
    const numa = usage.numa.get(holding.numaNode) ?? { cores: 0, memoryBytes: 0 };
    numa.cores += holding.cores;
    numa.memoryBytes += holding.memoryBytes;
    usage.numa.set(holding.numaNode, numa);
  }
  ledger.set(holding.node, usage);
}

/** Sums the holdings of active tasks by node. */
export function buildLedger(holdings: Iterable<Holding>): Map<string, NodeUsage> {
  const ledger = new Map<string, NodeUsage>();
  for (const holding of holdings) hold(ledger, holding);
  return ledger;
}

/** The GPUs of `node` that no holding in `usage` has, lowest index first. */
export function freeGpus(node: NodeCapacity, usage: NodeUsage | undefined): number[] {
  return node.gpus.filter((gpu) => !usage?.gpus.has(gpu)).sort((a, b) => a - b);
}

/**
 * The decision for one task. A placed demand with a GPU count carries the
 * GPUs picked for it (the lowest free indexes of the node); the task holds
 * exactly these from then on.
 */
export type PlacementDecision =
  | { readonly kind: "place"; readonly node: string; readonly gpus?: readonly number[] }
  | { readonly kind: "wait"; readonly reason: string }
  | { readonly kind: "never"; readonly reason: string };

const EPSILON = 1e-9;

/** Why a node can never hold the demand (by its totals), or undefined when it could. */
export function neverFitsReason(node: NodeCapacity, demand: Demand): string | undefined {
  if (demand.numaNode !== null) {
    const numa = node.numaNodes.find((n) => n.id === demand.numaNode);
    if (!numa) {
      const ids = node.numaNodes.map((n) => n.id).join(", ");
      return `node ${node.name} has no NUMA node ${demand.numaNode} (valid: ${ids || "none detected"})`;
    }
    if (demand.cores > numa.cores + EPSILON) return `NUMA node ${demand.numaNode} of ${node.name} has ${numa.cores} cores, the task asks for ${demand.cores}`;
    if (numa.memoryBytes > 0 && demand.memoryBytes > numa.memoryBytes) {
      return `NUMA node ${demand.numaNode} of ${node.name} has ${formatBytes(numa.memoryBytes)} of memory, the task asks for ${formatBytes(demand.memoryBytes)}`;
    }
  }
  const badGpus = demand.gpus.filter((gpu) => !node.gpus.includes(gpu));
  if (badGpus.length > 0) {
    const valid = node.gpus.length > 0 ? node.gpus.join(", ") : "none detected";
    return `node ${node.name} has no GPU ${badGpus.join(", ")} (GPUs: ${valid})`;
  }
  const count = demand.gpuCount ?? 0;
  if (count > node.gpus.length) return `node ${node.name} has ${gpuWords(node.gpus.length)}, the task asks for ${count}`;
  if (demand.cores > node.cores + EPSILON) return `node ${node.name} has ${node.cores} cores, the task asks for ${demand.cores}`;
  if (demand.memoryBytes > node.memoryBytes) return `node ${node.name} has ${formatBytes(node.memoryBytes)} of memory, the task asks for ${formatBytes(demand.memoryBytes)}`;
  return undefined;
}

/** Why the node cannot take the demand now, or undefined when it can. */
export function busyReason(node: NodeCapacity, demand: Demand, usage: NodeUsage | undefined): string | undefined {
  if (!node.online) return `node ${node.name} is offline`;
  if (node.drained) return `node ${node.name} is drained`;
  const used = usage ?? emptyUsage();
  const busyGpus = demand.gpus.filter((gpu) => used.gpus.has(gpu));
  if (busyGpus.length > 0) {
    const holders = [...new Set(busyGpus.map((gpu) => used.gpuHolders.get(gpu)).filter((id) => id !== undefined))];
    return `GPU ${busyGpus.join(", ")} of ${node.name} in use${holders.length > 0 ? ` by task ${holders.join(", ")}` : ""}`;
  }
  const count = demand.gpuCount ?? 0;
  const free = count > 0 ? freeGpus(node, used) : [];
  if (free.length < count) {
    const holders = [...new Set(node.gpus.map((gpu) => used.gpuHolders.get(gpu)).filter((id) => id !== undefined))];
    return `${free.length} of ${gpuWords(node.gpus.length)} of ${node.name} free, the task asks for ${count}${holders.length > 0 ? ` (in use by task ${holders.join(", ")})` : ""}`;
  }
  if (used.cores + demand.cores > node.cores + EPSILON) return `not enough free cores on ${node.name} (${fmt(node.cores - used.cores)} of ${node.cores} free, the task asks for ${demand.cores})`;
  if (demand.memoryBytes > 0 && used.memoryBytes + demand.memoryBytes > node.memoryBytes) {
    return `not enough free memory on ${node.name} (${formatBytes(Math.max(0, node.memoryBytes - used.memoryBytes))} free, the task asks for ${formatBytes(demand.memoryBytes)})`;
  }
  if (demand.numaNode !== null) {
    const numa = node.numaNodes.find((n) => n.id === demand.numaNode);
    const held = used.numa.get(demand.numaNode) ?? { cores: 0, memoryBytes: 0 };
    if (numa && held.cores + demand.cores > numa.cores + EPSILON) {
      return `not enough free cores on NUMA node ${demand.numaNode} of ${node.name} (${fmt(numa.cores - held.cores)} of ${numa.cores} free)`;
    }
    if (numa && numa.memoryBytes > 0 && demand.memoryBytes > 0 && held.memoryBytes + demand.memoryBytes > numa.memoryBytes) {
      return `not enough free memory on NUMA node ${demand.numaNode} of ${node.name}`;
    }
  }
  return undefined;
}

function gpuWords(count: number): string {
  return count === 0 ? "no GPUs" : count === 1 ? "1 GPU" : `${count} GPUs`;
}

function fmt(cores: number): string {
  return String(Math.max(0, Math.round(cores * 1000) / 1000));
}

/** A place decision on `node`, with the GPUs picked when the demand counts them. */
function placeOn(node: NodeCapacity, demand: Demand, usage: NodeUsage | undefined): PlacementDecision {
  const count = demand.gpuCount ?? 0;
  return count > 0 ? { kind: "place", node: node.name, gpus: freeGpus(node, usage).slice(0, count) } : { kind: "place", node: node.name };
}

/** What a node would have left over after taking the demand, for best fit. */
interface LeftOver {
  readonly node: NodeCapacity;
  readonly gpus: number;
  readonly cores: number;
  readonly memoryBytes: number;
}

/** Whether `a` fits more tightly than `b`: fewer free GPUs left (for a GPU count), then fewer cores, then less memory. */
function tighter(a: LeftOver, b: LeftOver): boolean {
  if (a.gpus !== b.gpus) return a.gpus < b.gpus;
  if (Math.abs(a.cores - b.cores) > EPSILON) return a.cores < b.cores;
  return a.memoryBytes < b.memoryBytes;
}

/**
 * Decides where a task goes now. A named node must fit; auto-placement picks
 * the online, undrained node that fits most tightly (best fit): with a GPU
 * count, the fewest free GPUs left over first; then the fewest cores left,
 * then the least memory left, then the first by the order given.
 */
export function decide(demand: Demand, nodes: readonly NodeCapacity[], ledger: ReadonlyMap<string, NodeUsage>): PlacementDecision {
  const count = demand.gpuCount ?? 0;
  if (demand.node !== null) {
    const node = nodes.find((n) => n.name === demand.node);
    if (!node) return { kind: "never", reason: `unknown node ${demand.node}` };
    const never = neverFitsReason(node, demand);
    if (never) return { kind: "never", reason: never };
    const busy = busyReason(node, demand, ledger.get(node.name));
    return busy ? { kind: "wait", reason: busy } : placeOn(node, demand, ledger.get(node.name));
  }
  if (nodes.length === 0) return { kind: "wait", reason: "no runner has registered yet" };
  const possible = nodes.filter((node) => !neverFitsReason(node, demand));
  if (possible.length === 0) {
    const why = nodes.map((node) => neverFitsReason(node, demand)).join("; ");
    const asked = count > 0
      ? `${demand.cores} cores, ${formatBytes(demand.memoryBytes)} of memory and ${gpuWords(count)}`
      : `${demand.cores} cores and ${formatBytes(demand.memoryBytes)} of memory`;
    return { kind: "never", reason: `no node can ever fit ${asked}: ${why}` };
  }
  let best: LeftOver | undefined;
  const reasons: string[] = [];
  for (const node of possible) {
    const usage = ledger.get(node.name);
    const busy = busyReason(node, demand, usage);
    if (busy) {
      reasons.push(busy);
      continue;
    }
    const left: LeftOver = {
      node,
      gpus: count > 0 ? freeGpus(node, usage).length - count : 0,
      cores: node.cores - (usage?.cores ?? 0) - demand.cores,
      memoryBytes: node.memoryBytes - (usage?.memoryBytes ?? 0) - demand.memoryBytes,
    };
    // Nodes come sorted by name, and a tie keeps the earlier one.
    if (!best || tighter(left, best)) best = left;
  }
  if (best) return placeOn(best.node, demand, ledger.get(best.node.name));
  return { kind: "wait", reason: `no node has room now${count > 0 ? ` for ${gpuWords(count)}` : ""} (${reasons.join("; ")})` };
}
