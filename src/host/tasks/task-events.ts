/**
 * Change notifications: per task (status changes and new output wake log
 * followers and callers waiting for a status), and for the cluster's
 * capacity (a task ended, a submission arrived, a node joined or was
 * undrained: the scheduler subscribes and runs a pass).
 */
import { EventEmitter } from "node:events";
import { systemClock, type CancelTimer, type Clock } from "../../shared/clock.js";
import type { ChangeFeed } from "../watch/change-feed.js";

/**
 * Publishes "task N changed" and "capacity changed", and lets callers wait
 * or subscribe. Task changes, new tasks and changed reservations also go to
 * the watchers' {@link ChangeFeed}, when there is one.
 */
export class TaskEvents {
  private readonly emitter = new EventEmitter();
  private readonly capacityListeners = new Set<() => void>();

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
