/**
 * Who may act on which work, and who may ask for what: a user acts on
 * their own tasks and VPS only, operators and admins on anyone's; only an
 * admin may ask for a privileged container or a mount outside the Host's
 * allow-list.
 */
import { resolve, sep } from "node:path";
import { DomainError } from "../../shared/errors.js";
import { ErrorReason, RESOURCE_TYPE } from "../../shared/error-reasons.js";
import type { TaskRecord } from "../tasks/task-record.js";
import type { UserPrincipal } from "./principal.js";
import { roleAtLeast } from "../../shared/roles.js";

/** PERMISSION_DENIED unless `principal` may `verb` the task (its owner, an operator or an admin). */
export function requireMayActOn(principal: UserPrincipal, task: Pick<TaskRecord, "taskId" | "owner" | "kind">, verb: string): void {
  if (roleAtLeast(principal.role, "operator") || (principal.role === "user" && task.owner === principal.user)) return;
  const what = task.kind === "vps" ? "VPS" : "task";
  const whose = task.owner === "" ? "was submitted with auth off (it has no owner)" : `belongs to ${task.owner}`;
  throw new DomainError("permission_denied", `${what} ${task.taskId} ${whose}: a user may ${verb} only their own work; an operator or admin may ${verb} anyone's`, {
    reason: ErrorReason.NOT_OWNER,
    metadata: { required_role: "operator", role: principal.role, user: principal.user, owner: task.owner, action: verb },
    resource: { type: RESOURCE_TYPE.task, name: String(task.taskId), owner: task.owner, description: `only its owner, an operator or an admin may ${verb} it` },
  });
}

/** What a submission asks for that needs more than the user role. */
export interface SubmitPrivileges {
  /** The request asked for privileged explicitly (a Host default does not count). */
  readonly privileged: boolean;
  /** Extra mounts the request names (the Host's configured additional_mounts do not count). */
  readonly mounts: readonly string[];
}

/** Whether `hostPath` is one of the allowed paths or under one. */
function allowedPath(hostPath: string, allowList: readonly string[]): boolean {
  const path = resolve(hostPath);
  return allowList.some((entry) => {
    const allowed = resolve(entry);
    return path === allowed || path.startsWith(allowed.endsWith(sep) ? allowed : allowed + sep);
  });
}

/** PERMISSION_DENIED unless the caller may ask for what the submission asks. */
export function requireMaySubmit(principal: UserPrincipal, asks: SubmitPrivileges, mountAllowList: readonly string[]): void {
  if (roleAtLeast(principal.role, "admin")) return;
  if (asks.privileged) {
    throw new DomainError("permission_denied", `only an admin may ask for a privileged container; ${principal.user} is ${principal.role} (drop --privileged, or ask an admin)`, {
      reason: ErrorReason.ADMIN_REQUIRED,
      metadata: { required_role: "admin", role: principal.role, user: principal.user, field: "privileged" },
    });
  }
  for (const mount of asks.mounts) {
    const hostPath = mount.split(":")[0] ?? "";
    if (!allowedPath(hostPath, mountAllowList)) {
      const allowed = mountAllowList.length === 0 ? "the Host allows no extra mounts for non-admins" : `non-admins may mount only under ${mountAllowList.join(", ")} (auth.mount_allow_list)`;
      throw new DomainError("permission_denied", `mount "${mount}" needs an admin: ${allowed}`, {
        reason: ErrorReason.ADMIN_REQUIRED,
        metadata: { required_role: "admin", role: principal.role, user: principal.user, field: "mounts", mount, allowed: mountAllowList.join(",") },
      });
    }
  }
}
