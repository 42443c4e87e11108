/**
 * The Host's one feed of changes to tasks and nodes, for watchers (the
 * Watch RPC). Sources publish the id of what changed, never its state: a
 * watcher reads the latest state when it sends, so a burst of changes to
 * one task costs one message and a slow watcher holds one entry per task
 * or node, not a queue.
 */

/** Something that changed. */
export type Change =
  /** A task was created, changed status, or its output grew. */
  | { readonly kind: "task"; readonly taskId: number }
  /**
   * A node joined, left, was lost, heartbeated or was (un)drained; with
   * `holdings`, what active tasks reserve on it changed (a task on it
   * started or ended), so the active ledger must be read again.
   */
  | { readonly kind: "node"; readonly name: string; readonly holdings: boolean };

/** Receives every change, synchronously, in the order they were published; must not throw. */
export type ChangeListener = (change: Change) => void;

/** Publishes changes to every subscriber. */
export class ChangeFeed {
  private readonly listeners = new Set<ChangeListener>();

  /** Announces that the task changed (created, status, output). */
  task(taskId: number): void {
    this.publish({ kind: "task", taskId });
  }

  /** Announces that the node changed; `holdings` when its reservations changed. */
  node(name: string, holdings = false): void {
    this.publish({ kind: "node", name, holdings });
  }

  /** Calls `listener` at every change from now on; returns the unsubscribe function. */
  subscribe(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private publish(change: Change): void {
    for (const listener of this.listeners) listener(change);
  }
}
