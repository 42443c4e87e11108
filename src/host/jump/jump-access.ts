/**
 * Who may jump where, as pure decisions over the task and key lookups, so
 * unit tests drive every branch. The jump host lets a client through to
 * `vps-ID:22` of a running VPS when the key it logged in with is the key
 * that VPS was submitted with, or a key registered for a user who may act
 * on the VPS (its owner, an operator or an admin). Everything else is
 * refused with a sentence the client's ssh shows
 * ("channel 0: open failed: administratively prohibited: ...").
 */
import { DomainError } from "../../shared/errors.js";
import { keysOfText } from "../../shared/ssh-public-key.js";
import { requireMayActOn } from "../auth/ownership.js";
import type { UserPrincipal } from "../auth/principal.js";
import type { TaskRecord } from "../tasks/task-record.js";

/** The only port the jump host forwards to: the VPS's sshd. */
export const JUMP_TARGET_PORT = 22;

/** How the example in messages names the jump host. */
export const JUMP_USAGE = "ssh -J jump@HOST:PORT root@vps-ID";

/** Why a channel is refused, as SSH's CHANNEL_OPEN_FAILURE says it. */
export interface JumpRefusal {
  /** `prohibited`: not allowed (SSH reason 1); `connect`: allowed but the VPS cannot be reached now (reason 2). */
  readonly code: "prohibited" | "connect";
  readonly message: string;
}

/** The message for a session channel (a shell, a command, sftp on the jump host itself). */
export const SESSION_REFUSAL: JumpRefusal = {
  code: "prohibited",
  message: `the HakuRiver jump host runs no shell, command or sftp: use it as a jump host only (${JUMP_USAGE}, or ProxyJump in ~/.ssh/config; hakuriver ssh-config ID --jump writes one)`,
};

/** The message for any other channel or request (agent, X11, streamlocal, remote forwards). */
export const OTHER_REFUSAL: JumpRefusal = {
  code: "prohibited",
  message: `the HakuRiver jump host only forwards to vps-ID:22 of a running VPS (${JUMP_USAGE})`,
};

/**
 * The task id a `direct-tcpip` destination names: `vps-ID`, `hakuriver-ID`
 * (ssh-config's alias) or the bare `ID`, port 22 only; else the refusal.
 */
export function parseJumpTarget(host: string, port: number): string | JumpRefusal {
  const id = /^(?:vps-|hakuriver-)?(\d{1,16})$/i.exec(host.trim())?.[1];
  if (id === undefined) {
    return { code: "prohibited", message: `the HakuRiver jump host forwards only to vps-ID:22 of a running VPS; "${host.slice(0, 100)}" names no VPS (${JUMP_USAGE})` };
  }
  if (port !== JUMP_TARGET_PORT) {
    return { code: "prohibited", message: `the HakuRiver jump host forwards only to port 22 of a VPS (its sshd); ${host}:${port} was asked (use hakuriver forward ID ${port} for other ports)` };
  }
  return String(Number(id));
}

/** Who a login's key names. */
export interface JumpIdentity {
  /** "SHA256:..." of the key the client logged in with. */
  readonly fingerprint: string;
  /** The user the key is registered for (their role now), when it is registered. */
  readonly principal?: UserPrincipal;
}

/** Whether `task`'s submitted key text holds the key with `fingerprint`. */
export function submittedWith(task: Pick<TaskRecord, "publicKey">, fingerprint: string): boolean {
  return keysOfText(task.publicKey).some((key) => key.fingerprint === fingerprint);
}

/** What {@link checkJump} needs beside the task. */
export interface JumpCheckFacts {
  /** Whether the task's node holds a control stream now. */
  readonly nodeOnline: (node: string) => boolean;
}

/**
 * May `identity` jump to `task` (looked up by `taskId`) now? Checks in this
 * order: the task exists and is a VPS, the key may reach it, it is running
 * with an sshd port on an online node. Returns the task or the refusal.
 */
export function checkJump(identity: JumpIdentity, taskId: string, task: TaskRecord | undefined, facts: JumpCheckFacts): TaskRecord | JumpRefusal {
  if (!task) return { code: "prohibited", message: `VPS ${taskId} not found (hakuriver vps list shows yours)` };
  if (task.kind !== "vps") return { code: "prohibited", message: `task ${taskId} is a command task, not a VPS: the jump host reaches only a VPS's sshd (hakuriver forward ID PORT reaches a task's port)` };
  if (!submittedWith(task, identity.fingerprint)) {
    const denied = identity.principal ? ownershipRefusal(identity.principal, task) : `key ${identity.fingerprint} is not the key VPS ${taskId} was submitted with, nor one registered for its owner (hakuriver key add FILE registers yours)`;
    if (denied !== undefined) return { code: "prohibited", message: denied };
  }
  if (task.status !== "running") return { code: "connect", message: `VPS ${taskId} is not running (status: ${task.status})${task.status === "paused" ? ": hakuriver vps resume it first" : ""}` };
  if (!task.assignedNode || task.sshPort <= 0) return { code: "connect", message: `VPS ${taskId} has no sshd port yet (its runner has not reported one)` };
  if (!facts.nodeOnline(task.assignedNode)) return { code: "connect", message: `node ${task.assignedNode} of VPS ${taskId} is not online: try again once its runner is back (hakuriver nodes)` };
  return task;
}

/** Why a registered key's user may not reach the task, or undefined when they may. */
function ownershipRefusal(principal: UserPrincipal, task: TaskRecord): string | undefined {
  try {
    requireMayActOn(principal, task, "jump to");
    return undefined;
  } catch (error) {
    if (error instanceof DomainError) return `${error.message} (the key is registered for ${principal.user || "no user"})`;
    throw error;
  }
}
