/**
 * One exec as the Host serves it: checks the task (running, on an online
 * node), asks its runner to start the command over an Exec stream the
 * runner dials (see exec-broker.ts), and relays bytes both ways until the
 * command's exit. The client going away (its call aborted, or its input
 * failing) ends the runner's stream, and the runner kills the command.
 */
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { ExecStartSchema, ExecTaskRequest, ExecTaskResponseSchema } from "../../../gen/hakuriver/v1/exec_pb.js";
import { badField, DomainError, failedPrecondition } from "../../shared/errors.js";
import { ErrorReason, RESOURCE_TYPE } from "../../shared/error-reasons.js";
import type { TaskRecord } from "../tasks/task-record.js";
import { ExecOpenError, type ExecBroker, type ExecOut, type RunnerExec } from "./exec-broker.js";

/** A response of the client's exec stream. */
export type ExecTaskOut = MessageInitShape<typeof ExecTaskResponseSchema>;

/** What the client asked to run, as received. */
export type ExecStartInput = MessageInitShape<typeof ExecStartSchema> & { command: readonly string[] };

/** Longest argv word, and all words together (bytes), as for a task's command. */
const MAX_WORD_BYTES = 128 * 1024;
const MAX_COMMAND_BYTES = 1024 * 1024;
/** How long the runner may take to start the command and open its stream (docker exec of a busy engine included). */
export const EXEC_OPEN_TIMEOUT_MS = 15_000;

/** INVALID_ARGUMENT unless the start names a command (sizes bounded) and, if any, an absolute workdir. */
export function checkExecStart(start: ExecStartInput): void {
  if (start.command.length === 0 || start.command[0] === "") {
    throw badField("start.command", ErrorReason.EMPTY_COMMAND, "empty command: put the command after --, for example: hakuriver exec 123 -- ls -l", "at least one word: the program to run");
  }
  let total = 0;
  for (const [index, word] of start.command.entries()) {
    const bytes = Buffer.byteLength(word);
    total += bytes;
    if (bytes > MAX_WORD_BYTES) throw badField(`start.command[${index}]`, ErrorReason.INVALID_FIELD, `argument ${index} is ${bytes} bytes; at most ${MAX_WORD_BYTES} are allowed`);
  }
  if (total > MAX_COMMAND_BYTES) throw badField("start.command", ErrorReason.INVALID_FIELD, `the command is ${total} bytes; at most ${MAX_COMMAND_BYTES} are allowed`);
  const workdir = start.workdir ?? "";
  if (workdir !== "" && !workdir.startsWith("/")) throw badField("start.workdir", ErrorReason.INVALID_FIELD, `--workdir must be an absolute path, got "${workdir}"`, "an absolute path such as /root");
  if (/[\0\n]/.test(start.user ?? "")) throw badField("start.user", ErrorReason.INVALID_FIELD, "--user must be a user name or uid, optionally :group");
}

/** FAILED_PRECONDITION unless the task is running (with what to do instead). */
export function requireExecutable(task: TaskRecord): void {
  if (task.status === "running" && task.assignedNode) return;
  const what = task.kind === "vps" ? "VPS" : "task";
  const hint =
    task.status === "paused" ? `resume it first: hakuriver ${task.kind === "vps" ? "vps" : "task"} resume ${task.taskId}`
    : task.status === "pending" || task.status === "assigning" ? "wait until it runs"
    : "exec needs a running task; its output is in: hakuriver logs " + task.taskId;
  throw failedPrecondition(`${what} ${task.taskId} is ${task.status}, not running: ${hint}`, {
    reason: ErrorReason.TASK_NOT_RUNNING,
    metadata: { task_id: String(task.taskId), status: task.status },
    resource: { type: RESOURCE_TYPE.task, name: String(task.taskId), owner: task.owner },
    preconditionViolations: [{ type: "TASK_STATUS", subject: `task/${task.taskId}`, description: `the task is ${task.status}; it must be running` }],
  });
}

