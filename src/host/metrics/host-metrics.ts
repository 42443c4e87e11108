/**
 * The Host's Prometheus series, in one prom-client registry served at
 * `GET /metrics` (see metrics-endpoint.ts). Everything is cheap per scrape:
 * task counts and the queue live in memory ({@link TaskCounts}, seeded once
 * at start), node gauges read the node registry, runner figures are the
 * last heartbeat's; counters and histograms are moved as things happen.
 * README.md lists every series and what it means.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import type { RunnerFigures } from "../../../gen/hakuriver/v1/runner_pb.js";
import { isFinal, STATUS_NAMES } from "../../shared/task-status.js";
import type { NodeState } from "../runners/node-registry.js";
import type { TunnelMeter } from "../tunnels/splice.js";
import type { NodeStatusName } from "../runners/node-status.js";
import type { TaskKindName, TaskRecord } from "../tasks/task-record.js";
import { registerRunnerSeries, RunnerFigureStore } from "./runner-series.js";
import { TaskCounts, type StatusKindCount } from "./task-counts.js";

/** Every task kind, so each status × kind pair is a series from the first scrape (absent never means zero). */
const TASK_KINDS: readonly TaskKindName[] = ["command", "vps"];

/** Where a node is counted in `hakuriver_nodes`: each node in exactly one. */
export type NodeMetricState = "online" | "offline" | "drained";

/** Task latencies span a millisecond (a native `true`) to days (a VPS): seconds. */
const TASK_SECONDS_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 14_400, 86_400];
/** SQLite commits take tens of microseconds (WAL, NORMAL) to tens of milliseconds (FULL on a slow disk): seconds. */
const COMMIT_SECONDS_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];
const COMMIT_GROUP_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024];

/** What the scrape-time series read. */
export interface HostMetricsDeps {
  /** The Host's nodes, with their status (see node-status.ts). */
  readonly nodes: { all(): readonly NodeState[]; status(name: string): NodeStatusName | undefined };
  /** Unix ms. */
  readonly now: () => number;
  /** Also export the Host process's own figures (prom-client's defaults: CPU, memory, event loop, GC), prefixed `hakuriver_host_`; default true. */
  readonly processMetrics?: boolean;
}

/** A tunnel's traffic direction, as the `direction` label names it. */
export type TunnelDirection = "to_runner" | "to_client";

/** The state of a node for `hakuriver_nodes`: drained wins over online; a node whose runner is not connected is offline. */
export function nodeMetricState(status: NodeStatusName | undefined, drained: boolean): NodeMetricState {
  if (status !== "connected") return "offline";
  return drained ? "drained" : "online";
}

/** The Host's metrics; see the file comment. */
export class HostMetrics {
  /** The registry /metrics renders. */
  readonly registry = new Registry();
  private readonly tasks = new TaskCounts();
  private readonly runners = new RunnerFigureStore();
  private readonly rpcs: Counter<"service" | "method" | "code">;
  private readonly waitSeconds: Histogram<"kind">;
  private readonly runSeconds: Histogram<"kind" | "status">;
  private readonly commitSeconds: Histogram;
  private readonly commitGroupSize: Histogram;
  private readonly tunnelBytes: Counter<"direction">;
  private openTunnels = 0;
  /** Hears of port forwards (ForwardPort): their connections and bytes, apart from SSH tunnels. */
  readonly forwards: TunnelMeter;

