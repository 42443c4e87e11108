/**
 * The active ledger as watchers read it: read once and shared until a
 * task's reservations change, so a heartbeat (usage only) shown to ten
 * dashboards costs no scan of the active tasks.
 */
import { activeLedger } from "../scheduling/active-ledger.js";
import type { NodeUsage } from "../scheduling/placement.js";
import type { TaskRepo } from "../store/task-repo.js";
import type { ChangeFeed } from "./change-feed.js";

/** A cached {@link activeLedger}, dropped at every holdings change on the feed. */
export class SharedLedger {
  private cached: Promise<ReadonlyMap<string, NodeUsage>> | undefined;

  constructor(
    private readonly repo: Pick<TaskRepo, "listByStatus">,
    feed: ChangeFeed,
  ) {
    feed.subscribe((change) => {
      if (change.kind === "node" && change.holdings) this.cached = undefined;
    });
  }

  /**
   * The ledger. A read in flight when a holdings change arrives may miss
   * it; its callers still hold that node as pending and read again.
   */
  current(): Promise<ReadonlyMap<string, NodeUsage>> {
    if (this.cached) return this.cached;
    const reading = activeLedger(this.repo);
    this.cached = reading;
    // A failed read is not kept: the next caller tries again (this caller still gets the error).
    reading.catch(() => {
      if (this.cached === reading) this.cached = undefined;
    });
    return reading;
  }
}
