/**
 * The request line of the SSH proxy and its checks, in the original's order
 * and with its exact messages (those of the original HakuRiver). Pure apart from the task
 * lookup, so unit tests can drive every branch.
 */
import { timingSafeEqual } from "node:crypto";
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
  /** Required token when non-empty. */
  readonly token: string;
}

/** Parses a request line (without its `\n`); returns the error message on failure. */
export function parseTunnelRequest(line: string): TunnelRequestLine | string {
  const words = line.replace(/\r$/, "").trim().split(/\s+/);
  if (words[0] !== "REQUEST_TUNNEL" || words.length < 2 || words.length > 3) return "Invalid request format.";
  const taskId = words[1]!;
  if (!/^\d+$/.test(taskId) || !Number.isSafeInteger(Number(taskId))) return "Invalid task ID format.";
  return { taskId, token: words[2] ?? "" };
}

function sameToken(given: string, wanted: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(wanted);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Checks that the request may be tunnelled: the token (when auth is on),
 * then the original's checks in order. Returns the task or the error message.
 */
export async function checkTunnelRequest(request: TunnelRequestLine, deps: TunnelCheckDeps): Promise<{ task: TaskRecord } | string> {
  const id = request.taskId;
  if (deps.token !== "" && !sameToken(request.token, deps.token)) {
    return `Authentication failed for task ${id}: send REQUEST_TUNNEL <task_id> <token> with the cluster token.`;
  }
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
  return { task };
}
