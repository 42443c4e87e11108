/**
 * The checks and the open of one forwarded TCP connection (ForwardPort):
 * a port in range, a task the caller may reach that is running on an
 * online node; then its runner is asked to dial the task's own port and
 * open a tunnel stream back. Every refusal is a DomainError a person can
 * act on; the handler maps it to its gRPC code in the one usual place.
 */
import { DomainError, badField, failedPrecondition } from "../../shared/errors.js";
import { ErrorReason, RESOURCE_TYPE } from "../../shared/error-reasons.js";
import { requireMayActOn } from "../auth/ownership.js";
import type { UserPrincipal } from "../auth/principal.js";
import type { NodeRegistry } from "../runners/node-registry.js";
import type { TaskManager } from "../tasks/task-manager.js";
import type { TaskRecord } from "../tasks/task-record.js";
import { TunnelOpenError, type RunnerTunnel, type TunnelBroker } from "../tunnels/tunnel-broker.js";

/** What opening a forward needs. */
export interface ForwardDeps {
  readonly tasks: Pick<TaskManager, "require">;
  readonly nodes: Pick<NodeRegistry, "isOnline">;
  readonly broker: Pick<TunnelBroker, "open">;
  /** How long the runner may take to dial the port and open its stream (default 15 s, as SSH tunnels). */
  readonly connectTimeoutMs?: number;
}

/** A forward whose runner reached the task's port. */
export interface OpenedForward {
  readonly task: TaskRecord;
  readonly node: string;
  readonly tunnel: RunnerTunnel;
}

/** The lowest and highest TCP port a forward may name. */
export const PORT_RANGE = { min: 1, max: 65535 } as const;

/** INVALID_ARGUMENT unless `port` is a TCP port (1 to 65535). */
export function checkForwardPort(port: number): number {
  if (!Number.isInteger(port) || port < PORT_RANGE.min || port > PORT_RANGE.max) {
    throw badField("port", ErrorReason.INVALID_FIELD, `port ${port} is not a TCP port: give one from ${PORT_RANGE.min} to ${PORT_RANGE.max}`, `a TCP port from ${PORT_RANGE.min} to ${PORT_RANGE.max}`);
  }
  return port;
}

function nodeUnavailable(node: string, reason: ErrorReason, message: string): DomainError {
  return new DomainError("unavailable", message, { reason, metadata: { node }, resource: { type: RESOURCE_TYPE.node, name: node } });
}

function notRunning(task: TaskRecord): DomainError {
  const what = task.kind === "vps" ? "VPS" : "task";
  const hint = task.status === "paused" ? `resume it first (hakuriver ${task.kind === "vps" ? "vps" : "task"} resume ${task.taskId})` : "only a running task's ports can be forwarded";
  return failedPrecondition(`${what} ${task.taskId} is ${task.status}: ${hint}`, {
    reason: ErrorReason.TASK_NOT_RUNNING,
    metadata: { task_id: String(task.taskId), status: task.status },
    resource: { type: RESOURCE_TYPE.task, name: String(task.taskId), owner: task.owner },
    preconditionViolations: [{ type: "TASK_STATUS", subject: `task/${task.taskId}`, description: `the task is ${task.status}; it must be running` }],
  });
}

/** The DomainError for a tunnel the runner could not open. */
function openFailed(error: TunnelOpenError, task: TaskRecord, node: string, port: number): DomainError {
  const what = task.kind === "vps" ? "VPS" : "task";
  switch (error.reason) {
    case "refused":
      return failedPrecondition(`nothing listens on port ${port} in ${what} ${task.taskId} (connection refused on node ${node}): start the server there, or forward another port`, {
        reason: ErrorReason.PORT_REFUSED,
        metadata: { task_id: String(task.taskId), port: String(port), node },
        resource: { type: RESOURCE_TYPE.task, name: String(task.taskId), owner: task.owner },
        preconditionViolations: [{ type: "TASK_PORT", subject: `task/${task.taskId}`, description: `nothing accepts connections on port ${port}` }],
      });
    case "offline":
      return nodeUnavailable(node, ErrorReason.NODE_OFFLINE, `node ${node} of ${what} ${task.taskId} is offline; try again when its runner reconnects`);
    case "timeout":
      return nodeUnavailable(node, ErrorReason.TUNNEL_FAILED, `the runner on ${node} did not open the forward to ${what} ${task.taskId} port ${port} in time; try again`);
    default:
      return nodeUnavailable(node, ErrorReason.TUNNEL_FAILED, `the runner on ${node} could not reach port ${port} of ${what} ${task.taskId}: ${error.message}`);
  }
}

/**
 * Checks the request and opens the runner's tunnel to the task's port.
 * INVALID_ARGUMENT (bad id or port), NOT_FOUND, PERMISSION_DENIED (another
 * user's task), FAILED_PRECONDITION (not running, or connection refused in
 * the task), UNAVAILABLE (node offline, runner silent or failing).
 */
export async function openForward(principal: UserPrincipal, request: { taskId: string; port: number }, deps: ForwardDeps): Promise<OpenedForward> {
  const port = checkForwardPort(request.port);
  const task = await deps.tasks.require(request.taskId);
  requireMayActOn(principal, task, "forward a port of");
  if (task.status !== "running") throw notRunning(task);
  const node = task.assignedNode ?? "";
  if (node === "" || !deps.nodes.isOnline(node)) {
    throw nodeUnavailable(node, ErrorReason.NODE_OFFLINE, `node ${node || "(none)"} of task ${task.taskId} is offline; try again when its runner reconnects`);
  }
  try {
    const tunnel = await deps.broker.open(node, String(task.taskId), port, deps.connectTimeoutMs ?? 15_000, true);
    return { task, node, tunnel };
  } catch (error) {
    if (error instanceof TunnelOpenError) throw openFailed(error, task, node, port);
    throw error;
  }
}
