/**
 * Marks nodes whose runner has gone silent: no heartbeat for
 * interval × factor → the node is offline and its active tasks are lost.
 */
import type { Logger } from "pino";
import { ACTIVE_STATUSES } from "../../shared/task-status.js";
import type { TaskRepo } from "../store/task-repo.js";
import type { TaskManager } from "../tasks/task-manager.js";
import type { NodeRegistry } from "./node-registry.js";

/** Checks heartbeats on an interval until stopped. */
export class NodeMonitor {
  private timer: NodeJS.Timeout | undefined;
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

  start(): void {
    this.startedAt = this.deps.now();
    this.timer = setInterval(() => void this.check().catch((err) => this.deps.log.error({ err }, "node check failed")), this.deps.checkIntervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** One check: silent nodes go offline, their active tasks become lost. */
  async check(): Promise<void> {
    const { deps } = this;
    const now = deps.now();
    for (const node of deps.nodes.all()) {
      if (now - Math.max(node.lastHeartbeat, this.startedAt) <= deps.timeoutMs) continue;
      if (node.session) {
        deps.log.warn({ node: node.name }, "no heartbeat in time; closing its stream");
        node.session.close("heartbeat timeout");
        deps.nodes.detach(node.name, node.session.id);
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
