/**
 * Overview: the cluster at a glance (nodes online, cores and memory
 * reserved against what online nodes have, running and waiting tasks, GPUs
 * in use) and charts of each node's CPU and memory over the last 60 s.
 */
import type { AlignedData } from "uplot";
import { NodeStatus, TaskStatus } from "../../../gen/hakuriver/v1/types_pb.js";
import { Chart, Meter } from "../components.js";
import { now } from "../clock.js";
import { formatBytes } from "../format.js";
import { HISTORY_SECONDS, history, nodes, tasks, version } from "../live.js";

function Stat(props: { readonly label: string; readonly value: string; readonly testId: string }) {
  return (
    <div class="stat" data-testid={props.testId}>
      <div class="stat-value">{props.value}</div>
      <div class="stat-label">{props.label}</div>
    </div>
  );
}

/** Aligns every node's points on one time axis (seconds), for uPlot. */
function chartData(names: readonly string[], pick: "cpuPercent" | "memoryPercent", at: number): AlignedData {
  const start = Math.floor(at / 1000) - HISTORY_SECONDS;
  const seconds = Array.from({ length: HISTORY_SECONDS + 1 }, (_, index) => start + index);
  const series = names.map((name) => {
    const points = history.get(name) ?? [];
    let cursor = 0;
    let last: number | null = null;
    return seconds.map((second) => {
      while (cursor < points.length && points[cursor]!.at / 1000 <= second) {
        last = points[cursor]![pick];
        cursor += 1;
      }
      return last;
    });
  });
  return [seconds, ...series];
}

/** The overview page. */
export function OverviewPage() {
  void version.value;
  const all = [...nodes.values()];
  const online = all.filter((node) => node.status === NodeStatus.ONLINE);
  const totalCores = online.reduce((sum, node) => sum + (node.resources?.cores ?? 0), 0);
  const usedCores = online.reduce((sum, node) => sum + node.coresInUse, 0);
  const totalMemory = online.reduce((sum, node) => sum + Number(node.resources?.memoryBytes ?? 0n), 0);
  const usedMemory = online.reduce((sum, node) => sum + Number(node.memoryInUseBytes), 0);
  const totalGpus = online.reduce((sum, node) => sum + (node.resources?.gpus.length ?? 0), 0);
  const usedGpus = online.reduce((sum, node) => sum + node.gpusInUse.length, 0);
  let running = 0;
  let waiting = 0;
  for (const task of tasks.values()) {
    if (task.status === TaskStatus.RUNNING || task.status === TaskStatus.ASSIGNING) running += 1;
    else if (task.status === TaskStatus.PENDING) waiting += 1;
  }
  const names = all.map((node) => node.name).sort();
  const at = now.value;
  return (
    <section>
      <h1>Overview</h1>
      <div class="stats">
        <Stat testId="nodes-online" label="nodes online" value={`${online.length} / ${all.length}`} />
        <Stat testId="tasks-running" label="tasks running" value={String(running)} />
        <Stat testId="tasks-waiting" label="tasks waiting" value={String(waiting)} />
        <Stat testId="gpus-in-use" label="GPUs in use" value={`${usedGpus} / ${totalGpus}`} />
      </div>
      <div class="meters">
        <label>
          Cores reserved
          <Meter used={usedCores} total={totalCores} label={`${usedCores} / ${totalCores}`} />
        </label>
        <label>
          Memory reserved
          <Meter used={usedMemory} total={totalMemory} label={`${formatBytes(usedMemory)} / ${formatBytes(totalMemory)}`} />
        </label>
      </div>
      <div class="charts">
        <Chart title="CPU % per node, last 60 s" series={names} data={chartData(names, "cpuPercent", at)} />
        <Chart title="Memory % per node, last 60 s" series={names} data={chartData(names, "memoryPercent", at)} />
      </div>
      <h2>Nodes</h2>
      <table class="table" data-testid="overview-nodes">
        <thead>
          <tr>
            <th>Node</th>
            <th>Status</th>
            <th>CPU</th>
            <th>Memory</th>
            <th>Tasks</th>
          </tr>
        </thead>
        <tbody>
          {all.map((node) => (
            <tr key={node.name}>
              <td>
                <a href={`#/nodes`}>{node.name}</a>
              </td>
              <td>
                <span class={`status node-${node.status === NodeStatus.ONLINE ? "online" : "offline"}`}>{node.status === NodeStatus.ONLINE ? "online" : "offline"}</span>
                {node.drained && <span class="status node-drained">drained</span>}
              </td>
              <td>{node.usage ? `${Math.round(node.usage.cpuPercent)}%` : "—"}</td>
              <td>{node.usage ? `${formatBytes(node.usage.memoryUsedBytes)} / ${formatBytes(node.usage.memoryTotalBytes)}` : "—"}</td>
              <td>{node.activeTaskIds.length}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {all.length === 0 && <p class="muted">No runner has joined yet. Start one with <code>hakuriver runner</code>.</p>}
    </section>
  );
}