  constructor(deps: HostMetricsDeps) {
    const registers = [this.registry];
    const { tasks } = this;
    const taskGauge = new Gauge({
      name: "hakuriver_tasks",
      help: "Tasks stored on the Host, by status and kind (command or vps).",
      labelNames: ["status", "kind"] as const,
      registers,
      collect: () => {
        for (const status of STATUS_NAMES) for (const kind of TASK_KINDS) taskGauge.set({ status, kind }, 0);
        for (const { status, kind, count } of tasks.all()) taskGauge.set({ status, kind }, count);
      },
    });
    new Gauge({
      name: "hakuriver_queue_depth",
      help: "Tasks waiting to be placed on a node (status pending, not waiting for dependencies).",
      registers,
      collect() {
        this.set(tasks.queueDepth);
      },
    });
    new Gauge({
      name: "hakuriver_tasks_awaiting_dependencies",
      help: "Pending tasks that wait for their dependencies to end before they can be placed.",
      registers,
      collect() {
        this.set(tasks.awaitingDependencies);
      },
    });
    new Gauge({
      name: "hakuriver_queue_oldest_wait_seconds",
      help: "How long the oldest task in the queue has waited since it was submitted, in seconds; 0 with an empty queue.",
      registers,
      collect() {
        this.set(tasks.oldestWaitMs(deps.now()) / 1000);
      },
    });
    this.waitSeconds = new Histogram({
      name: "hakuriver_task_wait_seconds",
      help: "Time from a task's submission to its first running, in seconds, by kind.",
      labelNames: ["kind"] as const,
      buckets: TASK_SECONDS_BUCKETS,
      registers,
    });
    this.runSeconds = new Histogram({
      name: "hakuriver_task_run_seconds",
      help: "Time from a task's start to its final status, in seconds, by kind and final status (tasks that never ran are not counted).",
      labelNames: ["kind", "status"] as const,
      buckets: TASK_SECONDS_BUCKETS,
      registers,
    });
    this.rpcs = new Counter({
      name: "hakuriver_rpcs_total",
      help: "RPCs the Host answered, by service, method and result code (ok, or the Connect/gRPC error code), counted when the call (or stream) ends.",
      labelNames: ["service", "method", "code"] as const,
      registers,
    });
    const nodeGauge = new Gauge({
      name: "hakuriver_nodes",
      help: "Nodes by state: online (runner connected), drained (connected, taking no new tasks), offline (runner not connected).",
      labelNames: ["state"] as const,
      registers,
      collect: () => {
        const counts: Record<NodeMetricState, number> = { online: 0, offline: 0, drained: 0 };
        for (const node of deps.nodes.all()) counts[nodeMetricState(deps.nodes.status(node.name), node.drained)] += 1;
        for (const [state, count] of Object.entries(counts)) nodeGauge.set({ state }, count);
      },
    });
    const heartbeatAge = new Gauge({
      name: "hakuriver_node_heartbeat_age_seconds",
      help: "Seconds since each node's last heartbeat (or its runner's hello); grows while a node is offline.",
      labelNames: ["node"] as const,
      registers,
      collect: () => {
        heartbeatAge.reset();
        const now = deps.now();
        for (const node of deps.nodes.all()) heartbeatAge.set({ node: node.name }, Math.max(0, now - node.lastHeartbeat) / 1000);
      },
    });
    const openTunnels = () => this.openTunnels;
    new Gauge({
      name: "hakuriver_tunnel_sessions",
      help: "SSH sessions relayed through the Host's SSH proxy to a runner now.",
      registers,
      collect() {
        this.set(openTunnels());
      },
    });
    this.tunnelBytes = new Counter({
      name: "hakuriver_tunnel_bytes_total",
      help: "Bytes relayed by SSH tunnels, by direction (to_runner: from the SSH client; to_client: from the runner).",
      labelNames: ["direction"] as const,
      registers,
    });
    this.forwards = forwardMeter(registers);
    this.commitSeconds = new Histogram({
      name: "hakuriver_sqlite_commit_seconds",
      help: "Time of each group commit to SQLite (BEGIN to COMMIT returned, fsync included), in seconds.",
      buckets: COMMIT_SECONDS_BUCKETS,
      registers,
    });
    this.commitGroupSize = new Histogram({
      name: "hakuriver_sqlite_commit_group_size",
      help: "Writers (submissions and other grouped writes) that shared one SQLite commit.",
      buckets: COMMIT_GROUP_BUCKETS,
      registers,
    });
    registerRunnerSeries(this.registry, this.runners);
    if (deps.processMetrics ?? true) collectDefaultMetrics({ register: this.registry, prefix: "hakuriver_host_" });
  }

  /** Seeds the task counts, the queue and the tasks waiting for dependencies from the store (once, at start). */
  seedTasks(counts: readonly StatusKindCount[], queued: readonly { taskId: number; submittedAt: number }[], awaiting: readonly number[] = []): void {
    this.tasks.seed(counts, queued, awaiting);
  }

  /** Counts tasks just created (and stored). */
  tasksCreated(tasks: readonly TaskRecord[]): void {
    this.tasks.created(tasks);
  }

  /** Counts a stored change of a task; observes its wait when it first runs and its run time when it ends. */
  taskChanged(before: TaskRecord, after: TaskRecord): void {
    this.tasks.changed(before, after);
    if (before.startedAt === null && after.startedAt !== null) {
      this.waitSeconds.observe({ kind: after.kind }, Math.max(0, after.startedAt - after.submittedAt) / 1000);
    }
    if (!isFinal(before.status) && isFinal(after.status) && after.startedAt !== null && after.completedAt !== null) {
      this.runSeconds.observe({ kind: after.kind, status: after.status }, Math.max(0, after.completedAt - after.startedAt) / 1000);
    }
  }

  /** Counts an RPC that ended with `code` ("ok" or a Connect code name). */
  rpcEnded(service: string, method: string, code: string): void {
    this.rpcs.inc({ service, method, code });
  }

  /** Observes one group commit: its time (seconds) and how many writers it held. */
  commitObserved(seconds: number, members: number): void {
    this.commitSeconds.observe(seconds);
    this.commitGroupSize.observe(members);
  }

  /** Keeps a heartbeat's runner figures as the node's latest. */
  runnerFigures(node: string, figures: RunnerFigures): void {
    this.runners.record(node, figures);
  }

  /** A tunnel began relaying. */
  tunnelOpened(): void {
    this.openTunnels += 1;
  }

  /** A tunnel stopped relaying. */
  tunnelClosed(): void {
    this.openTunnels = Math.max(0, this.openTunnels - 1);
  }

  /** Counts bytes a tunnel relayed in `direction`. */
  tunnelRelayed(direction: TunnelDirection, bytes: number): void {
    this.tunnelBytes.inc({ direction }, bytes);
  }

  /** The exposition text (Prometheus text format 0.0.4). */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  /** The Content-Type of {@link render}'s text. */
  get contentType(): string {
    return this.registry.contentType;
  }
}

/** The forward metrics: connections open now and bytes by direction. */
function forwardMeter(registers: Registry[]): TunnelMeter {
  let open = 0;
  new Gauge({
    name: "hakuriver_forward_connections",
    help: "TCP connections carried by port forwards (hakuriver forward) to a runner now.",
    registers,
    collect() {
      this.set(open);
    },
  });
  const bytes = new Counter({
    name: "hakuriver_forward_bytes_total",
    help: "Bytes relayed by port forwards, by direction (to_runner: from the client; to_client: from the task).",
    labelNames: ["direction"] as const,
    registers,
  });
  return {
    tunnelOpened: () => void (open += 1),
    tunnelClosed: () => void (open = Math.max(0, open - 1)),
    tunnelRelayed: (direction, count) => bytes.inc({ direction }, count),
  };
}
