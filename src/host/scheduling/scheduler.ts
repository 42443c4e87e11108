/**
 * The queue: places pending tasks on nodes in submission order whenever
 * something changes (a submit, a task ending, a node joining or undraining).
 * A pending task that names a node blocks later tasks only on that node
 * (one that waits only for busy GPUs instead keeps its cores, memory and
 * GPUs reserved, so later tasks may use the rest of the node); an
 * auto-placed one that cannot start blocks everything after it, so big tasks
 * are not starved by small ones.
 */
import type { Logger } from "pino";
import { parseTarget } from "../../shared/targets.js";
import type { NodeRegistry, NodeState } from "../runners/node-registry.js";
import type { TaskRepo } from "../store/task-repo.js";
import type { TaskSpecInput } from "../tasks/submit-spec.js";
import type { TaskManager } from "../tasks/task-manager.js";
import type { TaskEvents } from "../tasks/task-events.js";
import type { TaskRecord } from "../tasks/task-record.js";
import type { AssignmentWatch } from "../runners/assignment-watch.js";
import { activeLedger } from "./active-ledger.js";
import { busyError, capacityError, gpuCountError, neverFitsError, nodeStateError, unknownNodeError } from "./admission-errors.js";
import { busyReason, decide, freeGpus, hold, neverFitsReason, type Demand, type NodeCapacity } from "./placement.js";

/** Pending tasks a scheduling pass reads at a time. */
const PENDING_PAGE_SIZE = 500;

/**
 * What a task asks of a node. A task asking for GPUs by count asks for the
 * count: the indexes it holds once placed are what it was given, not what
 * it asked for.
 */
export function demandOf(task: Pick<TaskRecord, "cores" | "memoryBytes" | "target" | "numaNode" | "gpus" | "gpuCount" | "startOn" | "startFrom">): Demand {
  // A stopped VPS starting again in its kept container needs the very GPUs that container was made with.
  if (task.startOn && !task.startFrom) return { cores: task.cores, memoryBytes: task.memoryBytes, node: task.startOn, numaNode: task.numaNode, gpus: task.gpus };
  return {
    cores: task.cores,
    memoryBytes: task.memoryBytes,
    node: task.startOn ? task.startOn : task.target ? parseTarget(task.target).node : null,
    numaNode: task.numaNode,
    gpus: task.gpuCount > 0 ? [] : task.gpus,
    ...(task.gpuCount > 0 ? { gpuCount: task.gpuCount } : {}),
  };
}

/** A node's capacity for placement. */
export function capacityOf(node: NodeState, online: boolean): NodeCapacity {
  return {
    name: node.name,
    online,
    drained: node.drained,
    cores: node.resources.cores,
    memoryBytes: Number(node.resources.memoryBytes),
    numaNodes: node.resources.numaNodes.map((n) => ({ id: n.id, cores: n.cores.length, memoryBytes: Number(n.memoryBytes) })),
    gpus: node.resources.gpus.map((g) => g.index),
  };
}

/** What the scheduler needs. */
export interface SchedulerDeps {
  readonly repo: TaskRepo;
  readonly tasks: Pick<TaskManager, "stage">;
  readonly nodes: NodeRegistry;
  readonly log: Logger;
  /** Sends each placed task to its runner. */
  readonly watch: Pick<AssignmentWatch, "dispatch">;
  /** Capacity changes (a task ended, a submission, a node joined or undrained) kick a pass once started. */
  readonly events: Pick<TaskEvents, "onCapacityChange">;
}

/**
 * Runs placement passes, one at a time. Life cycle: `start` subscribes to
 * capacity changes and runs the first pass; `stop` unsubscribes and waits
 * for a running pass.
 */
