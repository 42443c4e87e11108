/**
 * The one transition function for task statuses, used by both sides: the
 * Host's task manager and the runner's task table.
 *
 *   pending ──▶ assigning ──▶ running ⇄ paused
 *      │            │            │         │
 *      │            ├────────────┴─────────┴──▶ completed | failed | killed | killed_oom | lost | timeout
 *      └──▶ killed | failed (never placed)
 *
 *   VPS only:
 *   running | paused ──▶ stopped ──▶ pending ──▶ assigning ──▶ running
 *                           │  ▲         │            │
 *                           │  └─────────┴────────────┘ (start cancelled, or it failed: disk kept)
 *                           └──▶ killed | failed | lost
 *
 * - pending: queued on the Host. assigning: sent to a runner. A runner that
 *   reconnects without a task it was sent puts it back to assigning (resend).
 * - A runner may report running straight from pending/assigning, and any
 *   final status from any non-final one (a task can end before "running" arrives).
 * - timeout: the runner stopped a task that ran past its time limit. Only a
 *   task that has run can reach it (never pending), but from assigning too:
 *   "running" may not have reached the Host before the end did.
 * - stopped (VPS only): its container is kept, its resources are free.
 *   A start queues it (pending) and places it (assigning); the runner
 *   reports running, or stopped again when it could not start it. A runner
 *   starting its own kept container may report running straight from
 *   stopped. Kill ends it (killed) and removes the container.
 * - A final status never changes; moving to the same status is a no-op.
 */
import type { TaskStatusName } from "./task-status.js";
import { isFinal } from "./task-status.js";

const ALLOWED: Record<TaskStatusName, readonly TaskStatusName[]> = {
  pending: ["assigning", "running", "killed", "failed", "lost", "stopped"],
  assigning: ["pending", "running", "paused", "completed", "failed", "killed", "killed_oom", "lost", "timeout", "stopped"],
  running: ["paused", "completed", "failed", "killed", "killed_oom", "lost", "timeout", "stopped"],
  paused: ["running", "completed", "failed", "killed", "killed_oom", "lost", "timeout", "stopped"],
  stopped: ["pending", "assigning", "running", "killed", "failed", "lost"],
  completed: [],
  failed: [],
  killed: [],
  killed_oom: [],
  lost: [],
  timeout: [],
};

/** The outcome of asking for a transition. */
export type TransitionResult =
  | { readonly kind: "apply"; readonly to: TaskStatusName }
  | { readonly kind: "noop" }
  | { readonly kind: "refuse"; readonly reason: string };

/**
 * Decides whether a task may move from `from` to `to`. Pure. Same status is
 * a no-op; anything out of a final status is refused.
 */
export function transition(from: TaskStatusName, to: TaskStatusName): TransitionResult {
  if (from === to) return { kind: "noop" };
  if (isFinal(from)) return { kind: "refuse", reason: `task is already ${from}` };
  if (!ALLOWED[from].includes(to)) return { kind: "refuse", reason: `cannot go from ${from} to ${to}` };
  return { kind: "apply", to };
}
