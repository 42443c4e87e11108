/**
 * The runner's memory across restarts: which tasks it started and the
 * executor reference of each, in `local_temp_dir/runner-<name>.json`.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

/** One recorded task. */
export interface RecordedTask {
  readonly taskId: string;
  readonly executor: string;
  readonly ref: string;
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
