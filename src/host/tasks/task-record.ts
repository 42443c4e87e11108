/**
 * The Host's view of a task, independent of storage and wire formats.
 */
import type { TaskStatusName } from "../../shared/task-status.js";
import type { TaskDependency } from "./dependencies.js";

/** Whether a task is a batch command or a VPS container. */
export type TaskKindName = "command" | "vps";

/** What a submission asks a task to be: the fields a spec and a stored task share. */
export interface TaskDefinition {
  readonly kind: TaskKindName;
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly cores: number;
  readonly memoryBytes: number;
  /** An environment name, or NULL to run natively. */
  readonly container: string;
  readonly privileged: boolean;
  readonly mounts: readonly string[];
  /** The OpenSSH public key of a VPS; empty for command tasks. */
  readonly publicKey: string;
  /** Longest time the task may spend running (ms; queued and paused time do not count); 0 = no limit. */
  readonly timeLimitMs: number;
  /** GPUs asked for by count (`--gpus N`), placed on one node; 0 = none by count. */
  readonly gpuCount: number;
  /** Its name (shared by every task of a submission); empty = none. */
  readonly name: string;
  /** Its labels, key → value. */
  readonly labels: Readonly<Record<string, string>>;
}

/** A task as the Host keeps it. Times are Unix milliseconds. */
export interface TaskRecord extends TaskDefinition {
  readonly taskId: number;
  readonly batchId: number;
  readonly status: TaskStatusName;
  readonly target: string;
  readonly assignedNode: string | null;
  readonly numaNode: number | null;
  /** The GPU indexes the task holds: its target's, or those picked for its gpuCount once placed (empty while it waits). */
  readonly gpus: readonly number[];
  readonly exitCode: number | null;
  readonly message: string;
  readonly submittedAt: number;
  readonly startedAt: number | null;
  readonly completedAt: number | null;
  readonly sshPort: number;
  /** A VPS's sshd public host keys (`TYPE BASE64` lines) as its runner read them; empty until known. */
  readonly sshHostKeys: readonly string[];
  /** Final output sizes the runner reported; -1 until known. */
  readonly stdoutFinalBytes: number;
  readonly stderrFinalBytes: number;
  /** The user who submitted it; empty when auth was off. */
  readonly owner: string;
  /** What it was submitted to start after (after / after_ok); empty = nothing. */
  readonly dependencies: readonly TaskDependency[];
  /** True while it is PENDING waiting for its dependencies: the scheduler skips it, it holds nothing. */
  readonly awaitingDependencies: boolean;
  /** Why the scheduler placed it on assignedNode ("placed on beta: most free cores ..."); empty until placed. */
  readonly placementReason: string;
  /**
   * VPS only: while a start of the stopped VPS is queued or sent (pending,
   * assigning), the node it must run on; null or absent otherwise.
   */
  readonly startOn?: string | null;
  /** VPS only, with startOn: the snapshot its new container is made from; "" or absent = its kept container. */
  readonly startFrom?: string;
}