export class Scheduler {
  private running: Promise<void> | undefined;
  private again = false;
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly deps: SchedulerDeps) {}

  /** Subscribes to capacity changes and asks for the first pass. */
  start(): void {
    this.unsubscribe ??= this.deps.events.onCapacityChange(() => this.kick());
    this.kick();
  }

  /** Unsubscribes and resolves once no pass runs. */
  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    await this.idle();
  }

  /** Asks for a placement pass soon; passes never overlap, and kicks during a pass coalesce into one more. */
  kick(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = (async () => {
      do {
        this.again = false;
        try {
          await this.pass();
        } catch (error) {
          this.deps.log.error({ err: error }, "scheduling pass failed");
        }
      } while (this.again);
      this.running = undefined;
    })();
  }

  /** Resolves when no pass is running (for tests and shutdown). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private capacities(): NodeCapacity[] {
    return this.deps.nodes.all().map((node) => capacityOf(node, this.deps.nodes.isOnline(node.name)));
  }

  /**
   * Checks a submission before anything is stored: named nodes must exist,
   * be online and undrained, and be able to hold the task at all; with
   * `queue` off, every task must also fit right now.
   */
  async admit(specs: readonly TaskSpecInput[], queue: boolean): Promise<void> {
    const nodes = this.capacities();
    const ledger = await activeLedger(this.deps.repo);
    for (const spec of specs) {
      const demand = demandOf({ ...spec, target: spec.targetText, numaNode: spec.target?.numaNode ?? null, gpus: spec.target?.gpus ?? [] });
      const named = demand.node === null ? undefined : nodes.find((n) => n.name === demand.node);
      if (demand.node !== null) {
        if (!named) throw unknownNodeError(demand.node, nodes.map((n) => n.name));
        if (!named.online) throw nodeStateError(named, "offline", `node ${named.name} is offline; wait for its runner to reconnect or pick another node`);
        if (named.drained) throw nodeStateError(named, "drained", `node ${named.name} is drained and takes no new work (hakuriver node undrain ${named.name})`);
        const never = neverFitsReason(named, demand);
        if (never) throw neverFitsError(named, demand, never, spec.targetText);
      }
      const decision = decide(demand, nodes, ledger);
      if (decision.kind === "never") {
        // More GPUs than any node has is the GPU count's fault, whatever else is asked.
        const count = demand.gpuCount ?? 0;
        throw count > 0 && nodes.every((n) => n.gpus.length < count) ? gpuCountError(decision.reason, demand, nodes) : capacityError(decision.reason, demand);
      }
      if (!queue) {
        if (decision.kind === "wait") {
          throw busyError(`${decision.reason} (submitted with --no-queue; drop it to queue instead)`, demand, named, named ? ledger.get(named.name) : undefined);
        }
        // Later tasks of the same submission must fit beside this one.
        hold(ledger, { ...demand, node: decision.node, gpus: decision.gpus ?? demand.gpus });
      }
    }
  }

  /**
   * Pending tasks in queue order, a page at a time: a pass usually stops at
   * the first auto-placed task that must wait, and reading a whole
   * 100,000-task queue for that (seconds of blocking reads, on every task
   * end) made a big sweep's passes cost O(queue) each.
   */
  private async *pendingInOrder(): AsyncGenerator<TaskRecord> {
    let afterTaskId = 0;
    for (;;) {
      // Tasks waiting for their dependencies hold nothing and are not in the queue yet (an index skips them).
      const page = await this.deps.repo.listByStatus(["pending"], { afterTaskId, limit: PENDING_PAGE_SIZE, skipAwaitingDependencies: true });
      yield* page;
      if (page.length < PENDING_PAGE_SIZE) return;
      afterTaskId = page.at(-1)!.taskId;
    }
  }

  /**
   * One pass over the queue. Its changes are staged (seen at once by the
   * rest of the pass and by every read) and committed together; a placed
   * task is sent to its runner once its assignment is committed, and the
   * pass ends when all of its commits have settled.
   */
  private async pass(): Promise<void> {
    const commits: Promise<unknown>[] = [];
    try {
      await this.placePending(commits);
    } finally {
      const failed = (await Promise.allSettled(commits)).filter((r): r is PromiseRejectedResult => r.status === "rejected");
      if (failed.length > 0) this.deps.log.error({ err: failed[0]!.reason, failed: failed.length }, "scheduling pass: some changes could not be stored (they were undone)");
    }
  }

  private async placePending(commits: Promise<unknown>[]): Promise<void> {
    const pending = this.pendingInOrder();
    const first = await pending.next();
    if (first.done) return;
    const nodes = this.capacities();
    const ledger = await activeLedger(this.deps.repo);
    const blockedNodes = new Set<string>();
    const stage = async (...args: Parameters<TaskManager["stage"]>) => {
      const staged = await this.deps.tasks.stage(...args);
      if (staged) commits.push(staged.committed);
      return staged;
    };
    for (let next: IteratorResult<TaskRecord, void> = first; !next.done; next = await pending.next()) {
      const task = next.value;
      const demand = demandOf(task);
      if (demand.node !== null && blockedNodes.has(demand.node)) continue;
      const decision = decide(demand, nodes, ledger);
      if (decision.kind === "never") {
        await stage(task.taskId, "failed", { message: decision.reason });
        continue;
      }
      if (decision.kind === "wait") {
        const message = `waiting: ${decision.reason}`;
        if (task.message !== message) await stage(task.taskId, "pending", { message });
        if (demand.node !== null) {
          const node = nodes.find((n) => n.name === demand.node);
          const wantsGpus = demand.gpus.length > 0 || (demand.gpuCount ?? 0) > 0;
          if (node && wantsGpus && !busyReason(node, { ...demand, gpus: [], gpuCount: 0 }, ledger.get(node.name))) {
            // Waiting only for its GPUs: keep its cores and memory (and GPUs: those it names, or for a
            // count the ones free now) reserved so later tasks on the node cannot starve it, but let
            // them use what is left.
            const gpus = demand.gpus.length > 0 ? demand.gpus : freeGpus(node, ledger.get(node.name)).slice(0, demand.gpuCount);
            hold(ledger, { ...demand, gpus, node: node.name, taskId: String(task.taskId) });
          } else blockedNodes.add(demand.node);
          continue;
        }
        return;
      }
      // GPUs picked for a count are stored with the task: from now on it holds exactly these, until it ends.
      const given = decision.gpus ? { gpus: decision.gpus } : {};
      const staged = await stage(task.taskId, "assigning", { assignedNode: decision.node, message: "", placementReason: decision.reason, ...given });
      const placed = staged?.task;
      if (placed?.status !== "assigning") continue;
      hold(ledger, { ...demand, node: decision.node, gpus: placed.gpus, taskId: String(task.taskId) });
      // Sent only once stored: a runner never runs a task that a restarted Host would not know was placed.
      void staged!.committed.then(
        (stored) => {
          if (stored.status !== "assigning") return;
          this.deps.watch.dispatch(stored);
          this.deps.log.info({ taskId: String(task.taskId), node: decision.node, reason: decision.reason, ...(decision.gpus ? { gpus: decision.gpus } : {}) }, "task assigned");
        },
        () => undefined, // logged by pass() with the rest of its failed commits
      );
    }
  }
}
