/**
 * Nodes: every runner the Host knows, live: online or not, drained or not
 * (with Drain / Undrain), cores and memory reserved against what it has,
 * its current CPU and memory use, NUMA nodes, and every GPU with
 * utilisation, memory, temperature and power.
 */
import { useState } from "preact/hooks";
import { NodeStatus, type Gpu, type Node } from "../../../gen/hakuriver/v1/types_pb.js";
import { api, describeError } from "../api.js";
import { Meter, NodeBadge, When, ErrorText } from "../components.js";
import { formatBytes, millis, nodeStatusName } from "../format.js";
import { nodes, version } from "../live.js";

function DrainButton(props: { readonly node: Node }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  const { node } = props;
  const toggle = async () => {
    setBusy(true);
    setError("");
    try {
      if (node.drained) await api.undrainNode({ node: node.name });
      else await api.drainNode({ node: node.name });
    } catch (caught) {
      setError(describeError(caught));
    } finally {
      setBusy(false);
    }
  };
  return (
    <span>
      <button disabled={busy} onClick={() => void toggle()} data-testid={`drain-${node.name}`}>
        {node.drained ? "Undrain" : "Drain"}
      </button>
      <ErrorText text={error} />
    </span>
  );
}

function GpuTable(props: { readonly node: Node }) {
  const { node } = props;
  // Live readings come with heartbeats (usage.gpus); the inventory from the hello.
  const live = new Map((node.usage?.gpus ?? []).map((gpu) => [gpu.index, gpu]));
  const gpus: Gpu[] = (node.resources?.gpus ?? []).map((gpu) => live.get(gpu.index) ?? gpu);
  if (gpus.length === 0) return <p class="muted">No GPUs.</p>;
  return (
    <div class="table-wrap">
      <table class="table" data-testid={`gpus-${node.name}`}>
        <thead>
          <tr>
            <th>GPU</th>
            <th>Name</th>
            <th>Reserved</th>
            <th>Utilisation</th>
            <th>Memory</th>
            <th>Temperature</th>
            <th>Power</th>
          </tr>
        </thead>
        <tbody>
          {gpus.map((gpu) => (
            <tr key={gpu.index}>
              <td>{gpu.index}</td>
              <td>{gpu.name}</td>
              <td>{node.gpusInUse.includes(gpu.index) ? "in use" : <span class="muted">free</span>}</td>
              <td>{Math.round(gpu.utilizationPercent)}%</td>
              <td>
                {gpu.memoryUsedMib.toString()} / {gpu.memoryTotalMib.toString()} MiB
              </td>
              <td>{gpu.temperatureC.toFixed(0)} °C</td>
              <td>
                {gpu.powerDrawW.toFixed(0)} / {gpu.powerLimitW.toFixed(0)} W
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function NodeCard(props: { readonly node: Node }) {
  const { node } = props;
  const status = nodeStatusName(node.status);
  const cores = node.resources?.cores ?? 0;
  const memory = Number(node.resources?.memoryBytes ?? 0n);
  const usage = node.usage;
  return (
    <div class="panel node-card" data-testid={`node-${node.name}`}>
      <div class="node-head">
        <h2>{node.name}</h2>
        <NodeBadge status={status} drained={node.drained} />
        <span class="spacer" />
        <DrainButton node={node} />
      </div>
      <div class="grid-form">
        <label>
          Cores reserved
          <Meter used={node.coresInUse} total={cores} label={`${node.coresInUse} / ${cores}`} />
        </label>
        <label>
          Memory reserved
          <Meter used={Number(node.memoryInUseBytes)} total={memory} label={`${formatBytes(node.memoryInUseBytes)} / ${formatBytes(memory)}`} />
        </label>
        <label>
          CPU in use
          <Meter used={usage?.cpuPercent ?? 0} total={100} label={usage && node.status === NodeStatus.ONLINE ? `${Math.round(usage.cpuPercent)}% (load ${usage.load1m.toFixed(2)})` : "—"} />
        </label>
        <label>
          Memory in use
          <Meter used={Number(usage?.memoryUsedBytes ?? 0n)} total={Number(usage?.memoryTotalBytes ?? 0n)} label={usage ? `${formatBytes(usage.memoryUsedBytes)} / ${formatBytes(usage.memoryTotalBytes)}` : "—"} />
        </label>
      </div>
      <p class="node-facts">
        <span>
          Last heartbeat <When at={millis(node.lastHeartbeat)} />
        </span>
        <span>
          Active tasks: <a href={`#/tasks?node=${encodeURIComponent(node.name)}&status=active`}>{node.activeTaskIds.length}</a>
        </span>
        {node.version !== "" && <span>Runner {node.version}</span>}
        {usage?.maxTempC !== undefined && <span>CPU max {usage.maxTempC.toFixed(0)} °C</span>}
      </p>
      <h3>NUMA nodes</h3>
      {(node.resources?.numaNodes.length ?? 0) === 0 ? (
        <p class="muted">No NUMA topology reported.</p>
      ) : (
        <ul class="numa" data-testid={`numa-${node.name}`}>
          {node.resources!.numaNodes.map((numa) => (
            <li key={numa.id}>
              NUMA {numa.id}: {numa.cores.length} cores ({numa.cores.join(",")}), {formatBytes(numa.memoryBytes)}
            </li>
          ))}
        </ul>
      )}
      <h3>GPUs</h3>
      <GpuTable node={node} />
    </div>
  );
}

/** The nodes page. */
export function NodesPage() {
  void version.value;
  const all = [...nodes.values()].sort((a, b) => a.name.localeCompare(b.name));
  const online = all.filter((node) => node.status === NodeStatus.ONLINE).length;
  return (
    <section>
      <h1>
        Nodes <span class="muted">({online} online of {all.length})</span>
      </h1>
      {all.length === 0 && <p class="muted">No runner has joined yet. Start one with <code>hakuriver runner</code>.</p>}
      {all.map((node) => (
        <NodeCard key={node.name} node={node} />
      ))}
    </section>
  );
}
