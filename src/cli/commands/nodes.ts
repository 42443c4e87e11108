/**
 * `hakuriver nodes`, `hakuriver health [NODE]`, `hakuriver node drain|undrain NAME`.
 */
import type { Argv } from "yargs";
import type { Node } from "../../../gen/hakuriver/v1/types_pb.js";
import { formatBytes, formatCores } from "../../shared/units.js";
import { clientContext, type GlobalArgs } from "../context.js";
import { healthJson, nodeJson, printJson } from "../json-shapes.js";
import { formatTime, keyValues, nodeStatusCell, table } from "../render.js";

function reading(value: number | bigint, unit: string): string {
  return Number(value) < 0 ? "-" : `${Number(value)}${unit}`;
}

/** One line per detected GPU (and NUMA node), for nodes that have them: what a person checks at a glance. */
export function deviceLines(nodes: readonly Node[]): string[] {
  const lines: string[] = [];
  for (const n of nodes) {
    const numa = n.resources?.numaNodes ?? [];
    if (numa.length > 1) {
      lines.push(`${n.name} NUMA: ${numa.map((x) => `node ${x.id} cores ${cpuRanges(x.cores)} ${formatBytes(Number(x.memoryBytes))}`).join("; ")}`);
    }
    // Heartbeat readings are the freshest; the hello's detection is the fallback.
    const gpus = (n.usage?.gpus.length ?? 0) > 0 ? n.usage!.gpus : (n.resources?.gpus ?? []);
    for (const g of gpus) {
      const busy = n.gpusInUse.includes(g.index) ? "in use" : "free";
      lines.push(
        `${n.name} GPU ${g.index}: ${g.name || "?"} ${g.uuid} mem ${reading(g.memoryUsedMib, "")}/${reading(g.memoryTotalMib, " MiB")} ` +
          `util ${reading(g.utilizationPercent, "%")} temp ${reading(g.temperatureC, " °C")} power ${reading(g.powerDrawW, "")}/${reading(g.powerLimitW, " W")} (${busy})`,
      );
    }
  }
  return lines;
}

/** `0,1,2,3,8` → `0-3,8`. */
function cpuRanges(cores: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < cores.length; i++) {
    let j = i;
    while (j + 1 < cores.length && cores[j + 1] === cores[j]! + 1) j++;
    parts.push(j > i ? `${cores[i]}-${cores[j]}` : String(cores[i]));
    i = j;
  }
  return parts.join(",");
}

function nodeTable(nodes: readonly Node[]): string {
  return table(
    ["NODE", "STATUS", "CORES", "MEMORY", "NUMA", "GPUS USED", "CPU%", "MEM%", "TASKS", "LAST HEARTBEAT"],
    nodes.map((n) => {
      const r = n.resources;
      const u = n.usage;
      const memTotal = Number(u?.memoryTotalBytes ?? 0n);
      return [
        n.name,
        nodeStatusCell(n.status, n.drained),
        `${formatCores(n.coresInUse)}/${r?.cores ?? 0}`,
        `${formatBytes(Number(n.memoryInUseBytes))}/${formatBytes(Number(r?.memoryBytes ?? 0n))}`,
        String(r?.numaNodes.length ?? 0),
        (r?.gpus.length ?? 0) > 0 ? `${n.gpusInUse.length}/${r!.gpus.length}` : "0",
        (u?.cpuPercent ?? 0).toFixed(1),
        memTotal > 0 ? ((Number(u?.memoryUsedBytes ?? 0n) / memTotal) * 100).toFixed(1) : "-",
        String(n.activeTaskIds.length),
        formatTime(n.lastHeartbeat),
      ];
    }),
  );
}

async function nodes(args: GlobalArgs): Promise<number> {
  const ctx = clientContext(args);
  const response = await ctx.client.listNodes({});
  if (ctx.json) printJson(response.nodes.map(nodeJson));
  else if (response.nodes.length === 0) console.log("No nodes have registered yet.");
  else {
    console.log(nodeTable(response.nodes));
    const devices = deviceLines(response.nodes);
    if (devices.length > 0) console.log(`\n${devices.join("\n")}`);
  }
  return 0;
}

async function health(args: GlobalArgs & { node?: string }): Promise<number> {
  const ctx = clientContext(args);
  const response = await ctx.client.health({ node: args.node ?? "" });
  if (ctx.json) {
    printJson(healthJson(response));
    return 0;
  }
  const a = response.aggregate;
  const cpuHistory = response.history.map((s) => s.aggregate?.avgCpuPercent ?? 0);
  const cpuAvg60 = cpuHistory.length > 0 ? cpuHistory.reduce((x, y) => x + y, 0) / cpuHistory.length : 0;
  console.log(
    keyValues([
      ["Nodes", `${a?.onlineNodes ?? 0} online of ${a?.totalNodes ?? 0}`],
      ["Cores", String(a?.totalCores ?? 0)],
      ["Memory", `${formatBytes(Number(a?.usedMemoryBytes ?? 0n))} used of ${formatBytes(Number(a?.totalMemoryBytes ?? 0n))}`],
      ["CPU", `${(a?.avgCpuPercent ?? 0).toFixed(1)}% now, ${cpuAvg60.toFixed(1)}% over the last ${cpuHistory.length} s`],
      ["Max temperature", a?.maxTempC === undefined ? "-" : `${a.maxTempC.toFixed(1)} °C`],
      ["Tasks", `${a?.runningTasks ?? 0} running, ${a?.pendingTasks ?? 0} waiting`],
    ]),
  );
  if (response.nodes.length > 0) console.log(`\n${nodeTable(response.nodes)}`);
  return 0;
}

async function drain(args: GlobalArgs & { name: string }, drained: boolean): Promise<number> {
  const ctx = clientContext(args);
  const response = drained ? await ctx.client.drainNode({ node: args.name }) : await ctx.client.undrainNode({ node: args.name });
  if (ctx.json) printJson(response.node ? nodeJson(response.node) : null);
  else console.log(`Node ${args.name} is ${drained ? "drained: it takes no new work" : "undrained: it takes new work again"}`);
  return 0;
}

/** Registers `nodes`, `health` and `node`. */
export function nodeCommands(y: Argv<GlobalArgs>, run: (fn: () => Promise<number>) => Promise<void>): Argv<GlobalArgs> {
  return y
    .command("nodes", "list nodes with their resources and load", (s) => s, (a) => run(() => nodes(a)))
    .command("health [node]", "cluster health now and over the last 60 s", (s) => s.positional("node", { type: "string" }), (a) => run(() => health(a)))
    .command("node", "drain or undrain a node", (n) =>
      n
        .command("drain <name>", "stop placing new work on a node (running work finishes)", (s) => s.positional("name", { type: "string", demandOption: true }), (a) => run(() => drain(a, true)))
        .command("undrain <name>", "let a drained node take new work again", (s) => s.positional("name", { type: "string", demandOption: true }), (a) => run(() => drain(a, false)))
        .demandCommand(1, "name a node command: drain or undrain"),
    );
}
