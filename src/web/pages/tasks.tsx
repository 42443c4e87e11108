/**
 * Tasks: the live, filterable, sortable list of tasks (filters and sort in
 * the address: `#/tasks?status=running&node=a`), rendered a screenful at a
 * time so 10,000 tasks stay smooth; the submit form; and, for `#/tasks/ID`,
 * the task's detail.
 */
import { useMemo, useRef, useState } from "preact/hooks";
import { TaskStatus, type Task } from "../../../gen/hakuriver/v1/types_pb.js";
import { StatusBadge, When } from "../components.js";
import { now } from "../clock.js";
import { duration, millis } from "../format.js";
import { nodes, tasks, version } from "../live.js";
import { href, route } from "../route.js";
import { commandLine, paramsFromQuery, queryFromParams, selectTasks, type SortKey, type TaskQuery } from "../task-query.js";
import { useVirtualRows } from "../virtual-rows.js";
import { TaskDetail } from "./task-detail.js";
import { TaskForm } from "./task-form.js";
import { dependencyWaitText } from "../../shared/dependency-text.js";

/** Height of one list row (px); fixed, so only visible rows are rendered. */
const ROW_HEIGHT = 34;

const STATUS_CHOICES = ["", "active", "final", ...Object.values(TaskStatus).filter((value): value is TaskStatus => typeof value === "number" && value !== TaskStatus.UNSPECIFIED).map((status) => TaskStatus[status]!.toLowerCase())];

function setQuery(query: TaskQuery): void {
  location.hash = href("tasks", undefined, paramsFromQuery(query));
}

function Filters(props: { readonly query: TaskQuery; readonly shown: number }) {
  const { query } = props;
  const [text, setText] = useState(query.text);
  return (
    <div class="toolbar" data-testid="task-filters">
      <label>
        Status
        <select name="status" value={query.status} onChange={(event) => setQuery({ ...query, status: event.currentTarget.value })}>
          {STATUS_CHOICES.map((status) => (
            <option value={status}>{status === "" ? "any" : status}</option>
          ))}
        </select>
      </label>
      <label>
        Node
        <select name="node" value={query.node} onChange={(event) => setQuery({ ...query, node: event.currentTarget.value })}>
          <option value="">any</option>
          {[...nodes.keys()].sort().map((name) => (
            <option value={name}>{name}</option>
          ))}
        </select>
      </label>
      <label>
        Kind
        <select name="kind" value={query.kind} onChange={(event) => setQuery({ ...query, kind: event.currentTarget.value })}>
          <option value="command">command</option>
          <option value="vps">vps</option>
          <option value="any">any</option>
        </select>
      </label>
      <label>
        Batch
        <input name="batch" value={query.batch} placeholder="batch id" onChange={(event) => setQuery({ ...query, batch: event.currentTarget.value.trim() })} />
      </label>
      <label>
        Search
        <input
          name="search"
          value={text}
          placeholder="id, name, label or command"
          onInput={(event) => setText(event.currentTarget.value)}
          onKeyDown={(event) => event.key === "Enter" && setQuery({ ...query, text })}
          onBlur={() => text !== query.text && setQuery({ ...query, text })}
        />
      </label>
      <span class="muted" data-testid="tasks-shown">
        {props.shown} shown
      </span>
    </div>
  );
}

function SortHeader(props: { readonly query: TaskQuery; readonly sort: SortKey; readonly label: string }) {
  const { query, sort } = props;
  const active = query.sort === sort;
  const next = { ...query, sort, descending: active ? !query.descending : sort === "id" };
  return (
    <button class="th-sort" onClick={() => setQuery(next)} aria-sort={active ? (query.descending ? "descending" : "ascending") : "none"}>
      {props.label}
      {active ? (query.descending ? " ▼" : " ▲") : ""}
    </button>
  );
}

function Row(props: { readonly task: Task; readonly top: number }) {
  const { task } = props;
  return (
    <a class="task-row" href={href("tasks", task.taskId)} style={{ transform: `translateY(${props.top}px)` }} data-task-id={task.taskId}>
      <span class="c-id mono">{task.taskId}</span>
      <span class="c-name" title={task.name}>{task.name || <span class="muted">—</span>}</span>
      <span class="c-status">
        <StatusBadge status={task.status} />
      </span>
      <span class="c-node">
        {task.assignedNode || <span class="muted">{dependencyWaitText(task) ?? "—"}</span>}
        {task.gpus.length > 0 ? <span class="muted"> · GPU {task.gpus.join(",")}</span> : task.gpuCount > 0 ? <span class="muted"> · {task.gpuCount} GPUs</span> : null}
      </span>
      <span class="c-command mono" title={commandLine(task)}>
        {commandLine(task) || <span class="muted">(vps)</span>}
      </span>
      <span class="c-when">
        <When at={millis(task.submittedAt)} />
      </span>
      <span class="c-duration">{duration(millis(task.startedAt), millis(task.completedAt), now.value)}</span>
      <span class="c-exit">{task.exitCode ?? ""}</span>
    </a>
  );
}

function TaskList(props: { readonly query: TaskQuery }) {
  const { query } = props;
  const currentVersion = version.value;
  // Durations sort by the time of the last change, so rows do not jump every second.
  const selected = useMemo(() => selectTasks(tasks.values(), query, Date.now()), [currentVersion, query]);
  const scroller = useRef<HTMLDivElement>(null);
  const { items, totalHeight } = useVirtualRows(selected.length, ROW_HEIGHT, scroller);
  return (
    <>
      <Filters query={query} shown={selected.length} />
      <div class="task-list" data-testid="task-list">
        <div class="task-row task-head">
          <span class="c-id">
            <SortHeader query={query} sort="id" label="ID" />
          </span>
          <span class="c-name">Name</span>
          <span class="c-status">
            <SortHeader query={query} sort="status" label="Status" />
          </span>
          <span class="c-node">
            <SortHeader query={query} sort="node" label="Node" />
          </span>
          <span class="c-command">
            <SortHeader query={query} sort="command" label="Command" />
          </span>
          <span class="c-when">Submitted</span>
          <span class="c-duration">
            <SortHeader query={query} sort="duration" label="Duration" />
          </span>
          <span class="c-exit">Exit</span>
        </div>
        <div class="task-scroll" ref={scroller}>
          <div style={{ height: `${totalHeight}px`, position: "relative" }}>
            {items.map((item) => (
              <Row key={selected[item.index]!.taskId} task={selected[item.index]!} top={item.start} />
            ))}
          </div>
        </div>
        {selected.length === 0 && <p class="muted empty">No task matches.</p>}
      </div>
    </>
  );
}

/** The tasks page, or one task's detail. */
export function TasksPage(props: { readonly id?: string | undefined }) {
  const params = route.value.params;
  const query = useMemo(() => queryFromParams(params), [JSON.stringify(params)]);
  const [showForm, setShowForm] = useState(false);
  if (props.id !== undefined) return <TaskDetail id={props.id} />;
  return (
    <section>
      <div class="page-head">
        <h1>Tasks</h1>
        <button class="primary" onClick={() => setShowForm(!showForm)}>
          {showForm ? "Close the form" : "New task"}
        </button>
      </div>
      {showForm && (
        <TaskForm
          onSubmitted={(taskIds) => {
            setShowForm(false);
            location.hash = taskIds.length === 1 ? href("tasks", taskIds[0]) : href("tasks", undefined, { batch: taskIds[0]!, kind: "any" });
          }}
        />
      )}
      <TaskList query={query} />
    </section>
  );
}
