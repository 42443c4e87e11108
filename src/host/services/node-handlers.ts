/**
 * The node RPCs of ClientService: list, health, drain and undrain. What a
 * node shows in use comes from the one active ledger placement uses.
 */
import type { ServiceImpl } from "@connectrpc/connect";
import type { ClientService } from "../../../gen/hakuriver/v1/client_pb.js";
import { missingResource } from "../../shared/errors.js";
import { ErrorReason, RESOURCE_TYPE } from "../../shared/error-reasons.js";
import { aggregate, type HealthHistory } from "../runners/health-history.js";
import type { NodeRegistry, NodeState } from "../runners/node-registry.js";
import { activeLedger } from "../scheduling/active-ledger.js";
import type { NodeUsage } from "../scheduling/placement.js";
import type { TaskRepo } from "../store/task-repo.js";
import type { TaskEvents } from "../tasks/task-events.js";
import { nodeToProto } from "./to-proto.js";

/** The node RPCs. */
export type NodeHandlers = Pick<ServiceImpl<typeof ClientService>, "listNodes" | "health" | "drainNode" | "undrainNode">;

/** What the node RPCs need. */
export interface NodeHandlerDeps {
  readonly nodes: NodeRegistry;
  readonly repo: Pick<TaskRepo, "listByStatus" | "activityCounts">;
  readonly health: HealthHistory;
  /** Undraining is a capacity change (the scheduler subscribes). */
  readonly events: Pick<TaskEvents, "capacityChanged">;
}

function unknownNode(name: string) {
  return missingResource(ErrorReason.NODE_NOT_FOUND, RESOURCE_TYPE.node, name, `unknown node "${name}"`, "no runner of this name has joined (ListNodes shows the nodes)");
}

/** Creates the node RPCs over the registry and the active ledger. */
export function nodeHandlers(deps: NodeHandlerDeps): NodeHandlers {
  const { nodes } = deps;
  const message = (node: NodeState, ledger: ReadonlyMap<string, NodeUsage>) => nodeToProto(node, nodes.status(node.name) ?? "disconnected", ledger.get(node.name));

  async function setDrained(name: string, drained: boolean) {
    const node = await nodes.setDrained(name, drained);
    if (!node) throw unknownNode(name);
    if (!drained) deps.events.capacityChanged();
    return { node: message(node, await activeLedger(deps.repo)) };
  }

  return {
    async listNodes() {
      const ledger = await activeLedger(deps.repo);
      return { nodes: nodes.all().map((n) => message(n, ledger)) };
    },
    async health(request) {
      const ledger = await activeLedger(deps.repo);
      const selected = nodes.all().filter((n) => request.node === "" || n.name === request.node);
      if (request.node !== "" && selected.length === 0) throw unknownNode(request.node);
      return {
        nodes: selected.map((n) => message(n, ledger)),
        aggregate: aggregate(nodes, await deps.repo.activityCounts()),
        history: [...deps.health.history()],
      };
    },
    drainNode: (request) => setDrained(request.node, true),
    undrainNode: (request) => setDrained(request.node, false),
  };
}
