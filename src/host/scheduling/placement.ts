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
  readonly gpus: readonly number[];
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

/** The decision for one task. */
export type PlacementDecision =
  | { readonly kind: "place"; readonly node: string }
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

function fmt(cores: number): string {
  return String(Math.max(0, Math.round(cores * 1000) / 1000));
}

/**
 * Decides where a task goes now. A named node must fit; auto-placement picks
 * the online, undrained node that fits with the fewest cores left (best
 * fit), then the least memory left, then the first by the order given.
 */
export function decide(demand: Demand, nodes: readonly NodeCapacity[], ledger: ReadonlyMap<string, NodeUsage>): PlacementDecision {
  if (demand.node !== null) {
    const node = nodes.find((n) => n.name === demand.node);
    if (!node) return { kind: "never", reason: `unknown node ${demand.node}` };
    const never = neverFitsReason(node, demand);
    if (never) return { kind: "never", reason: never };
    const busy = busyReason(node, demand, ledger.get(node.name));
    return busy ? { kind: "wait", reason: busy } : { kind: "place", node: node.name };
  }
  if (nodes.length === 0) return { kind: "wait", reason: "no runner has registered yet" };
  const possible = nodes.filter((node) => !neverFitsReason(node, demand));
  if (possible.length === 0) {
    const why = nodes.map((node) => neverFitsReason(node, demand)).join("; ");
    return { kind: "never", reason: `no node can ever fit ${demand.cores} cores and ${formatBytes(demand.memoryBytes)} of memory: ${why}` };
  }
  let best: { node: NodeCapacity; free: number; freeMemory: number } | undefined;
  const reasons: string[] = [];
  for (const node of possible) {
    const usage = ledger.get(node.name);
    const busy = busyReason(node, demand, usage);
    if (busy) {
      reasons.push(busy);
      continue;
    }
    const free = node.cores - (usage?.cores ?? 0) - demand.cores;
    const freeMemory = node.memoryBytes - (usage?.memoryBytes ?? 0) - demand.memoryBytes;
    // Best fit: fewest cores left over, then least memory left over; nodes come sorted by name.
    if (!best || free < best.free - EPSILON || (Math.abs(free - best.free) <= EPSILON && freeMemory < best.freeMemory)) best = { node, free, freeMemory };
  }
  return best ? { kind: "place", node: best.node.name } : { kind: "wait", reason: `no node has room now (${reasons.join("; ")})` };
}
