/**
 * The runners' own figures (RunnerHeartbeat.figures) as series with a
 * `node` label: the latest heartbeat's figures per node are kept in memory
 * and rendered at scrape time, so the Host's /metrics covers every runner
 * with no port opened on one. A node whose runner went away keeps its last
 * figures (its counters do not vanish); a runner that restarted starts its
 * counts from zero, which Prometheus reads as a counter reset.
 */
import type { Registry } from "prom-client";
import type { RunnerFigures } from "../../../gen/hakuriver/v1/runner_pb.js";
import { SampledMetric, type Sample, type SampledType } from "./sampled-metric.js";

/** The latest figures per node. */
export class RunnerFigureStore {
  private readonly byNode = new Map<string, RunnerFigures>();

  /** Keeps a heartbeat's figures as the node's latest. */
  record(node: string, figures: RunnerFigures): void {
    this.byNode.set(node, figures);
  }

  /** Every node's latest figures, by node name. */
  entries(): [string, RunnerFigures][] {
    return [...this.byNode.entries()].sort(([a], [b]) => a.localeCompare(b));
  }
}

/** One per-node value of a runner's figures. */
type Reading = (figures: RunnerFigures) => number;

const PER_NODE: readonly { name: string; type: SampledType; help: string; pick: Reading; skip?: (figures: RunnerFigures) => boolean }[] = [
  { name: "hakuriver_runner_spawn_failures_total", type: "counter", help: "Tasks the runner's executor failed to start, since the runner process started.", pick: (f) => Number(f.spawnFailures) },
  { name: "hakuriver_runner_image_loads_total", type: "counter", help: "Environment tarballs the runner loaded into Docker from shared storage, since the runner process started.", pick: (f) => Number(f.imageLoads) },
  { name: "hakuriver_runner_image_load_seconds_total", type: "counter", help: "Seconds the runner spent loading environment tarballs into Docker, since the runner process started.", pick: (f) => f.imageLoadSecondsSum },
  { name: "hakuriver_runner_open_descriptors", type: "gauge", help: "File descriptors the runner process holds (absent where it cannot count them).", pick: (f) => f.openDescriptors, skip: (f) => f.openDescriptors < 0 },
  { name: "hakuriver_runner_resident_memory_bytes", type: "gauge", help: "Resident memory of the runner process, in bytes.", pick: (f) => Number(f.residentMemoryBytes) },
  { name: "hakuriver_runner_cpu_seconds_total", type: "counter", help: "CPU time (user plus system) the runner process used, in seconds.", pick: (f) => f.cpuSeconds },
  { name: "hakuriver_runner_active_tasks", type: "gauge", help: "Tasks the runner holds that have not ended, as its last heartbeat said.", pick: (f) => f.activeTasks },
];

/** The spawn-time histogram's samples for one node, from its cumulative buckets. */
function spawnSamples(node: string, figures: RunnerFigures): Sample[] {
  const samples: Sample[] = figures.spawnBucketBoundsSeconds.map((bound, index) => ({
    labels: { node, le: bound },
    value: Number(figures.spawnBucketCounts[index] ?? 0n),
    suffix: "_bucket",
  }));
  samples.push({ labels: { node, le: "+Inf" }, value: Number(figures.spawnCount), suffix: "_bucket" });
  samples.push({ labels: { node }, value: figures.spawnSecondsSum, suffix: "_sum" });
  samples.push({ labels: { node }, value: Number(figures.spawnCount), suffix: "_count" });
  return samples;
}

/** Registers the runner series on `registry`, read from `store` at each scrape. */
export function registerRunnerSeries(registry: Registry, store: RunnerFigureStore): void {
  registry.registerMetric(
    new SampledMetric({
      name: "hakuriver_runner_spawn_seconds",
      help: "Time a runner took to start a task: from asking its executor (native spawn, container create and start) to the task running, in seconds.",
      type: "histogram",
      samples: () => store.entries().flatMap(([node, figures]) => spawnSamples(node, figures)),
    }).asMetric(),
  );
  for (const series of PER_NODE) {
    registry.registerMetric(
      new SampledMetric({
        name: series.name,
        help: series.help,
        type: series.type,
        samples: () => store.entries().filter(([, figures]) => !series.skip?.(figures)).map(([node, figures]) => ({ labels: { node }, value: series.pick(figures) })),
      }).asMetric(),
    );
  }
}
