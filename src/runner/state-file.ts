/**
 * The runner's memory across restarts, in `local_temp_dir/runner-<name>.json`:
 * every task it received (from receipt, before anything runs), the executor
 * reference of each once started, and the final status of each that ended,
 * until the runner lets go of it. A restarted runner thus reports every task
 * it ever received, and the Host never sends one again to run twice.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { TaskStatusName } from "../shared/task-status.js";

/** How a recorded task ended. */
export interface RecordedEnd {
  readonly status: TaskStatusName;
  readonly exitCode: number;
  readonly message: string;
}

/** One recorded task; `ref` is "" until its executor has started it. */
export interface RecordedTask {
  readonly taskId: string;
  readonly executor: string;
  readonly ref: string;
  /** Set once the task ended. */
  readonly end?: RecordedEnd;
}

/** Reads and rewrites the state file (atomically, by rename). */
export class StateFile {
  private readonly path: string;
  private readonly tasks = new Map<string, RecordedTask>();

  constructor(localTempDir: string, name: string) {
    this.path = join(localTempDir, `runner-${name}.json`);
    try {
      const data = JSON.parse(readFileSync(this.path, "utf8")) as { tasks?: RecordedTask[] };
      for (const task of data.tasks ?? []) this.tasks.set(task.taskId, task);
    } catch {
      // No state yet (or unreadable): start empty.
    }
  }

  /** Tasks recorded by a previous run. */
  recorded(): RecordedTask[] {
    return [...this.tasks.values()];
  }

  record(task: RecordedTask): void {
    this.tasks.set(task.taskId, task);
    this.flush();
  }

  /** Records how a task ended (a task never recorded is added with no executor). */
  finish(taskId: string, end: RecordedEnd): void {
    const known = this.tasks.get(taskId);
    this.record({ taskId, executor: known?.executor ?? "", ref: known?.ref ?? "", end });
  }

  forget(taskId: string): void {
    if (this.tasks.delete(taskId)) this.flush();
  }

  private flush(): void {
    mkdirSync(dirname(this.path), { recursive: true });
    const temp = `${this.path}.tmp`;
    writeFileSync(temp, JSON.stringify({ tasks: [...this.tasks.values()] }));
    renameSync(temp, this.path);
  }
}
