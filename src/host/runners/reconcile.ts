/**
 * Reconciles a runner's inventory with the Host's records when it says
 * hello: statuses reported while disconnected are applied, tasks the Host
 * already finished are sent back as stale (the runner stops them), tasks
 * the runner never received are resent, and tasks it lost are marked lost.
 */
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { RunnerHello, WelcomeSchema } from "../../../gen/hakuriver/v1/runner_pb.js";
import { ACTIVE_STATUSES, isFinal, statusName } from "../../shared/task-status.js";
import type { LogStore } from "../logs/log-store.js";
import type { TaskRepo } from "../store/task-repo.js";
import type { TaskManager } from "../tasks/task-manager.js";
import type { TaskRecord } from "../tasks/task-record.js";
import type { NodeRegistry } from "./node-registry.js";
import { parseTaskId } from "../tasks/ids.js";

/** The welcome to send, then the tasks (in `assigning`) the runner never received. */
export interface HelloOutcome {
  readonly welcome: MessageInitShape<typeof WelcomeSchema>;
  readonly resend: readonly TaskRecord[];
}

/** Applies the inventory and returns what to send back. */
export async function reconcileHello(
  node: string,
  hello: RunnerHello,
  deps: { repo: TaskRepo; tasks: TaskManager; logs: LogStore; nodes: NodeRegistry; heartbeatIntervalMs: number },
): Promise<HelloOutcome> {
  const stale: string[] = [];
  const cursors: { taskId: string; stdoutOffset: bigint; stderrOffset: bigint }[] = [];
  const held = new Set<number>();
  const resend: TaskRecord[] = [];
  for (const entry of hello.tasks) {
    const taskId = parseTaskId(entry.taskId);
    const task = taskId === undefined ? undefined : await deps.repo.get(taskId);
    if (!task || task.assignedNode !== node) {
      stale.push(entry.taskId);
      continue;
    }
    held.add(task.taskId);
    cursors.push({
      taskId: entry.taskId,
      stdoutOffset: BigInt(deps.logs.size(task.taskId, "stdout")),
      stderrOffset: BigInt(deps.logs.size(task.taskId, "stderr")),
    });
    const reported = statusName(entry.status);
    if (isFinal(task.status)) {
      if (!isFinal(reported)) stale.push(entry.taskId);
      continue;
    }
    // A start of this stopped VPS is queued or was sent: the runner still holding it stopped is no news.
    if (task.startOn && reported === "stopped") {
      if (task.status === "assigning") resend.push(task);
      continue;
    }
    await deps.tasks.change(task.taskId, reported, {
      exitCode: entry.exitCode ?? null,
      message: entry.message,
      ...(isFinal(reported) ? { stdoutFinalBytes: Number(entry.stdoutSize), stderrFinalBytes: Number(entry.stderrSize) } : {}),
    });
  }
  for (const task of await deps.repo.list({ node, statuses: ACTIVE_STATUSES, limit: 100_000 })) {
    if (held.has(task.taskId)) continue;
    if (task.status === "assigning") {
      resend.push(task);
    } else {
      await deps.tasks.change(task.taskId, "lost", { message: `runner ${node} reconnected without this task (it restarted while the task ran)` });
    }
  }
  const welcome = {
    heartbeatIntervalMs: BigInt(deps.heartbeatIntervalMs),
    logCursors: cursors,
    staleTaskIds: stale,
    drained: deps.nodes.get(node)?.drained ?? false,
  };
  return { welcome, resend };
}
