/**
 * Pieces the task and VPS detail views share: the task by id (live, else
 * fetched once), Kill / Pause / Resume each enabled only in the statuses
 * the Host accepts it in, and labelled fields.
 */
import type { ComponentChildren } from "preact";
import { useEffect, useState } from "preact/hooks";
import { TaskKind, TaskStatus, type Task } from "../../gen/hakuriver/v1/types_pb.js";
import { api, describeError, isAbort } from "./api.js";
import { When, ErrorText } from "./components.js";
import { FINAL_STATUSES, absoluteTime } from "./format.js";
import { tasks, version } from "./live.js";

/** The task from the live stream, else (older than the watched window) from GetTask. */
export function useTask(id: string): { readonly task: Task | undefined; readonly error: string } {
  void version.value;
  const live = tasks.get(id);
  const [fetched, setFetched] = useState<Task | undefined>();
  const [error, setError] = useState("");
  useEffect(() => {
    if (live) return undefined;
    const controller = new AbortController();
    api
      .getTask({ taskId: id }, { signal: controller.signal })
      .then((response) => setFetched(response.task))
      .catch((caught: unknown) => !isAbort(caught) && setError(describeError(caught)));
    return () => controller.abort();
  }, [id, live === undefined]);
  return { task: live ?? fetched, error: live ? "" : error };
}

/** Kill, Pause and Resume for a task (and Stop and Start for a VPS), with the Host's refusal shown beside them. */
export function TaskActions(props: { readonly task: Task; readonly testId: string; readonly onTerminal?: () => void }) {
  const { task } = props;
  const [busy, setBusy] = useState("");
  const [error, setError] = useState("");
  const act = async (what: string, call: () => Promise<unknown>) => {
    setBusy(what);
    setError("");
    try {
      await call();
    } catch (caught) {
      setError(describeError(caught));
    } finally {
      setBusy("");
    }
  };
  const final = FINAL_STATUSES.has(task.status);
  return (
    <div class="toolbar" data-testid={props.testId}>
      <button class="danger" disabled={final || busy !== ""} onClick={() => void act("kill", () => api.killTask({ taskId: task.taskId }))}>
        {busy === "kill" ? "Killing…" : "Kill"}
      </button>
      <button disabled={task.status !== TaskStatus.RUNNING || busy !== ""} onClick={() => void act("pause", () => api.pauseTask({ taskId: task.taskId }))}>
        {busy === "pause" ? "Pausing…" : "Pause"}
      </button>
      <button disabled={task.status !== TaskStatus.PAUSED || busy !== ""} onClick={() => void act("resume", () => api.resumeTask({ taskId: task.taskId }))}>
        {busy === "resume" ? "Resuming…" : "Resume"}
      </button>
      {task.kind === TaskKind.VPS && (
        <>
          <button disabled={(task.status !== TaskStatus.RUNNING && task.status !== TaskStatus.PAUSED) || busy !== ""} onClick={() => void act("stop", () => api.stopVps({ taskId: task.taskId }))}>
            {busy === "stop" ? "Stopping…" : "Stop (keep disk)"}
          </button>
          <button disabled={task.status !== TaskStatus.STOPPED || busy !== ""} onClick={() => void act("start", () => api.startVps({ taskId: task.taskId }))}>
            {busy === "start" ? "Starting…" : "Start"}
          </button>
        </>
      )}
      {props.onTerminal && (
        <button disabled={task.status !== TaskStatus.RUNNING} title="a shell inside it, through exec" data-testid="terminal-button" onClick={props.onTerminal}>
          Terminal
        </button>
      )}
      <ErrorText text={error} />
    </div>
  );
}

/** One labelled value of a detail view. */
export function Field(props: { readonly label: string; readonly children: ComponentChildren; readonly testId?: string }) {
  return (
    <>
      <dt>{props.label}</dt>
      <dd data-testid={props.testId}>{props.children}</dd>
    </>
  );
}

/** A time, relative and absolute. */
export function TimeField(props: { readonly label: string; readonly at: number | undefined }) {
  return (
    <Field label={props.label}>
      {props.at === undefined ? <span class="muted">—</span> : (
        <>
          <When at={props.at} /> <span class="muted">({absoluteTime(props.at)})</span>
        </>
      )}
    </Field>
  );
}

