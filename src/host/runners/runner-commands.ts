/**
 * Every command the Host sends down a runner's control stream is built
 * here, so the wire shape of "what a runner is told" lives in one module:
 * the welcome, run, kill, pause, resume, open-tunnel, open-exec and drain
 * commands, and a VPS's stop, start and snapshot.
 */
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { ControlResponseSchema, WelcomeSchema } from "../../../gen/hakuriver/v1/runner_pb.js";
import type { ExecStartSchema } from "../../../gen/hakuriver/v1/exec_pb.js";
import { TaskKind } from "../../../gen/hakuriver/v1/types_pb.js";
import type { TaskRecord } from "../tasks/task-record.js";

/** One message down the control stream. */
export type RunnerCommand = MessageInitShape<typeof ControlResponseSchema>;

/** The welcome that opens a control stream (heartbeat interval, log cursors, stale tasks, drain flag). */
export function welcomeCommand(welcome: MessageInitShape<typeof WelcomeSchema>): RunnerCommand {
  return { message: { case: "welcome", value: welcome } };
}

/**
 * What a task asks to run, as the wire's task fields (shared by the RunTask
 * spec and the client's Task message, so the two never drift apart).
 */
export function taskSpecFields(task: TaskRecord) {
  return {
    taskId: String(task.taskId),
    kind: task.kind === "vps" ? TaskKind.VPS : TaskKind.COMMAND,
    command: task.command,
    args: [...task.args],
    env: { ...task.env },
    cores: task.cores,
    memoryBytes: BigInt(task.memoryBytes),
    container: task.container,
    privileged: task.privileged,
    mounts: [...task.mounts],
    gpus: [...task.gpus],
    numaNode: task.numaNode ?? undefined,
    timeLimitMs: BigInt(task.timeLimitMs),
  };
}

/** Starts `task` on its runner; a runner answers a repeat with the task's status. */
export function runTaskCommand(task: TaskRecord): RunnerCommand {
  // A VPS submitted with ssh_mode "none" has no key: its runner starts no sshd.
  const noSsh = task.kind === "vps" && task.publicKey === "";
  return { message: { case: "runTask", value: { spec: { ...taskSpecFields(task), publicKey: task.publicKey, noSsh } } } };
}

/** Starts a stopped VPS whose start was placed: its kept container, or a new one from the snapshot `task.startFrom`. */
export function startVpsCommand(task: TaskRecord): RunnerCommand {
  return { message: { case: "startVps", value: { spec: { ...taskSpecFields(task), publicKey: task.publicKey }, snapshot: task.startFrom ?? "" } } };
}

/** What to send for a placed task: a start of a stopped VPS (it has `startOn`), else RunTask. */
export function assignmentCommand(task: TaskRecord): RunnerCommand {
  return task.startOn ? startVpsCommand(task) : runTaskCommand(task);
}

/** Stops a VPS's container and keeps it. */
export function stopVpsCommand(taskId: number): RunnerCommand {
  return { message: { case: "stopVps", value: { taskId: String(taskId) } } };
}

/** Commits a VPS's container and saves it as the tarball of snapshot `name`. */
export function snapshotVpsCommand(taskId: number, name: string): RunnerCommand {
  return { message: { case: "snapshotVps", value: { taskId: String(taskId), name } } };
}

/** Stops a task; `reason` ends up in the task's message. */
export function killTaskCommand(taskId: number, reason: string): RunnerCommand {
  return { message: { case: "killTask", value: { taskId: String(taskId), reason } } };
}

/** Freezes a running task. */
export function pauseTaskCommand(taskId: number): RunnerCommand {
  return { message: { case: "pauseTask", value: { taskId: String(taskId) } } };
}

/** Thaws a paused task. */
export function resumeTaskCommand(taskId: number): RunnerCommand {
  return { message: { case: "resumeTask", value: { taskId: String(taskId) } } };
}

/**
 * Asks the runner to dial a Tunnel stream named `tunnelId` to `port` of task
 * `taskId`: its sshd, or with `forward` the task's own port (a port forward).
 */
export function openTunnelCommand(tunnelId: string, taskId: string, port: number, forward = false): RunnerCommand {
  return { message: { case: "openTunnel", value: { tunnelId, taskId, port, forward } } };
}

/** Tells the runner whether its node takes new work. */
export function drainCommand(drained: boolean): RunnerCommand {
  return { message: { case: "drain", value: { drained } } };
}

/** Asks the runner to start `start` in its task and dial an Exec stream named `execId` for its bytes. */
export function openExecCommand(execId: string, start: MessageInitShape<typeof ExecStartSchema>): RunnerCommand {
  return { message: { case: "openExec", value: { execId, start } } };
}
