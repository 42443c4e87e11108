/**
 * One sample of the cluster a second, the last 60 kept, for `hakuriver health`.
 */
import type { MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import type { ClusterAggregateSchema, HealthSampleSchema } from "../../../gen/hakuriver/v1/client_pb.js";
import type { Logger } from "pino";
import type { NodeRegistry } from "./node-registry.js";
import { nodeStatusEnum } from "./node-status.js";

type Aggregate = MessageInitShape<typeof ClusterAggregateSchema>;
type Sample = MessageInitShape<typeof HealthSampleSchema>;

/** Sums the online nodes' readings. */
export function aggregate(nodes: NodeRegistry, counts: { running: number; pending: number }): Aggregate {
  const all = nodes.all();
  const online = all.filter((n) => nodes.isOnline(n.name));
  const totalCores = online.reduce((sum, n) => sum + n.resources.cores, 0);
  const temps = online.map((n) => n.usage.maxTempC).filter((t): t is number => t !== undefined);
  const memTotal = online.reduce((sum, n) => sum + Number(n.resources.memoryBytes), 0);
  const memUsed = online.reduce((sum, n) => sum + Number(n.usage.memoryUsedBytes), 0);
  return {
    totalNodes: all.length,
    onlineNodes: online.length,
    totalCores,
    totalMemoryBytes: BigInt(memTotal),
    usedMemoryBytes: BigInt(memUsed),
    avgCpuPercent: totalCores > 0 ? online.reduce((sum, n) => sum + n.usage.cpuPercent * n.resources.cores, 0) / totalCores : 0,
    avgMemoryPercent: memTotal > 0 ? (memUsed / memTotal) * 100 : 0,
    maxTempC: temps.length > 0 ? Math.max(...temps) : undefined,
    runningTasks: counts.running,
    pendingTasks: counts.pending,
  };
}

/** A ring of the last `size` samples. */
export class HealthHistory {
  private readonly samples: Sample[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly nodes: NodeRegistry,
    private readonly counts: () => Promise<{ running: number; pending: number }>,
    private readonly now: () => number,
    private readonly log: Logger,
    private readonly size = 60,
  ) {}

  /** Samples every `intervalMs`; a failed sample is logged and skipped. */
  start(intervalMs = 1000): void {
    this.timer = setInterval(() => void this.sample().catch((error: unknown) => this.log.warn({ err: error instanceof Error ? error.message : String(error) }, "health sample failed")), intervalMs);
    this.timer.unref();
  }

  /** Stops sampling. */
  stop(): void {
    clearInterval(this.timer);
  }

  /** Takes one sample now. */
  async sample(): Promise<void> {
    const counts = await this.counts();
    this.samples.push({
      at: timestampFromMs(this.now()),
      aggregate: aggregate(this.nodes, counts),
      nodes: this.nodes.all().map((n) => ({
        name: n.name,
        status: nodeStatusEnum(this.nodes.status(n.name) ?? "disconnected"),
        cpuPercent: n.usage.cpuPercent,
        memoryPercent: Number(n.usage.memoryTotalBytes) > 0 ? (Number(n.usage.memoryUsedBytes) / Number(n.usage.memoryTotalBytes)) * 100 : 0,
      })),
    });
    if (this.samples.length > this.size) this.samples.shift();
  }

  /** Samples, oldest first. */
  history(): readonly Sample[] {
    return this.samples;
  }
}
