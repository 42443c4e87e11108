/**
 * GPU detection from `nvidia-smi --query-gpu=... --format=csv,noheader,nounits`.
 * No nvidia-smi (or a failing one) means no GPUs, never an error. The parser
 * takes real output as it comes: `[N/A]`, `[Not Supported]` and other
 * bracketed words for unknown readings, units left on, several GPUs, and
 * names with spaces or even commas (nvidia-smi never quotes).
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { GpuSchema } from "../../gen/hakuriver/v1/types_pb.js";

const run = promisify(execFile);

/** The fields asked of nvidia-smi, in column order. */
export const NVIDIA_SMI_QUERY =
  "index,name,uuid,memory.total,memory.used,utilization.gpu,temperature.gpu,power.draw,power.limit";

/** A GPU as the wire carries it; -1 marks an unknown reading. */
export type GpuInit = MessageInitShape<typeof GpuSchema>;

/** Columns after the name: uuid and six readings. */
const TAIL_COLUMNS = 7;

/** A number from a reading such as `81559`, `81559 MiB`, `69.54 W` or `35 %`; -1 for `[N/A]`, `[Not Supported]`, `N/A` or empty. */
export function parseReading(text: string | undefined): number {
  const match = /^\s*(-?\d+(?:\.\d+)?)(?:\s*[A-Za-z%°]+)?\s*$/.exec(text ?? "");
  return match ? Number(match[1]) : -1;
}

function mib(text: string | undefined): bigint {
  const value = parseReading(text);
  return BigInt(value < 0 ? -1 : Math.round(value));
}

/** Parses one line; undefined when it is not a GPU row (a header, an error message, a blank). */
function parseLine(line: string): GpuInit | undefined {
  const raw = line.split(",");
  const cols = raw.map((c) => c.trim());
  if (cols.length < 3 || !/^\d+$/.test(cols[0] ?? "")) return undefined;
  let uuidAt: number;
  if (cols.length >= 2 + TAIL_COLUMNS) {
    // The tail has a fixed width, so whatever lies between index and uuid is the name.
    uuidAt = cols.length - TAIL_COLUMNS;
    if (!/^(GPU|MIG)-/i.test(cols[uuidAt] ?? "")) uuidAt = cols.findIndex((c, i) => i >= 2 && /^(GPU|MIG)-/i.test(c));
    if (uuidAt < 2) uuidAt = 2;
  } else {
    // A short row (an older driver leaving fields off): trust the uuid's prefix if present.
    const found = cols.findIndex((c, i) => i >= 2 && /^(GPU|MIG)-/i.test(c));
    uuidAt = found >= 2 ? found : 2;
  }
  const readings = cols.slice(uuidAt + 1);
  return {
    index: Number(cols[0]),
    name: raw.slice(1, uuidAt).join(",").trim(),
    uuid: cols[uuidAt] ?? "",
    memoryTotalMib: mib(readings[0]),
    memoryUsedMib: mib(readings[1]),
    utilizationPercent: parseReading(readings[2]),
    temperatureC: parseReading(readings[3]),
    powerDrawW: parseReading(readings[4]),
    powerLimitW: parseReading(readings[5]),
  };
}

/** Parses nvidia-smi's CSV (one GPU a line); lines that are not GPU rows are skipped, duplicates of an index keep the first. */
export function parseNvidiaSmi(csv: string): GpuInit[] {
  const gpus: GpuInit[] = [];
  for (const line of csv.split(/\r?\n/)) {
    const gpu = line.trim() === "" ? undefined : parseLine(line);
    if (gpu && !gpus.some((g) => g.index === gpu.index)) gpus.push(gpu);
  }
  return gpus.sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
}

/** Queries nvidia-smi on PATH; [] when it is absent or fails. */
export async function detectGpus(timeoutMs = 10_000): Promise<GpuInit[]> {
  try {
    const { stdout } = await run("nvidia-smi", [`--query-gpu=${NVIDIA_SMI_QUERY}`, "--format=csv,noheader,nounits"], { timeout: timeoutMs });
    return parseNvidiaSmi(stdout);
  } catch {
    return [];
  }
}

/**
 * GPU readings for heartbeats without blocking them: `latest()` returns the
 * last readings at once and starts a refresh when they are older than
 * `minIntervalMs` (one query at a time, so a slow nvidia-smi never piles up).
 */
export class GpuSampler {
  private readings: GpuInit[] = [];
  private takenAt = -Infinity;
  private inFlight = false;

  constructor(
    private readonly minIntervalMs = 5000,
    private readonly query: () => Promise<GpuInit[]> = () => detectGpus(),
    private readonly now: () => number = Date.now,
  ) {}

  /** The most recent readings ([] until the first query answers, or without GPUs). */
  latest(): GpuInit[] {
    if (!this.inFlight && this.now() - this.takenAt >= this.minIntervalMs) {
      this.inFlight = true;
      this.takenAt = this.now();
      this.query()
        .then((gpus) => (this.readings = gpus), () => undefined)
        .finally(() => (this.inFlight = false));
    }
    return this.readings;
  }
}
