/**
 * The Host's side of runners' control streams: hello and reconciliation,
 * heartbeats, task events and log chunks. The transport (runner-service)
 * calls these in the order messages arrive.
 */
import type { Logger } from "pino";
import { create } from "@bufbuild/protobuf";
import { type ControlRequest, type RunnerFigures, type RunnerHello, type TaskEvent } from "../../../gen/hakuriver/v1/runner_pb.js";
import { LogStream, UsageSchema } from "../../../gen/hakuriver/v1/types_pb.js";
import { invalidArgument } from "../../shared/errors.js";
import { StorageFault } from "../../shared/storage-errors.js";
import { isFinal, statusName } from "../../shared/task-status.js";
import { isValidNodeName } from "../../shared/targets.js";
import type { LogStore } from "../logs/log-store.js";
import type { TaskRepo } from "../store/task-repo.js";
import { parseTaskId } from "../tasks/ids.js";
import type { TaskEvents } from "../tasks/task-events.js";
import type { TaskManager } from "../tasks/task-manager.js";
import type { NodeRegistry, RunnerSession } from "./node-registry.js";
import type { AssignmentWatch } from "./assignment-watch.js";
import { reconcileHello } from "./reconcile.js";
import { welcomeCommand } from "./runner-commands.js";
import { RunnerStorageFaults } from "./storage-faults.js";
import { checkNodeClaim } from "./node-claim.js";

/** What the control plane needs. */
export interface ControlPlaneDeps {
  readonly nodes: NodeRegistry;
  readonly repo: TaskRepo;
  readonly tasks: TaskManager;
  readonly logs: LogStore;
  /** A runner joining is a capacity change (the scheduler subscribes). */
  readonly events: Pick<TaskEvents, "capacityChanged">;
  readonly log: Logger;
  readonly now: () => number;
  readonly heartbeatIntervalMs: number;
  /** Sends RunTask commands and follows them up until acknowledged. */
  readonly watch: AssignmentWatch;
  /** Whether a join token is still valid (a node name bound to a revoked one may be taken by another). */
  readonly tokenLive: (tokenId: string) => boolean;
  /** Gets the figures each heartbeat carries (for /metrics); none = they are dropped. */
  readonly runnerFigures?: (node: string, figures: RunnerFigures) => void;
  /** Gets each task event that answers a SnapshotVps (its snapshot_name is set); none = they are only logged. */
  readonly snapshotReported?: (node: string, event: TaskEvent) => void;
}

/** Handles runner messages. */
export class ControlPlane {
  private readonly faults: RunnerStorageFaults;
  /** Per node, tasks already checked to be assigned to it (log chunks come often; the assignment does not change). */
  private readonly assigned = new Map<string, Set<number>>();

  constructor(private readonly deps: ControlPlaneDeps) {
    this.faults = new RunnerStorageFaults(deps.log, deps.now);
  }

  /**
   * Accepts a runner that joined with `joinTokenId` ("" with auth off):
   * checks its claim on the name, registers it, reconciles its inventory,
   * sends the welcome. Returns its node name.
   */
  async hello(hello: RunnerHello, session: RunnerSession, joinTokenId: string): Promise<string> {
    const { deps } = this;
    if (!isValidNodeName(hello.name)) throw invalidArgument(`runner name "${hello.name}" is not a valid node name`);
    if (!hello.resources) throw invalidArgument("hello carries no resources");
    checkNodeClaim(deps.nodes.get(hello.name), { name: hello.name, tokenId: joinTokenId, now: deps.now(), staleAfterMs: 2 * deps.heartbeatIntervalMs + 1000, tokenLive: deps.tokenLive });
    await deps.nodes.attach(hello.name, hello.resources, hello.version, session, deps.now(), joinTokenId === "" ? null : joinTokenId);
    const { welcome, resend } = await reconcileHello(hello.name, hello, { ...deps, heartbeatIntervalMs: deps.heartbeatIntervalMs });
    // The session holds back whatever was sent to it since attach (the scheduler may already have
    // placed work here) until the welcome has gone out: the runner reads nothing before it.
    session.welcome(welcomeCommand(welcome));
    resend.forEach((task) => deps.watch.dispatch(task));
    deps.log.info({ node: hello.name, tasks: hello.tasks.length, stale: welcome.staleTaskIds?.length ?? 0 }, "runner connected");
    deps.events.capacityChanged();
    return hello.name;
  }

