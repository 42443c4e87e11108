/**
 * VPS: every VPS task the live stream holds (status, node, SSH port, owner,
 * times) and the form that starts one; `#/vps/ID` is one VPS's detail.
 */
import { useState } from "preact/hooks";
import { TaskKind, type Task } from "../../../gen/hakuriver/v1/types_pb.js";
import { StatusBadge, When } from "../components.js";
import { useEnvironmentData } from "../environment-data.js";
import { FINAL_STATUSES, formatBytes, millis } from "../format.js";
import { tasks, version } from "../live.js";
import { href } from "../route.js";
import { VpsDetail } from "./vps-detail.js";
import { VpsForm } from "./vps-form.js";

/** Newest first (task ids are time-sortable). */
function newestFirst(a: Task, b: Task): number {
  return BigInt(b.taskId) > BigInt(a.taskId) ? 1 : BigInt(b.taskId) < BigInt(a.taskId) ? -1 : 0;
}

function VpsRow(props: { readonly task: Task }) {
  const { task } = props;
  return (
    <tr data-testid={`vps-${task.taskId}`}>
      <td>
        <a href={href("vps", task.taskId)}>{task.taskId}</a>
      </td>
      <td>{task.name || <span class="muted">—</span>}</td>
      <td>
        <StatusBadge status={task.status} />
      </td>
      <td>{task.assignedNode || <span class="muted">—</span>}</td>
      <td class="mono">{task.sshPort > 0 ? task.sshPort : <span class="muted">—</span>}</td>
      <td>{task.container}</td>
      <td>
        {task.cores > 0 ? `${task.cores} cores` : "no core limit"}
        {task.memoryBytes > 0n ? ` · ${formatBytes(task.memoryBytes)}` : ""}
      </td>
      <td>{task.owner || <span class="muted">—</span>}</td>
      <td>
        <When at={millis(task.submittedAt)} />
      </td>
      <td>
        <When at={millis(task.startedAt)} />
      </td>
    </tr>
  );
}

function VpsList() {
  void version.value;
  useEnvironmentData();
  const [showEnded, setShowEnded] = useState(false);
  const all = [...tasks.values()].filter((task) => task.kind === TaskKind.VPS).sort(newestFirst);
  const shown = showEnded ? all : all.filter((task) => !FINAL_STATUSES.has(task.status));
  return (
    <section>
      <h1>VPS</h1>
      <div class="toolbar">
        <label class="inline">
          <input type="checkbox" checked={showEnded} onChange={(event) => setShowEnded(event.currentTarget.checked)} /> show ended ones ({all.length - all.filter((task) => !FINAL_STATUSES.has(task.status)).length})
        </label>
      </div>
      <div class="table-wrap">
        <table class="table" data-testid="vps-list">
          <thead>
            <tr>
              <th>ID</th>
              <th>Name</th>
              <th>Status</th>
              <th>Node</th>
              <th>SSH port</th>
              <th>Environment</th>
              <th>Resources</th>
              <th>Owner</th>
              <th>Submitted</th>
              <th>Started</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((task) => (
              <VpsRow key={task.taskId} task={task} />
            ))}
          </tbody>
        </table>
      </div>
      {shown.length === 0 && <p class="muted">No {showEnded ? "" : "active "}VPS. Start one below.</p>}
      <h2>Start a VPS</h2>
      <VpsForm onSubmitted={(id) => (location.hash = href("vps", id))} />
    </section>
  );
}

/** The VPS page: the list and form, or one VPS when `id` is given. */
export function VpsPage(props: { readonly id?: string | undefined }) {
  return props.id === undefined ? <VpsList /> : <VpsDetail id={props.id} />;
}
