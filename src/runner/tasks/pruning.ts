/**
 * Clean-up of ended tasks: a runner that stays connected for days must not
 * keep every task it ever ran, yet must keep each until the Host surely has
 * its end and all of its output.
 */
import type { Logger } from "pino";
import type { Clock, CancelTimer } from "../../shared/clock.js";
import type { StateFile } from "../state-file.js";
import type { TaskTable } from "./task-table.js";

/** How long ended tasks stay in the inventory (the Host has them by then). */
export const KEEP_ENDED_MS = 10 * 60 * 1000;

/** How often ended tasks are looked at for pruning while the runner stays connected. */
export const PRUNE_INTERVAL_MS = 60 * 1000;

/** What a pruner needs. */
export interface PrunerDeps {
  readonly table: TaskTable;
  readonly state: StateFile;
  readonly clock: Clock;
  readonly log: Logger;
  /** True while a welcomed control stream takes output. */
  readonly connected: () => boolean;
}

/** Forgets ended tasks the Host has. */
export class Pruner {
  constructor(private readonly deps: PrunerDeps) {}

  /**
   * Forgets tasks that ended more than {@link KEEP_ENDED_MS} before `now`,
   * whose final status the Host has and whose output was all shipped;
   * returns their ids. A task whose end the Host may not have heard of (it
   * ended while disconnected) stays until a hello has carried it. Nothing is
   * pruned while disconnected: "shipped" then counts bytes handed to a
   * stream that died, which the Host may never have stored.
   */
  prune(now = this.deps.clock.now()): string[] {
    const pruned: string[] = [];
    if (!this.deps.connected()) return pruned;
    for (const task of [...this.deps.table.values()]) {
      if (task.endedAt !== undefined && now - task.endedAt > KEEP_ENDED_MS && task.hostHasFinal === true && task.output.fullyShipped) {
        task.output.close();
        this.deps.table.delete(task.spec.taskId);
        this.deps.state.forget(task.spec.taskId);
        pruned.push(task.spec.taskId);
      }
    }
    return pruned;
  }

  /** Prunes every `intervalMs` on the injected clock until the returned function is called. */
  start(intervalMs = PRUNE_INTERVAL_MS): CancelTimer {
    return this.deps.clock.every(intervalMs, () => {
      const pruned = this.prune();
      if (pruned.length > 0) this.deps.log.debug({ pruned: pruned.length, held: this.deps.table.size }, "forgot ended tasks");
    }, { unref: true });
  }
}
