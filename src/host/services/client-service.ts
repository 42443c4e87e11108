/**
 * The client-facing service. Handlers are thin: validate, call the domain,
 * map the result. Errors become gRPC codes in the interceptor chain.
 */
import type { HandlerContext, ServiceImpl } from "@connectrpc/connect";
import { ClientService, type FollowLogsRequest } from "../../../gen/hakuriver/v1/client_pb.js";
import { LogStream, TaskKind } from "../../../gen/hakuriver/v1/types_pb.js";
import { invalidArgument, notFound } from "../../shared/errors.js";
import { isFinal, requestedStatusName, STATUS_NAMES, statusEnum } from "../../shared/task-status.js";
import type { LogStore } from "../logs/log-store.js";
import { aggregate, type HealthHistory } from "../runners/health-history.js";
import type { NodeRegistry } from "../runners/node-registry.js";
import type { Scheduler } from "../scheduling/scheduler.js";
import type { TaskRepo } from "../store/task-repo.js";
import { parseTaskId } from "../tasks/ids.js";
import { planSubmission, type SubmitDefaults } from "../tasks/submit-spec.js";
import type { TaskEvents } from "../tasks/task-events.js";
import type { TaskManager } from "../tasks/task-manager.js";
import { ACTIVE_STATUSES } from "../../shared/task-status.js";
import { nodeToProto, taskToProto, type NodeHoldings } from "./to-proto.js";

/** What the client service needs. */
export interface ClientServiceDeps {
  readonly tasks: TaskManager;
  readonly repo: TaskRepo;
  readonly nodes: NodeRegistry;
  readonly logs: LogStore;
  readonly events: TaskEvents;
  readonly scheduler: Scheduler;
  readonly health: HealthHistory;
  readonly defaults: SubmitDefaults;
  /** How long a follower waits, after a task ended, for output still in flight. */
  readonly logSettleMs: number;
}

async function holdingsByNode(repo: TaskRepo): Promise<Map<string, NodeHoldings>> {
  const result = new Map<string, NodeHoldings>();
  for (const task of await repo.listByStatus(ACTIVE_STATUSES)) {
    if (!task.assignedNode) continue;
    const h = result.get(task.assignedNode) ?? { cores: 0, memoryBytes: 0, gpus: [], taskIds: [] };
    h.cores += task.cores;
    h.memoryBytes += task.memoryBytes;
    h.gpus.push(...task.gpus);
    h.taskIds.push(String(task.taskId));
    result.set(task.assignedNode, h);
  }
  return result;
}

/** Creates the ClientService implementation. */
export function clientService(deps: ClientServiceDeps): Partial<ServiceImpl<typeof ClientService>> {
  const { tasks, repo, nodes, logs } = deps;

  async function nodeMessage(name: string) {
    const node = nodes.get(name);
    if (!node) throw notFound(`unknown node "${name}"`);
    return nodeToProto(node, nodes.isOnline(name), (await holdingsByNode(repo)).get(name));
  }

  return {
    async submitTask(request) {
      const plan = planSubmission(request, deps.defaults);
      await deps.scheduler.admit(plan.specs, plan.queue);
      const created = await tasks.create(plan.specs);
      await deps.scheduler.idle();
      const fresh = await Promise.all(created.map(async (t) => (await repo.get(t.taskId)) ?? t));
      return { batchId: String(created[0]!.batchId), tasks: fresh.map((t) => taskToProto(t, logs)) };
    },

    async getTask(request) {
      return { task: taskToProto(await tasks.require(request.taskId), logs) };
    },

    async listTasks(request) {
      let batchId: number | undefined;
      if (request.batchId !== "") {
        batchId = parseTaskId(request.batchId);
        if (batchId === undefined) throw invalidArgument(`"${request.batchId}" is not a batch id`);
      }
      const list = await tasks.list({
        kind: request.kind === TaskKind.VPS ? "vps" : request.kind === TaskKind.COMMAND ? "command" : undefined,
        batchId,
        statuses: request.statuses.map((value) => {
          const name = requestedStatusName(value);
          if (!name) throw invalidArgument(`${value} is not a task status to list by; valid statuses: ${STATUS_NAMES.map((n) => `${n} (${statusEnum(n)})`).join(", ")}`);
          return name;
        }),
        node: request.node || undefined,
        limit: request.limit > 0 ? request.limit : 200,
      });
      return { tasks: list.map((t) => taskToProto(t, logs)) };
    },

    async killTask(request) {
      return { task: taskToProto(await tasks.kill(request.taskId), logs) };
    },

    async pauseTask(request) {
      return { task: taskToProto(await tasks.pause(request.taskId), logs) };
    },

    async resumeTask(request) {
      return { task: taskToProto(await tasks.resume(request.taskId), logs) };
    },

    async *followLogs(request: FollowLogsRequest, ctx: HandlerContext) {
      const task = await tasks.require(request.taskId);
      const stream = request.stream === LogStream.STDERR ? "stderr" : "stdout";
      if (request.offset < 0n) throw invalidArgument("offset must be zero or more");
      let offset = Number(request.offset);
      let quietSince: number | undefined;
      for (;;) {
        // Read what is there, then decide whether the stream is over.
        for (;;) {
          const data = logs.read(task.taskId, stream, offset);
          if (data.length === 0) break;
          yield { event: { case: "data", value: { offset: BigInt(offset), data } } };
          offset += data.length;
          quietSince = undefined;
        }
        const now = (await repo.get(task.taskId)) ?? task;
        const finalSize = stream === "stdout" ? now.stdoutFinalBytes : now.stderrFinalBytes;
        const final = isFinal(now.status);
        quietSince ??= Date.now();
        const settled = final && (finalSize < 0 || offset >= finalSize || Date.now() - quietSince > deps.logSettleMs);
        if (!request.follow || settled || ctx.signal.aborted) {
          yield {
            event: {
              case: "end",
              value: { status: statusEnum(now.status), exitCode: final ? (now.exitCode ?? undefined) : undefined, size: BigInt(logs.size(task.taskId, stream)) },
            },
          };
          return;
        }
        await deps.events.nextChange(task.taskId, final ? 250 : 5_000, ctx.signal);
      }
    },

    async listNodes() {
      const holdings = await holdingsByNode(repo);
      return { nodes: nodes.all().map((n) => nodeToProto(n, nodes.isOnline(n.name), holdings.get(n.name))) };
    },

    async health(request) {
      const holdings = await holdingsByNode(repo);
      const selected = nodes.all().filter((n) => request.node === "" || n.name === request.node);
      if (request.node !== "" && selected.length === 0) throw notFound(`unknown node "${request.node}"`);
      return {
        nodes: selected.map((n) => nodeToProto(n, nodes.isOnline(n.name), holdings.get(n.name))),
        aggregate: aggregate(nodes, await repo.activityCounts()),
        history: [...deps.health.history()],
      };
    },

    async drainNode(request) {
      if (!(await nodes.setDrained(request.node, true))) throw notFound(`unknown node "${request.node}"`);
      return { node: await nodeMessage(request.node) };
    },

    async undrainNode(request) {
      if (!(await nodes.setDrained(request.node, false))) throw notFound(`unknown node "${request.node}"`);
      deps.scheduler.kick();
      return { node: await nodeMessage(request.node) };
    },
  };
}

