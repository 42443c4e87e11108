/**
 * Recovery at runner start: every task the state file recorded is held
 * again, so the first hello reports each task this runner ever received and
 * the Host never sends one again (at most once). A recorded end is held as
 * it was; an open task is offered to its executor, which adopts it, says how
 * it ended, or cannot (then it is destroyed and held `lost`). Leftovers
 * nobody recorded are swept per executor.
 */
import type { Logger } from "pino";
import type { TaskSpec } from "../../../gen/hakuriver/v1/runner_pb.js";
import type { Clock } from "../../shared/clock.js";
import type { Executor, Recovery, TaskHandle } from "../executors/executor.js";
import type { RecordedEnd, RecordedTask, StateFile } from "../state-file.js";
import { TaskOutput } from "../task-output.js";
import { finalStatus, type RunnerTask, type TaskTable } from "./task-table.js";
import type { TimeLimitState } from "./time-limit-watch.js";

/** The end held for a task that could not be re-adopted. */
export const LOST_END: RecordedEnd = { status: "lost", exitCode: -1, message: "the runner restarted while the task was starting or running; what was left of it was stopped" };

/** What recovery needs. */
export interface RecoveryDeps {
  readonly table: TaskTable;
  readonly executors: readonly Executor[];
  readonly state: StateFile;
  readonly sharedDir: string;
  readonly clock: Clock;
  readonly log: Logger;
  /** Follows an adopted task until it ends. */
  readonly watch: (task: RunnerTask, handle: TaskHandle) => void;
  /** Counts an adopted task's time limit on from where the state file left it. */
  readonly keepLimit: (task: RunnerTask, limit: TimeLimitState) => void;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Holds again every task a previous runner process recorded. */
export async function recoverTasks(deps: RecoveryDeps): Promise<void> {
  const open: RecordedTask[] = [];
  for (const recorded of deps.state.recorded()) {
    if (recorded.end === undefined) open.push(recorded);
    else holdEnded(deps, recorded.taskId, recorded.end);
  }
  for (const executor of deps.executors) {
    const mine = open.filter((r) => r.executor === executor.name);
    try {
      await executor.sweepOrphans(new Set(mine.map((r) => r.taskId)));
    } catch (error) {
      // A runner must start even when, say, its Docker engine is down.
      const detail = { executor: executor.name, recorded: mine.length, err: errorText(error) };
      if (mine.length > 0) deps.log.warn(detail, "could not look for leftover tasks");
      else deps.log.debug(detail, "could not look for leftover tasks");
    }
    let adopted = 0;
    for (const recorded of mine) if (await recoverOne(deps, executor, recorded)) adopted += 1;
    if (mine.length > 0) deps.log.info({ executor: executor.name, recorded: mine.length, adopted }, "recovered tasks after restart");
  }
}

/** Offers one open task to its executor; returns whether it was adopted. */
async function recoverOne(deps: RecoveryDeps, executor: Executor, recorded: RecordedTask): Promise<boolean> {
  const { taskId, ref } = recorded;
  const output = new TaskOutput(taskId, deps.sharedDir);
  let found: Recovery;
  try {
    found = await executor.recover(taskId, ref, output, { stopped: recorded.stopped === true });
  } catch (error) {
    // Left recorded and unheld: the Host marks it lost when the hello lacks it.
    output.close();
    deps.log.warn({ executor: executor.name, taskId, err: errorText(error) }, "could not recover a task");
    return false;
  }
  if (found.kind === "stopped") {
    // A stopped VPS: held stopped (not ended), so the hello lists it and a start can bring it back.
    deps.table.add({ spec: { taskId } as TaskSpec, status: "stopped", message: "stopped; its container is kept", output, killRequested: false, notes: [], survivesRestart: true });
    return true;
  }
  if (found.kind === "adopted") {
    const task: RunnerTask = {
      spec: { taskId } as TaskSpec,
      status: found.paused ? "paused" : "running",
      message: "re-adopted after a runner restart",
      output,
      handle: found.handle,
      killRequested: false,
      notes: [],
      survivesRestart: executor.survivesRunnerRestart === true,
    };
    deps.table.add(task);
    deps.watch(task, found.handle);
    if (recorded.timeLimit) deps.keepLimit(task, recorded.timeLimit);
    return true;
  }
  await executor.destroy(taskId, ref).catch((error: unknown) => {
    deps.log.warn({ executor: executor.name, taskId, err: errorText(error) }, "could not remove what was left of a task");
  });
  let end = LOST_END;
  if (found.kind === "ended") {
    const { status, message } = finalStatus(found.exit, false);
    end = { status, exitCode: found.exit.exitCode ?? -1, message };
  }
  deps.state.finish(taskId, end);
  holdEnded(deps, taskId, end, output);
  return false;
}

/**
 * Holds a task a previous runner process received and saw end (or that
 * could not be re-adopted), so the next hello reports it and the Host,
 * which may never have stored the end, does not send it again.
 */
function holdEnded(deps: RecoveryDeps, taskId: string, end: RecordedEnd, output = new TaskOutput(taskId, deps.sharedDir)): void {
  if (deps.table.get(taskId)) return;
  const task: RunnerTask = {
    spec: { taskId } as TaskSpec,
    status: end.status,
    exitCode: end.exitCode,
    message: end.message,
    output,
    killRequested: false,
    notes: [],
    endedAt: deps.clock.now(),
  };
  task.output.end();
  deps.table.add(task);
}
