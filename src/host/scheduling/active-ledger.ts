/**
 * The one resource ledger: what active tasks hold on each node, built by
 * placement's {@link buildLedger} from the tasks table. The scheduler places
 * against it and the node views (list, health) report from it, so what a
 * node shows in use is exactly what placement counts.
 */
import { ACTIVE_STATUSES } from "../../shared/task-status.js";
import type { TaskRepo } from "../store/task-repo.js";
import { buildLedger, type NodeUsage } from "./placement.js";

/** Active tasks' holdings by node, read now. */
export async function activeLedger(repo: Pick<TaskRepo, "listByStatus">): Promise<Map<string, NodeUsage>> {
  const active = await repo.listByStatus(ACTIVE_STATUSES);
  return buildLedger(
    active
      .filter((t) => t.assignedNode)
      .map((t) => ({ node: t.assignedNode!, cores: t.cores, memoryBytes: t.memoryBytes, gpus: t.gpus, numaNode: t.numaNode, taskId: String(t.taskId) })),
  );
}