  /** Handles one message after the hello. */
  async handle(node: string, request: ControlRequest): Promise<void> {
    const { message } = request;
    switch (message.case) {
      case "heartbeat": {
        for (const id of message.value.runningTaskIds) {
          const taskId = parseTaskId(id);
          if (taskId !== undefined) this.deps.watch.acknowledged(node, taskId);
          else this.deps.log.warn({ node, taskId: id }, "a heartbeat lists a running task id that is not a task id");
        }
        if (message.value.figures) this.deps.runnerFigures?.(node, message.value.figures);
        const usage = message.value.usage ?? create(UsageSchema);
        try {
          await this.deps.nodes.heartbeat(node, usage, this.deps.now());
        } catch (error) {
          // Applied in memory before the write: the node stays online; only its persisted last-seen lags.
          if (!(error instanceof StorageFault)) throw error;
          this.faults.heartbeatFault(node, error);
        }
        await this.faults.retry(node, (event) => this.taskEvent(node, event));
        if (this.faults.shouldResync(node)) {
          this.deps.nodes.get(node)?.session?.close("the Host's output storage has room again: reconnect to re-send output from the Host's cursors");
        }
        // Fresh GPU readings replace the hello's, as long as the GPU set is the same (placement keys on indexes).
        const state = this.deps.nodes.get(node);
        const known = state?.resources.gpus.map((g) => g.index).join(",");
        if (state && usage.gpus.length > 0 && known === usage.gpus.map((g) => g.index).join(",")) state.resources.gpus = usage.gpus;
        return;
      }
      case "taskEvent": {
        const taskId = parseTaskId(message.value.taskId);
        if (taskId !== undefined) this.deps.watch.acknowledged(node, taskId);
        // An answer to a SnapshotVps, not a status report.
        if (message.value.snapshotName !== "") {
          if (this.deps.snapshotReported) this.deps.snapshotReported(node, message.value);
          else this.deps.log.warn({ node, taskId: message.value.taskId, snapshot: message.value.snapshotName }, "a snapshot report nobody waits for");
          return;
        }
        await this.faults.taskEvent(node, message.value, (event) => this.taskEvent(node, event));
        return;
      }
      case "logChunk": {
        const taskId = parseTaskId(message.value.taskId);
        if (taskId === undefined) {
          this.deps.log.warn({ node, taskId: message.value.taskId }, "dropping a log chunk whose task id is not a task id");
          return;
        }
        if (!(await this.isAssigned(node, taskId))) {
          this.deps.log.warn({ node, taskId }, "dropping a log chunk for a task not assigned to this node");
          return;
        }
        const stream = message.value.stream === LogStream.STDERR ? "stderr" : "stdout";
        try {
          this.deps.logs.append(taskId, stream, Number(message.value.offset), message.value.data);
        } catch (error) {
          // The runner keeps its file; chunks after this one are refused as a gap until it re-sends.
          if (!(error instanceof StorageFault)) throw error;
          this.faults.outputFault(node, message.value.taskId, error);
        }
        return;
      }
      case "hello":
        this.deps.log.warn({ node }, "ignoring a second hello on one stream");
        return;
      default:
        this.deps.log.warn({ node, case: message.case }, "ignoring a control message this Host does not know (a newer runner?)");
        return;
    }
  }

  /** Whether the Host assigned the task to the node (remembered once true). */
  private async isAssigned(node: string, taskId: number): Promise<boolean> {
    let known = this.assigned.get(node);
    if (known?.has(taskId)) return true;
    const task = await this.deps.repo.get(taskId);
    if (!task || task.assignedNode !== node) return false;
    if (!known) this.assigned.set(node, (known = new Set()));
    known.add(taskId);
    return true;
  }

  /** Stages a runner's task event; `committed` settles with its write (see RunnerStorageFaults). */
  private async taskEvent(node: string, event: TaskEvent): Promise<{ committed: Promise<unknown> }> {
    const taskId = parseTaskId(event.taskId);
    const task = taskId === undefined ? undefined : await this.deps.repo.get(taskId);
    if (!task || task.assignedNode !== node) {
      this.deps.log.warn({ node, taskId: event.taskId }, "event for a task not assigned to this node");
      return { committed: Promise.resolve() };
    }
    const to = statusName(event.status);
    const outputNote = isFinal(to) ? this.faults.outputNote(node, event.taskId) : undefined;
    const message = [event.message, outputNote].filter(Boolean).join("; ");
    const staged = await this.deps.tasks.stage(task.taskId, to, {
      ...(event.exitCode !== undefined ? { exitCode: event.exitCode } : {}),
      ...(message !== "" ? { message } : {}),
      ...(event.sshPort > 0 ? { sshPort: event.sshPort } : {}),
      ...(event.sshHostKeys.length > 0 ? { sshHostKeys: [...event.sshHostKeys] } : {}),
      ...(isFinal(to) ? { stdoutFinalBytes: Number(event.stdoutSize), stderrFinalBytes: Number(event.stderrSize) } : {}),
      // A start of a stopped VPS is over once its runner says how it went (running, or stopped again).
      ...(task.startOn && to !== "pending" && to !== "assigning" ? { startOn: null, startFrom: "" } : {}),
    });
    return { committed: staged?.committed ?? Promise.resolve() };
  }

  /** Forgets a stream that ended; the node shows offline until it reconnects. */
  goodbye(node: string, sessionId: number): void {
    if (!this.deps.nodes.detach(node, sessionId)) return;
    this.faults.forget(node);
    this.assigned.delete(node);
    this.deps.log.warn({ node }, "runner disconnected");
  }
}
