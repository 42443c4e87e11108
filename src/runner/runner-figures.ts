/**
 * The runner's own figures, counted in memory and sent with every heartbeat
 * (RunnerHeartbeat.figures), so the Host's /metrics covers the runner
 * without a port opened on it. Counts are cumulative since this process
 * started; readings (descriptors, memory, CPU) are taken per snapshot.
 */
import { readdirSync } from "node:fs";
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { RunnerFiguresSchema } from "../../gen/hakuriver/v1/runner_pb.js";

/** Upper bounds of the spawn-time histogram (seconds): native spawns take ~1 ms, container starts ~0.3–2 s. */
export const SPAWN_BUCKETS_SECONDS: readonly number[] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** Counts open descriptors; -1 where /proc/self/fd cannot be read (not Linux). */
export function countOpenDescriptors(): number {
  try {
    // The listing itself holds one descriptor while it reads.
    return Math.max(0, readdirSync("/proc/self/fd").length - 1);
  } catch {
    return -1;
  }
}

/** Figures of one runner process; see the file comment. */
export class RunnerFigures {
  private readonly spawnBuckets = SPAWN_BUCKETS_SECONDS.map(() => 0);
  private spawnCount = 0;
  private spawnSecondsSum = 0;
  private spawnFailures = 0;
  private imageLoads = 0;
  private imageLoadSecondsSum = 0;

  /** Counts a task its executor started, `seconds` after it was asked to. */
  spawned(seconds: number): void {
    this.spawnCount += 1;
    this.spawnSecondsSum += seconds;
    SPAWN_BUCKETS_SECONDS.forEach((bound, index) => {
      if (seconds <= bound) this.spawnBuckets[index]! += 1;
    });
  }

  /** Counts a task its executor failed to start. */
  spawnFailed(): void {
    this.spawnFailures += 1;
  }

  /** Counts an environment tarball loaded into Docker, taking `seconds`. */
  imageLoaded(seconds: number): void {
    this.imageLoads += 1;
    this.imageLoadSecondsSum += seconds;
  }

  /** The figures now, as the heartbeat carries them; `activeTasks` is what the supervisor holds. */
  snapshot(activeTasks: number): MessageInitShape<typeof RunnerFiguresSchema> {
    const cpu = process.cpuUsage();
    return {
      spawnBucketBoundsSeconds: [...SPAWN_BUCKETS_SECONDS],
      spawnBucketCounts: this.spawnBuckets.map(BigInt),
      spawnCount: BigInt(this.spawnCount),
      spawnSecondsSum: this.spawnSecondsSum,
      spawnFailures: BigInt(this.spawnFailures),
      imageLoads: BigInt(this.imageLoads),
      imageLoadSecondsSum: this.imageLoadSecondsSum,
      openDescriptors: countOpenDescriptors(),
      residentMemoryBytes: BigInt(process.memoryUsage.rss()),
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      activeTasks,
    };
  }
}
