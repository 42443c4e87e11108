/**
 * One task (`#/tasks/ID`): every field of it, live; Kill / Pause / Resume
 * where they apply; and its stdout and stderr as they are written.
 */
import { TaskKind } from "../../../gen/hakuriver/v1/types_pb.js";
import { StatusBadge } from "../components.js";
import { duration, formatBytes, millis, taskKindName } from "../format.js";
import { formatTimeLimit } from "../../shared/time-limit.js";
import { LogView } from "../log-view.js";
import { href } from "../route.js";
import { commandLine } from "../task-query.js";
import { Field, TaskActions, TimeField, useTask } from "../task-parts.js";
import { dependencyListText } from "../../shared/dependency-text.js";
import { useState } from "preact/hooks";
import { TaskTerminal } from "../terminal.js";

const none = <span class="muted">—</span>;

/** The detail of task `id`. */
export function TaskDetail(props: { readonly id: string }) {
  const { task, error } = useTask(props.id);
  const [terminal, setTerminal] = useState(false);
  const back = <a href={href("tasks")}>← all tasks</a>;
  if (error !== "") return <section>{back}<p class="banner banner-error">{error}</p></section>;
  if (!task) return <section>{back}<p class="muted">Loading task {props.id}…</p></section>;
  const started = millis(task.startedAt);
  const completed = millis(task.completedAt);
  const env = Object.entries(task.env);
  const labels = Object.entries(task.labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return (
    <section>
      {back}
      <h1>
        Task {task.taskId} <StatusBadge status={task.status} />
      </h1>
      <TaskActions task={task} testId="task-actions" onTerminal={() => setTerminal(true)} />
      {terminal && <TaskTerminal taskId={task.taskId} vps={task.kind === TaskKind.VPS} onClose={() => setTerminal(false)} />}
      {task.kind === TaskKind.VPS && (
        <p class="banner">
          This is a VPS: <a href={href("vps", task.taskId)}>open it on the VPS page</a> for its SSH commands.
        </p>
      )}
      <dl class="fields" data-testid="task-fields">
        <Field label="Status" testId="task-status"><StatusBadge status={task.status} /></Field>
        <Field label="Kind">{taskKindName(task.kind)}</Field>
        <Field label="Name" testId="task-name">{task.name || none}</Field>
        <Field label="Labels" testId="task-labels">{labels.length === 0 ? none : labels.map(([key, value]) => <div class="mono">{key}={value}</div>)}</Field>
        <Field label="Batch"><a href={href("tasks", undefined, { batch: task.batchId, kind: "any" })}>{task.batchId}</a></Field>
        <Field label="Command"><code>{commandLine(task) || "—"}</code></Field>
        <Field label="Environment variables">{env.length === 0 ? none : env.map(([name, value]) => <div class="mono">{name}={value}</div>)}</Field>
        <Field label="Cores">{task.cores > 0 ? task.cores : "no limit"}</Field>
        <Field label="Memory">{task.memoryBytes > 0n ? formatBytes(task.memoryBytes) : "no limit"}</Field>
        <Field label="Time limit">{task.timeLimitMs > 0n ? `${formatTimeLimit(Number(task.timeLimitMs))} of running time` : "no limit"}</Field>
        <Field label="Environment">{task.container || none}</Field>
        <Field label="Privileged">{task.privileged ? "yes" : "no"}</Field>
        <Field label="Mounts">{task.mounts.length === 0 ? none : task.mounts.map((mount) => <div class="mono">{mount}</div>)}</Field>
        <Field label="Target">{task.target || <span class="muted">auto</span>}</Field>
        <Field label="Node" testId="task-node">{task.assignedNode || <span class="muted">not placed yet</span>}</Field>
        <Field label="Placement" testId="task-placement">{task.placementReason || none}</Field>
        <Field label="NUMA node">{task.numaNode ?? none}</Field>
        <Field label="GPUs" testId="task-gpus">
          {task.gpus.length > 0 ? task.gpus.join(", ") : task.gpuCount > 0 ? <span class="muted">none given yet</span> : none}
          {task.gpuCount > 0 ? <span class="muted"> ({task.gpuCount} asked for by count)</span> : null}
        </Field>
        <Field label="Exit code" testId="task-exit-code">{task.exitCode ?? none}</Field>
        <Field label="Message">{task.message || none}</Field>
        <Field label="Depends on" testId="task-dependencies">{dependencyListText(task) ?? none}</Field>
        <TimeField label="Submitted" at={millis(task.submittedAt)} />
        <TimeField label="Started" at={started} />
        <TimeField label="Ended" at={completed} />
        <Field label="Ran for">{started === undefined ? none : duration(started, completed)}</Field>
        <Field label="Owner">{task.owner || none}</Field>
        <Field label="Output held">stdout {formatBytes(task.stdoutBytes)}, stderr {formatBytes(task.stderrBytes)}</Field>
      </dl>
      <h2>Output</h2>
      <LogView taskId={task.taskId} />
    </section>
  );
}