/** The DomainError a failed open becomes. */
function openFailure(error: ExecOpenError, task: TaskRecord): DomainError {
  const node = task.assignedNode ?? "";
  switch (error.reason) {
    case "offline":
      return new DomainError("unavailable", `task ${task.taskId} runs on node ${node}, which is offline: ${error.message}`, { reason: ErrorReason.NODE_OFFLINE, metadata: { node }, resource: { type: RESOURCE_TYPE.node, name: node } });
    case "timeout":
      return new DomainError("unavailable", `${error.message}; try again`, { reason: ErrorReason.RUNNER_NOT_CONFIRMED, metadata: { node }, resource: { type: RESOURCE_TYPE.node, name: node } });
    case "not_running":
      return failedPrecondition(`task ${task.taskId} is not running on ${node}: ${error.message}`, { reason: ErrorReason.TASK_NOT_RUNNING, metadata: { task_id: String(task.taskId), node } });
    case "refused":
      return badField("start.command", ErrorReason.INVALID_FIELD, `could not start the command in task ${task.taskId}: ${error.message}`);
  }
}

/** Client input as runner messages; ends with stdin_close when the client closes its side. */
async function relayInput(input: AsyncIterator<ExecTaskRequest>, outbox: RunnerExec["outbox"], leave: () => void): Promise<void> {
  try {
    for (;;) {
      const next = await input.next();
      if (next.done) break;
      const m = next.value.message;
      let out: ExecOut | undefined;
      if (m.case === "stdin") out = { message: { case: "stdin", value: m.value } };
      else if (m.case === "resize") out = { message: { case: "resize", value: m.value } };
      else if (m.case === "stdinClose") out = { message: { case: "stdinClose", value: {} } };
      if (out) outbox.push(out);
    }
    outbox.push({ message: { case: "stdinClose", value: {} } });
  } catch {
    // The client went away mid-call: the command must not outlive it.
    leave();
  }
}

/**
 * Runs one exec; yields output, then exactly one exit. `input` continues
 * the client's stream after its start. Rejects (before any output) with
 * the DomainError of a failed open.
 */
export async function* runExec(broker: ExecBroker, task: TaskRecord, start: ExecStartInput, input: AsyncIterator<ExecTaskRequest>, signal: AbortSignal, openTimeoutMs = EXEC_OPEN_TIMEOUT_MS): AsyncGenerator<ExecTaskOut> {
  requireExecutable(task);
  let exec: RunnerExec;
  try {
    exec = await broker.open(task.assignedNode!, { ...start, command: [...start.command], taskId: String(task.taskId) }, openTimeoutMs);
  } catch (error) {
    if (error instanceof ExecOpenError) throw openFailure(error, task);
    throw error;
  }
  let exited = false;
  const leave = () => {
    exec.outbox.end();
    void exec.incoming.return?.();
  };
  const onAbort = () => leave();
  signal.addEventListener("abort", onAbort, { once: true });
  void relayInput(input, exec.outbox, leave);
  try {
    for (;;) {
      // A runner that died mid-exec breaks its stream: that is the node going away, not a fault of the call.
      const next = await exec.incoming.next().catch((error: unknown) => {
        if (signal.aborted) return { done: true as const, value: undefined };
        throw new DomainError("unavailable", `the exec's stream from ${task.assignedNode} broke (${error instanceof Error ? error.message : String(error)}): its runner stopped or lost the Host`, { reason: ErrorReason.NODE_OFFLINE, metadata: { node: task.assignedNode ?? "" } });
      });
      if (next.done) break;
      const m = next.value.message;
      if (m.case === "stdout" || m.case === "stderr") yield { message: { case: m.case, value: m.value } };
      else if (m.case === "exit") {
        exited = true;
        yield { message: { case: "exit", value: m.value } };
        break;
      }
    }
    if (!exited && !signal.aborted) {
      throw new DomainError("unavailable", `the runner on ${task.assignedNode} ended the exec without an exit code (it stopped or lost the Host)`, { reason: ErrorReason.NODE_OFFLINE, metadata: { node: task.assignedNode ?? "" } });
    }
  } finally {
    signal.removeEventListener("abort", onAbort);
    leave();
  }
}
