/**
 * The errors admission throws, with their reasons and details: which node,
 * which GPU (and the task that holds it), which precondition. Messages come
 * from placement's reasons, unchanged; this only adds what a program needs.
 */
import { DomainError, failedPrecondition, type FieldViolation } from "../../shared/errors.js";
import { ErrorReason, RESOURCE_TYPE } from "../../shared/error-reasons.js";
import type { Demand, NodeCapacity, NodeUsage } from "./placement.js";

/** NOT_FOUND for a target naming a node the Host does not know. */
export function unknownNodeError(name: string, known: readonly string[]): DomainError {
  const list = known.join(", ") || "none registered yet";
  return new DomainError("not_found", `unknown node "${name}" (known nodes: ${list})`, {
    reason: ErrorReason.NODE_NOT_FOUND,
    metadata: { node: name, known_nodes: known.join(",") },
    resource: { type: RESOURCE_TYPE.node, name, description: "no runner of this name has joined (ListNodes shows the nodes)" },
  });
}

/** FAILED_PRECONDITION for a target naming an offline or drained node. */
export function nodeStateError(node: NodeCapacity, state: "offline" | "drained", message: string): DomainError {
  return failedPrecondition(message, {
    reason: state === "offline" ? ErrorReason.NODE_OFFLINE : ErrorReason.NODE_DRAINED,
    metadata: { node: node.name, state },
    resource: { type: RESOURCE_TYPE.node, name: node.name },
    preconditionViolations: [{
      type: "NODE_STATUS",
      subject: `node/${node.name}`,
      description: state === "offline" ? "the node is offline; it must be online (its runner connected)" : "the node is drained; it must be undrained to take new work",
    }],
  });
}

/**
 * INVALID_ARGUMENT for a demand a named node can never hold (`message` is
 * placement's reason): the NUMA node or GPUs it lacks, or cores/memory past
 * its totals, each at the request field to change.
 */
export function neverFitsError(node: NodeCapacity, demand: Demand, message: string, target: string): DomainError {
  if (demand.numaNode !== null && !node.numaNodes.some((n) => n.id === demand.numaNode)) {
    const valid = node.numaNodes.map((n) => n.id).join(",");
    return atTargets(ErrorReason.NO_SUCH_NUMA_NODE, message, `node ${node.name} has NUMA nodes: ${valid || "none detected"}`, { node: node.name, numa_node: String(demand.numaNode), valid, target });
  }
  const missing = demand.gpus.filter((gpu) => !node.gpus.includes(gpu));
  if (missing.length > 0) {
    const valid = node.gpus.join(",");
    return atTargets(ErrorReason.NO_SUCH_GPU, message, `node ${node.name} has GPUs: ${valid || "none detected"}`, { node: node.name, gpus: missing.join(","), valid, target });
  }
  if ((demand.gpuCount ?? 0) > node.gpus.length) return gpuCountError(message, demand, [node], { node: node.name, target });
  return capacityError(message, demand, { node: node.name, target });
}

/**
 * INVALID_ARGUMENT, at field `gpu_count`, for a GPU count more than any of
 * `nodes` (every node, or the named one) has: it could never start.
 */
export function gpuCountError(message: string, demand: Demand, nodes: readonly NodeCapacity[], metadata: Record<string, string> = {}): DomainError {
  const most = Math.max(0, ...nodes.map((n) => n.gpus.length));
  const where = nodes.length === 1 ? `node ${nodes[0]!.name} has ${most === 0 ? "none" : most}` : `the most any node has is ${most}`;
  const asked = demand.gpuCount === 1 ? "1 GPU" : `${demand.gpuCount ?? 0} GPUs`;
  return new DomainError("invalid_argument", message, {
    reason: ErrorReason.EXCEEDS_NODE_CAPACITY,
    metadata: { ...metadata, gpu_count: String(demand.gpuCount ?? 0), most_gpus: String(most) },
    fieldViolations: [{ field: "gpu_count", description: `${asked} asked; ${where} (ListNodes shows each node's GPUs)` }],
  });
}

/** INVALID_ARGUMENT for a demand no node (or the named one) can ever hold by its cores or memory. */
export function capacityError(message: string, demand: Demand, metadata: Record<string, string> = {}): DomainError {
  const fields: FieldViolation[] = [];
  if (demand.cores > 0) fields.push({ field: "cores", description: `${demand.cores} cores asked; see the node's totals in ListNodes` });
  if (demand.memoryBytes > 0) fields.push({ field: "memory", description: `${demand.memoryBytes} bytes asked; see the node's totals in ListNodes` });
  return new DomainError("invalid_argument", message, {
    reason: ErrorReason.EXCEEDS_NODE_CAPACITY,
    metadata: { ...metadata, cores: String(demand.cores), memory_bytes: String(demand.memoryBytes) },
    fieldViolations: fields,
  });
}

/**
 * RESOURCE_EXHAUSTED for a `no_queue` submission that would wait
 * (`message` is the full text). When GPUs it names are held, the reason is
 * GPU_IN_USE and the holding task is named in ResourceInfo and metadata.
 */
export function busyError(message: string, demand: Demand, node: NodeCapacity | undefined, usage: NodeUsage | undefined): DomainError {
  const busy = node && usage ? demand.gpus.filter((gpu) => usage.gpus.has(gpu)) : [];
  if (node && usage && busy.length > 0) {
    const holders = [...new Set(busy.map((gpu) => usage.gpuHolders.get(gpu)).filter((id): id is string => id !== undefined))];
    return new DomainError("resource_exhausted", message, {
      reason: ErrorReason.GPU_IN_USE,
      metadata: { node: node.name, gpus: busy.join(","), held_by: holders.join(",") },
      ...(holders[0] !== undefined
        ? { resource: { type: RESOURCE_TYPE.task, name: holders[0], description: `holds GPU ${busy.join(", ")} of ${node.name}` } }
        : { resource: { type: RESOURCE_TYPE.gpu, name: `${node.name}/${busy[0]}`, description: "in use" } }),
    });
  }
  return new DomainError("resource_exhausted", message, {
    reason: ErrorReason.NO_CAPACITY_NOW,
    metadata: node ? { node: node.name } : {},
  });
}

function atTargets(reason: ErrorReason, message: string, description: string, metadata: Record<string, string>): DomainError {
  return new DomainError("invalid_argument", message, { reason, metadata, fieldViolations: [{ field: "targets", description }] });
}
