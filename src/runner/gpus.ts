/**
 * GPU detection from `nvidia-smi --query-gpu=... --format=csv,noheader,nounits`.
 * No nvidia-smi (or a failing one) means no GPUs, never an error.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { GpuSchema } from "../../gen/hakuriver/v1/types_pb.js";

const run = promisify(execFile);

/** The fields asked of nvidia-smi, in column order. */
export const NVIDIA_SMI_QUERY =
  "index,name,uuid,memory.total,memory.used,utilization.gpu,temperature.gpu,power.draw,power.limit";

type GpuInit = MessageInitShape<typeof GpuSchema>;

function reading(text: string | undefined): number {
  const value = Number((text ?? "").trim());
  // "[N/A]", "[Not Supported]", "N/A" and empty all mean unknown.
  return (text ?? "").trim() === "" || !Number.isFinite(value) ? -1 : value;
}

/** Parses nvidia-smi's CSV (one GPU a line); malformed lines are skipped. */
export function parseNvidiaSmi(csv: string): GpuInit[] {
  const gpus: GpuInit[] = [];
  for (const line of csv.split(/\r?\n/)) {
    if (line.trim() === "") continue;
    const cols = line.split(",").map((c) => c.trim());
    const index = Number(cols[0]);
    if (cols.length < 3 || !Number.isInteger(index)) continue;
    gpus.push({
      index,
      name: cols[1] ?? "",
      uuid: cols[2] ?? "",
      memoryTotalMib: BigInt(Math.max(-1, Math.round(reading(cols[3])))),
      memoryUsedMib: BigInt(Math.max(-1, Math.round(reading(cols[4])))),
      utilizationPercent: reading(cols[5]),
      temperatureC: reading(cols[6]),
      powerDrawW: reading(cols[7]),
      powerLimitW: reading(cols[8]),
    });
  }
  return gpus;
}

/** Queries nvidia-smi on PATH; [] when it is absent or fails. */
export async function detectGpus(timeoutMs = 5000): Promise<GpuInit[]> {
  try {
    const { stdout } = await run("nvidia-smi", [`--query-gpu=${NVIDIA_SMI_QUERY}`, "--format=csv,noheader,nounits"], { timeout: timeoutMs });
    return parseNvidiaSmi(stdout);
  } catch {
    return [];
  }
}
