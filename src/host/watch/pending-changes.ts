/**
 * What one watcher has yet to send: the ids of changed tasks and the names
 * of changed nodes, each once however often it changed. Bounded by the
 * number of tasks and nodes, however slow the watcher's reader is.
 */
import type { CancelTimer, Clock } from "../../shared/clock.js";
import type { Change } from "./change-feed.js";

/** The changes taken in one go. */
export interface TakenChanges {
  readonly taskIds: ReadonlySet<number>;
  readonly nodeNames: ReadonlySet<string>;
}

/** Collects changes and says when a coalesced batch of them is due. */
export class PendingChanges {
  private taskIds = new Set<number>();
  private nodeNames = new Set<string>();
  private wake: (() => void) | undefined;

  /** Records a change (the latest state is read when it is sent). */
  add(change: Change): void {
    if (change.kind === "task") this.taskIds.add(change.taskId);
    else this.nodeNames.add(change.name);
    this.wake?.();
  }

  /** True when nothing is pending. */
  get empty(): boolean {
    return this.taskIds.size === 0 && this.nodeNames.size === 0;
  }

  /**
   * Resolves `windowMs` after the first pending change (so changes that
   * follow it within the window go out together), or at once when
   * `signal` aborts. Never rejects.
   */
  async due(windowMs: number, clock: Pick<Clock, "after">, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return;
    await new Promise<void>((resolve) => {
      let cancel: CancelTimer = () => {};
      const done = (): void => {
        cancel();
        this.wake = undefined;
        signal.removeEventListener("abort", done);
        resolve();
      };
      signal.addEventListener("abort", done, { once: true });
      const startWindow = (): void => {
        this.wake = undefined;
        cancel = clock.after(windowMs, done);
      };
      if (this.empty) this.wake = startWindow;
      else startWindow();
    });
  }

  /** Takes everything pending, leaving nothing. */
  take(): TakenChanges {
    const taken = { taskIds: this.taskIds, nodeNames: this.nodeNames };
    this.taskIds = new Set();
    this.nodeNames = new Set();
    return taken;
  }
}
