/**
 * Change notifications: per task (status changes and new output wake log
 * followers and callers waiting for a status), task ends (for the tasks
 * that depend on them), and for the cluster's
 * capacity (a task ended, a submission arrived, a node joined or was
 * undrained: the scheduler subscribes and runs a pass).
 */
import { EventEmitter } from "node:events";
import { systemClock, type CancelTimer, type Clock } from "../../shared/clock.js";
import type { ChangeFeed } from "../watch/change-feed.js";
import type { TaskRecord } from "./task-record.js";

/**
 * Publishes "task N changed" and "capacity changed", and lets callers wait
 * or subscribe. Task changes, new tasks and changed reservations also go to
 * the watchers' {@link ChangeFeed}, when there is one.
 */
export class TaskEvents {
  private readonly emitter = new EventEmitter();
  private readonly capacityListeners = new Set<() => void>();
  private readonly endListeners = new Set<(task: TaskRecord) => void>();

  /** `clock` bounds {@link nextChange}'s waits; the real clock by default. */
  constructor(
    private readonly clock: Pick<Clock, "after"> = systemClock,
    private readonly feed?: ChangeFeed,
  ) {
    this.emitter.setMaxListeners(0);
  }

  /** Announces a change of the task (status or output). */
  changed(taskId: number): void {
    this.emitter.emit(String(taskId));
    this.feed?.task(taskId);
  }

  /** Announces tasks just created (committed). */
  created(taskIds: readonly number[]): void {
    for (const taskId of taskIds) this.feed?.task(taskId);
  }

  /** Announces that what active tasks reserve on `node` changed (a task there started or ended). */
  holdingsChanged(node: string): void {
    this.feed?.node(node, true);
  }

  /**
   * Resolves at the task's next change, after `timeoutMs`, or when `signal`
   * aborts (whichever is first). Never rejects.
   */
  nextChange(taskId: number, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const key = String(taskId);
      let cancel: CancelTimer = () => {};
      const done = (): void => {
        cancel();
        this.emitter.off(key, done);
        signal?.removeEventListener("abort", done);
        resolve();
      };
      cancel = this.clock.after(timeoutMs, done);
      this.emitter.on(key, done);
      signal?.addEventListener("abort", done, { once: true });
    });
  }

  /** Announces that a task reached a final status (`task` as stored): its dependants may be decided now. */
  ended(task: TaskRecord): void {
    for (const listener of [...this.endListeners]) listener(task);
  }

  /** Calls `listener` at every {@link ended}, synchronously; returns the unsubscribe function. */
  onTaskEnded(listener: (task: TaskRecord) => void): () => void {
    this.endListeners.add(listener);
    return () => this.endListeners.delete(listener);
  }

  /** Announces that a queued task may be able to start now. */
  capacityChanged(): void {
    for (const listener of [...this.capacityListeners]) listener();
  }

  /** Calls `listener` at every {@link capacityChanged}; returns the unsubscribe function. */
  onCapacityChange(listener: () => void): () => void {
    this.capacityListeners.add(listener);
    return () => this.capacityListeners.delete(listener);
  }
}
