/**
 * The request line of the SSH proxy and its checks, in the original's order
 * and with its exact messages (those of the original HakuRiver). Pure apart from the task
 * lookup, so unit tests can drive every branch.
 */
import { DomainError } from "../../shared/errors.js";
import { requireMayActOn } from "../auth/ownership.js";
import type { UserPrincipal } from "../auth/principal.js";
import type { NodeRegistry } from "../runners/node-registry.js";
import type { TaskRepo } from "../store/task-repo.js";
import type { TaskRecord } from "../tasks/task-record.js";

/** A parsed `REQUEST_TUNNEL <task_id>[ <token>]` line. */
export interface TunnelRequestLine {
  readonly taskId: string;
  readonly token: string;
}

/** What the checks need. */
export interface TunnelCheckDeps {
  readonly repo: Pick<TaskRepo, "get">;
  readonly nodes: Pick<NodeRegistry, "isOnline">;
  /** Who the request's token names, or why it is refused (a message for the client). */
  authenticate(token: string): Promise<UserPrincipal | string>;
}

/** Parses a request line (without its `\n`); returns the error message on failure. */
export function parseTunnelRequest(line: string): TunnelRequestLine | string {
  const words = line.replace(/\r$/, "").trim().split(/\s+/);
  if (words[0] !== "REQUEST_TUNNEL" || words.length < 2 || words.length > 3) return "Invalid request format.";
  const taskId = words[1]!;
  if (!/^\d+$/.test(taskId) || !Number.isSafeInteger(Number(taskId))) return "Invalid task ID format.";
  return { taskId, token: words[2] ?? "" };
}

/**
 * Checks that the request may be tunnelled: the token first, then the
 * original's checks in order, then that the caller may reach this VPS (its
 * owner, an operator or an admin). Returns the task or the error message.
 */
export async function checkTunnelRequest(request: TunnelRequestLine, deps: TunnelCheckDeps): Promise<{ task: TaskRecord; principal: UserPrincipal } | string> {
  const id = request.taskId;
  const principal = await deps.authenticate(request.token);
  if (typeof principal === "string") return `Authentication failed for task ${id}: ${principal}`;
  let task: TaskRecord | undefined;
  try {
    task = await deps.repo.get(Number(id));
  } catch {
    return "Internal server error during task lookup.";
  }
  if (!task) return `Task ${id} not found.`;
  if (task.kind !== "vps") return `Task ${id} is not a VPS task.`;
  if (task.status !== "running" && task.status !== "paused") return `VPS task ${id} is not active (status: ${task.status}).`;
  if (!task.assignedNode) return `VPS task ${id} has no assigned node.`;
  if (task.sshPort <= 0) return `VPS task ${id} has no SSH port assigned.`;
  if (!deps.nodes.isOnline(task.assignedNode)) return `Assigned node for VPS task ${id} is not online.`;
  try {
    requireMayActOn(principal, task, "open a tunnel to");
  } catch (error) {
    if (error instanceof DomainError) return error.message;
    throw error;
  }
  return { task, principal };
}
