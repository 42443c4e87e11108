import { test } from "node:test";
import assert from "node:assert/strict";
import { GpuSampler, parseNvidiaSmi, parseReading, type GpuInit } from "../../src/runner/gpus.js";

// Recorded-style output of
// nvidia-smi --query-gpu=index,name,uuid,memory.total,memory.used,utilization.gpu,temperature.gpu,power.draw,power.limit --format=csv,noheader,nounits
const H100_X4 = [
  "0, NVIDIA H100 80GB HBM3, GPU-2b3c4d5e-6f70-8192-a3b4-c5d6e7f80912, 81559, 0, 0, 33, 71.42, 700.00",
  "1, NVIDIA H100 80GB HBM3, GPU-3c4d5e6f-7081-92a3-b4c5-d6e7f8091234, 81559, 72350, 98, 61, 652.18, 700.00",
  "2, NVIDIA H100 80GB HBM3, GPU-4d5e6f70-8192-a3b4-c5d6-e7f809123456, 81559, 4, 0, 30, 69.80, 700.00",
  "3, NVIDIA H100 80GB HBM3, GPU-5e6f7081-92a3-b4c5-d6e7-f80912345678, 81559, 4, 0, 31, 70.05, 700.00",
  "",
].join("\n");

// A100 in MIG mode reports [N/A] utilization; a PCIe card without power readings says [Not Supported].
const A100_MIXED = [
  "0, NVIDIA A100-SXM4-40GB, GPU-aaaaaaaa-1111-2222-3333-444444444444, 40960, 13, [N/A], 29, 54.10, 400.00",
  "1, NVIDIA A100 80GB PCIe, GPU-bbbbbbbb-1111-2222-3333-444444444444, 81920, 0, 0, 38, [Not Supported], [Not Supported]",
].join("\r\n");

// A consumer card, units left on (no "nounits"), and a name with a comma.
const RTX_UNITS = "0, NVIDIA GeForce RTX 4090, GPU-cccccccc-1111-2222-3333-444444444444, 24564 MiB, 1024 MiB, 35 %, 45, 120.55 W, 450.00 W\n";
const COMMA_NAME = "0, Tesla V100-SXM2-16GB, rev 2, GPU-dddddddd-1111-2222-3333-444444444444, 16160, 0, 0, 36, 42.00, 300.00\n";

test("parseNvidiaSmi: four H100s with every reading", () => {
  const gpus = parseNvidiaSmi(H100_X4);
  assert.equal(gpus.length, 4);
  assert.deepEqual(gpus.map((g) => g.index), [0, 1, 2, 3]);
  const g1 = gpus[1]!;
  assert.equal(g1.name, "NVIDIA H100 80GB HBM3");
  assert.equal(g1.uuid, "GPU-3c4d5e6f-7081-92a3-b4c5-d6e7f8091234");
  assert.equal(g1.memoryTotalMib, 81559n);
  assert.equal(g1.memoryUsedMib, 72350n);
  assert.equal(g1.utilizationPercent, 98);
  assert.equal(g1.temperatureC, 61);
  assert.equal(g1.powerDrawW, 652.18);
  assert.equal(g1.powerLimitW, 700);
});

test("parseNvidiaSmi: [N/A] and [Not Supported] become -1, CRLF lines are fine", () => {
  const [a, b] = parseNvidiaSmi(A100_MIXED) as [GpuInit, GpuInit];
  assert.equal(a.name, "NVIDIA A100-SXM4-40GB");
  assert.equal(a.utilizationPercent, -1);
  assert.equal(a.powerDrawW, 54.1);
  assert.equal(b.name, "NVIDIA A100 80GB PCIe");
  assert.equal(b.memoryTotalMib, 81920n);
  assert.equal(b.powerDrawW, -1);
  assert.equal(b.powerLimitW, -1);
  assert.equal(b.temperatureC, 38);
});

test("parseNvidiaSmi: units left on are read, names with commas are kept whole", () => {
  const [rtx] = parseNvidiaSmi(RTX_UNITS) as [GpuInit];
  assert.equal(rtx.name, "NVIDIA GeForce RTX 4090");
  assert.equal(rtx.memoryTotalMib, 24564n);
  assert.equal(rtx.memoryUsedMib, 1024n);
  assert.equal(rtx.utilizationPercent, 35);
  assert.equal(rtx.powerDrawW, 120.55);
  assert.equal(rtx.powerLimitW, 450);
  const [v100] = parseNvidiaSmi(COMMA_NAME) as [GpuInit];
  assert.equal(v100.name, "Tesla V100-SXM2-16GB, rev 2");
  assert.equal(v100.uuid, "GPU-dddddddd-1111-2222-3333-444444444444");
  assert.equal(v100.memoryTotalMib, 16160n);
  assert.equal(v100.powerLimitW, 300);
});

test("parseNvidiaSmi: headers, driver errors and blank output give no GPUs", () => {
  assert.deepEqual(parseNvidiaSmi(""), []);
  assert.deepEqual(parseNvidiaSmi("No devices were found\n"), []);
  assert.deepEqual(
    parseNvidiaSmi("NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running.\n"),
    [],
  );
  const withHeader = `index, name, uuid, memory.total [MiB], memory.used [MiB], utilization.gpu [%], temperature.gpu, power.draw [W], power.limit [W]\n${H100_X4}`;
  assert.equal(parseNvidiaSmi(withHeader).length, 4);
});

test("parseNvidiaSmi: a short row (fields missing) keeps what it has, unknown readings -1", () => {
  const [gpu] = parseNvidiaSmi("2, Quadro RTX 8000, GPU-eeeeeeee-1111-2222-3333-444444444444, 48601\n") as [GpuInit];
  assert.equal(gpu.index, 2);
  assert.equal(gpu.name, "Quadro RTX 8000");
  assert.equal(gpu.memoryTotalMib, 48601n);
  assert.equal(gpu.memoryUsedMib, -1n);
  assert.equal(gpu.temperatureC, -1);
});

test("parseReading: numbers with or without units; anything else is -1", () => {
  assert.equal(parseReading("81559"), 81559);
  assert.equal(parseReading(" 69.54 W "), 69.54);
  assert.equal(parseReading("35 %"), 35);
  for (const unknown of ["[N/A]", "N/A", "[Not Supported]", "[Unknown Error]", "", undefined, "ERR!"]) assert.equal(parseReading(unknown), -1);
});

test("GpuSampler: returns the last readings at once and refreshes at most once per interval", async () => {
  let now = 0;
  let calls = 0;
  const sampler = new GpuSampler(1000, async () => {
    calls++;
    return parseNvidiaSmi(H100_X4).slice(0, calls);
  }, () => now);
  assert.deepEqual(sampler.latest(), []);
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(sampler.latest().length, 1);
  now = 500;
  sampler.latest();
  assert.equal(calls, 1);
  now = 1000;
  sampler.latest();
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(calls, 2);
  assert.equal(sampler.latest().length, 2);
});
