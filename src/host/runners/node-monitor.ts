/**
 * Marks nodes whose runner has gone silent: no heartbeat for
 * interval × factor → the node is `lost` (its stream, if any, is closed)
 * and its active tasks are lost. See node-status.ts for the statuses.
 */
import type { Logger } from "pino";
import { every } from "../../shared/periodic.js";
import { ACTIVE_STATUSES } from "../../shared/task-status.js";
import type { TaskRepo } from "../store/task-repo.js";
import type { TaskManager } from "../tasks/task-manager.js";
import type { NodeRegistry } from "./node-registry.js";

/** Checks heartbeats on an interval until stopped. */
export class NodeMonitor {
  private stopTimer: () => void = () => {};
  /** Heartbeats missed while this Host was not running do not count against a node. */
  private startedAt = 0;

  constructor(
    private readonly deps: {
      nodes: NodeRegistry;
      repo: TaskRepo;
      tasks: TaskManager;
      log: Logger;
      now: () => number;
      timeoutMs: number;
      checkIntervalMs: number;
    },
  ) {}

  /** Starts the periodic check; heartbeats count from now. */
  start(): void {
    this.startedAt = this.deps.now();
    this.stopTimer = every(this.deps.checkIntervalMs, () => this.check(), (err) => this.deps.log.error({ err }, "node check failed"));
  }

  /** Stops the periodic check. */
  stop(): void {
    this.stopTimer();
  }

  /** One check: silent nodes become lost, and so do their active tasks. */
  async check(): Promise<void> {
    const { deps } = this;
    const now = deps.now();
    for (const node of deps.nodes.all()) {
      if (now - Math.max(node.lastHeartbeat, this.startedAt) <= deps.timeoutMs) continue;
      const hadStream = node.session !== undefined;
      if (deps.nodes.markLost(node.name, "heartbeat timeout")) {
        deps.log.warn({ node: node.name, hadStream }, hadStream ? "no heartbeat in time; closed its stream, node lost" : "no heartbeat in time; node lost");
      }
      const active = await deps.repo.list({ node: node.name, statuses: ACTIVE_STATUSES, limit: 100_000 });
      for (const task of active) {
        await deps.tasks.change(task.taskId, "lost", {
          exitCode: -1,
          message: `Node ${node.name} went offline (heartbeat timeout).`,
        });
      }
      if (active.length > 0) deps.log.warn({ node: node.name, lost: active.length }, "node offline; its tasks are lost");
    }
  }
}
