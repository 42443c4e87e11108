/**
 * Change notifications per task: status changes and new output wake log
 * followers and callers waiting for a status.
 */
import { EventEmitter } from "node:events";

/** Publishes "task N changed" and lets callers wait for the next change. */
export class TaskEvents {
  private readonly emitter = new EventEmitter();

  constructor() {
    this.emitter.setMaxListeners(0);
  }

  /** Announces a change of the task (status or output). */
  changed(taskId: number): void {
    this.emitter.emit(String(taskId));
  }

  /**
   * Resolves at the task's next change, after `timeoutMs`, or when `signal`
   * aborts (whichever is first). Never rejects.
   */
  nextChange(taskId: number, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const key = String(taskId);
      const done = (): void => {
        clearTimeout(timer);
        this.emitter.off(key, done);
        signal?.removeEventListener("abort", done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.emitter.on(key, done);
      signal?.addEventListener("abort", done, { once: true });
    });
  }
}
