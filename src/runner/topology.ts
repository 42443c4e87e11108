/**
 * Machine resources and load: cores, memory, NUMA nodes (from
 * /sys/devices/system/node), temperatures, CPU use between calls.
 */
import { readFileSync, readdirSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { join } from "node:path";
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { NumaNodeSchema, UsageSchema } from "../../gen/hakuriver/v1/types_pb.js";

/** Expands a kernel CPU list such as `0-3,8,10-11`. */
export function parseCpuList(text: string): number[] {
  const cores: number[] = [];
  for (const part of text.trim().split(",")) {
    if (part === "") continue;
    const [a, b] = part.split("-").map(Number);
    if (a === undefined || !Number.isInteger(a)) continue;
    for (let c = a; c <= (b ?? a); c++) cores.push(c);
  }
  return cores;
}

/** Reads NUMA nodes from sysfs (`root` is injectable for tests); [] when absent. */
export function detectNuma(root = "/sys/devices/system/node"): MessageInitShape<typeof NumaNodeSchema>[] {
  try {
    return readdirSync(root)
      .filter((name) => /^node\d+$/.test(name))
      .map((name) => {
        const id = Number(name.slice(4));
        const cores = parseCpuList(readFileSync(join(root, name, "cpulist"), "utf8"));
        const meminfo = readFileSync(join(root, name, "meminfo"), "utf8");
        const kb = /MemTotal:\s+(\d+)\s*kB/.exec(meminfo)?.[1];
        return { id, cores, memoryBytes: BigInt(Number(kb ?? 0) * 1024) };
      })
      .sort((a, b) => a.id - b.id);
  } catch {
    return [];
  }
}

/** Bytes of memory in use: MemTotal − MemAvailable from /proc/meminfo. */
export function memoryUsedBytes(): number {
  try {
    const text = readFileSync("/proc/meminfo", "utf8");
    const total = Number(/MemTotal:\s+(\d+)/.exec(text)?.[1] ?? 0);
    const available = Number(/MemAvailable:\s+(\d+)/.exec(text)?.[1] ?? 0);
    return (total - available) * 1024;
  } catch {
    return 0;
  }
}

/** CPU temperatures in °C from thermal zones; [] when none are readable. */
export function temperatures(root = "/sys/class/thermal"): number[] {
  try {
    return readdirSync(root)
      .filter((name) => name.startsWith("thermal_zone"))
      .map((name) => Number(readFileSync(join(root, name, "temp"), "utf8")) / 1000)
      .filter((t) => Number.isFinite(t) && t > 0);
  } catch {
    return [];
  }
}

/** Measures CPU use as the busy share of time since the previous call. */
export class CpuMeter {
  private last = this.snapshot();

  private snapshot(): { idle: number; total: number } {
    let idle = 0;
    let total = 0;
    for (const cpu of cpus()) {
      const t = cpu.times;
      idle += t.idle;
      total += t.user + t.nice + t.sys + t.idle + t.irq;
    }
    return { idle, total };
  }

  /** Percent busy since the last call (0–100). */
  percent(): number {
    const now = this.snapshot();
    const total = now.total - this.last.total;
    const idle = now.idle - this.last.idle;
    this.last = now;
    return total > 0 ? Math.max(0, Math.min(100, ((total - idle) / total) * 100)) : 0;
  }
}

/** The machine's load now, for a heartbeat. */
export function readUsage(meter: CpuMeter, gpus: MessageInitShape<typeof UsageSchema>["gpus"] = []): MessageInitShape<typeof UsageSchema> {
  const temps = temperatures();
  return {
    cpuPercent: meter.percent(),
    memoryUsedBytes: BigInt(memoryUsedBytes()),
    memoryTotalBytes: BigInt(totalmem()),
    load1m: loadavg()[0] ?? 0,
    avgTempC: temps.length > 0 ? temps.reduce((a, b) => a + b, 0) / temps.length : undefined,
    maxTempC: temps.length > 0 ? Math.max(...temps) : undefined,
    gpus,
  };
}
