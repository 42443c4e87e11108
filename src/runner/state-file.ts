/**
 * The runner's memory across restarts, in `local_temp_dir/runner-<name>.json`:
 * every task it received (from receipt, before anything runs), the executor
 * reference of each once started, and the final status of each that ended,
 * until the runner lets go of it. A restarted runner thus reports every task
 * it ever received, and the Host never sends one again to run twice.
 */
import { appendFileSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { TaskStatusName } from "../shared/task-status.js";
import type { TimeLimitState } from "./tasks/time-limit-watch.js";

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
  /** Where its time limit's clock stood at its last start, pause or resume; absent = no limit. */
  readonly timeLimit?: TimeLimitState;
  /** A VPS stopped on request, its container kept (a restarted runner holds it stopped). */
  readonly stopped?: boolean;
}

/** One line of the journal: a task recorded (or re-recorded), or forgotten. */
type JournalLine = { readonly set: RecordedTask } | { readonly forget: string };

/** Lines past which the journal is rewritten with only the live entries (and past 4 lines a live entry). */
const COMPACT_AFTER_LINES = 1000;

/**
 * The state file as an append-only journal of JSON lines: each change is one
 * short append (a runner records every task up to three times, and holds
 * ended ones for minutes, so rewriting the whole file each time grew with
 * the load), replayed at start and compacted by rename now and then. A
 * torn last line (a crash mid-append) is skipped.
 */
export class StateFile {
  private readonly path: string;
  private readonly tasks = new Map<string, RecordedTask>();
  private lines = 0;

  constructor(localTempDir: string, name: string) {
    this.path = join(localTempDir, `runner-${name}.json`);
    let text = "";
    try {
      text = readFileSync(this.path, "utf8");
    } catch {
      // No state yet: start empty.
    }
    for (const line of text.split("\n")) {
      if (line.trim() === "") continue;
      this.lines += 1;
      let entry: JournalLine | { tasks?: RecordedTask[] };
      try {
        entry = JSON.parse(line) as JournalLine | { tasks?: RecordedTask[] };
      } catch {
        continue; // torn by a crash mid-append
      }
      if ("set" in entry) this.tasks.set(entry.set.taskId, entry.set);
      else if ("forget" in entry) this.tasks.delete(entry.forget);
      // The whole-file form earlier versions wrote.
      else for (const task of entry.tasks ?? []) this.tasks.set(task.taskId, task);
    }
  }

  /** Tasks recorded by a previous run. */
  recorded(): RecordedTask[] {
    return [...this.tasks.values()];
  }

  record(task: RecordedTask): void {
    this.tasks.set(task.taskId, task);
    this.append({ set: task });
  }

  /** Records how a task ended (a task never recorded is added with no executor). */
  finish(taskId: string, end: RecordedEnd): void {
    const known = this.tasks.get(taskId);
    this.record({ taskId, executor: known?.executor ?? "", ref: known?.ref ?? "", end });
  }

  /** Records where an open task's time-limit clock stands (a task not recorded, or ended, is left alone). */
  noteTimeLimit(taskId: string, timeLimit: TimeLimitState): void {
    const known = this.tasks.get(taskId);
    if (!known || known.end) return;
    this.record({ ...known, timeLimit });
  }

  /** Records whether an open task is a stopped VPS (a task not recorded, or ended, is left alone). */
  noteStopped(taskId: string, stopped: boolean): void {
    const known = this.tasks.get(taskId);
    if (!known || known.end || (known.stopped ?? false) === stopped) return;
    this.record({ ...known, stopped });
  }

  forget(taskId: string): void {
    if (this.tasks.delete(taskId)) this.append({ forget: taskId });
  }

  private append(line: JournalLine): void {
    if (this.lines >= COMPACT_AFTER_LINES && this.lines >= 4 * this.tasks.size) {
      this.compact();
      return;
    }
    mkdirSync(dirname(this.path), { recursive: true });
    appendFileSync(this.path, `${JSON.stringify(line)}\n`);
    this.lines += 1;
  }

  /** Rewrites the journal with one line per live task (atomically, by rename). */
  private compact(): void {
    mkdirSync(dirname(this.path), { recursive: true });
    const temp = `${this.path}.tmp`;
    writeFileSync(temp, [...this.tasks.values()].map((task) => `${JSON.stringify({ set: task })}\n`).join(""));
    renameSync(temp, this.path);
    this.lines = this.tasks.size;
  }
}
