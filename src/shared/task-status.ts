/**
 * Task status names shared by the Host, the runner and the CLI.
 */
import { TaskStatus } from "../../gen/hakuriver/v1/types_pb.js";

/** The lower-case names users see and the database stores. */
export type TaskStatusName =
  | "pending"
  | "assigning"
  | "running"
  | "paused"
  | "completed"
  | "failed"
  | "killed"
  | "killed_oom"
  | "lost"
  | "timeout"
  | "stopped";

const NAME_OF: Record<TaskStatus, TaskStatusName | undefined> = {
  [TaskStatus.UNSPECIFIED]: undefined,
  [TaskStatus.PENDING]: "pending",
  [TaskStatus.ASSIGNING]: "assigning",
  [TaskStatus.RUNNING]: "running",
  [TaskStatus.PAUSED]: "paused",
  [TaskStatus.COMPLETED]: "completed",
  [TaskStatus.FAILED]: "failed",
  [TaskStatus.KILLED]: "killed",
  [TaskStatus.KILLED_OOM]: "killed_oom",
  [TaskStatus.LOST]: "lost",
  [TaskStatus.TIMEOUT]: "timeout",
  [TaskStatus.STOPPED]: "stopped",
};

const ENUM_OF = new Map<string, TaskStatus>(
  Object.entries(NAME_OF)
    .filter(([, name]) => name !== undefined)
    .map(([value, name]) => [name as string, Number(value) as TaskStatus]),
);

/** Every status name, in lifecycle order (for messages that list the valid ones). */
export const STATUS_NAMES: readonly TaskStatusName[] = [...ENUM_OF.keys()] as TaskStatusName[];

/** Final statuses: once reached, a task's status never changes. */
export const FINAL_STATUSES: ReadonlySet<TaskStatusName> = new Set([
  "completed",
  "failed",
  "killed",
  "killed_oom",
  "lost",
  "timeout",
]);

/**
 * Statuses that hold resources on a node. A `stopped` VPS is not among
 * them: its container is kept, its cores, memory and GPUs are free.
 */
export const ACTIVE_STATUSES: readonly TaskStatusName[] = ["assigning", "running", "paused"];

/** True for completed, failed, killed, killed_oom, lost and timeout. */
export function isFinal(status: TaskStatusName): boolean {
  return FINAL_STATUSES.has(status);
}

/** The enum value of a status name. */
export function statusEnum(name: TaskStatusName): TaskStatus {
  return ENUM_OF.get(name) ?? TaskStatus.UNSPECIFIED;
}

/** The name of a status enum value; throws for UNSPECIFIED. */
export function statusName(value: TaskStatus): TaskStatusName {
  const name = NAME_OF[value];
  if (!name) throw new Error(`task status ${value} has no name`);
  return name;
}

/** The name of a status enum value as a request carries it; undefined for UNSPECIFIED or a value this build does not know. */
export function requestedStatusName(value: TaskStatus): TaskStatusName | undefined {
  return (NAME_OF as Partial<Record<number, TaskStatusName>>)[value];
}

/** Parses a status name as a user types it (`killed_oom`, `KILLED-OOM`); undefined when unknown. */
export function parseStatusName(text: string): TaskStatusName | undefined {
  const name = text.trim().toLowerCase().replace(/-/g, "_");
  return ENUM_OF.has(name) ? (name as TaskStatusName) : undefined;
}
