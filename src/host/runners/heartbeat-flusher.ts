/**
 * Writes heartbeats to the store in batches. A heartbeat changes a node's
 * usage and last-seen time in memory at once (ListNodes, Watch, health and
 * the node monitor read only the memory); the store's copy is read back only
 * when a Host starts, to list nodes before their runners dial in again. So
 * the store may lag: dirty nodes are written together, in one transaction,
 * every `intervalMs`, and once more when the Host stops.
 *
 * What a crash costs: a Host killed without its stop loses at most the last
 * `intervalMs` of heartbeat times and usage, which only the listing of a node
 * whose runner has not reconnected yet shows. Online/offline decisions never
 * read them: a starting Host counts heartbeats from its own start.
 */
import { systemClock, type CancelTimer, type Clock } from "../../shared/clock.js";
import type { HeartbeatRow } from "../store/node-repo.js";

/** Default `timing.heartbeat_flush_interval` (ms). */
export const DEFAULT_HEARTBEAT_FLUSH_INTERVAL_MS = 5000;

/** What the flusher needs. */
export interface HeartbeatFlusherDeps {
  /** The node's latest heartbeat as it is in memory now; undefined for a node no longer known. */
  readonly read: (name: string) => HeartbeatRow | undefined;
  /** Stores the rows in one transaction (all or none). */
  readonly write: (rows: readonly HeartbeatRow[]) => Promise<void>;
  /** Milliseconds between flushes; must be > 0. */
  readonly intervalMs: number;
  /** A failed periodic flush (its nodes stay dirty and are tried again next time); never thrown. */
  readonly onError: (error: unknown, nodes: number) => void;
  readonly clock?: Pick<Clock, "every">;
}

/** Dirty nodes and the timer that flushes them. */
export class HeartbeatFlusher {
  private readonly dirty = new Set<string>();
  private stopTimer: CancelTimer | undefined;
  /** The flush in progress; flushes never overlap, so an older snapshot never overwrites a newer one. */
  private inFlight: Promise<void> = Promise.resolve();

  constructor(private readonly deps: HeartbeatFlusherDeps) {
    if (!(deps.intervalMs > 0)) throw new RangeError(`heartbeat flush interval must be > 0 ms, got ${deps.intervalMs}`);
  }

  /** Nodes with a heartbeat not stored yet. */
  get pending(): number {
    return this.dirty.size;
  }

  /** Notes that the node's heartbeat changed in memory. */
  markDirty(name: string): void {
    this.dirty.add(name);
  }

  /** Starts the periodic flush. */
  start(): void {
    const clock = this.deps.clock ?? systemClock;
    this.stopTimer ??= clock.every(
      this.deps.intervalMs,
      () => {
        const nodes = this.dirty.size;
        this.flush().catch((error: unknown) => this.deps.onError(error, nodes));
      },
      { unref: true },
    );
  }

  /**
   * Writes every dirty node's current heartbeat in one transaction. On a
   * failure the nodes are dirty again (unless a newer heartbeat already made
   * them so) and the error is thrown to the caller.
   */
  flush(): Promise<void> {
    const run = this.inFlight.then(() => this.writeDirty());
    // The next flush waits for this one whether it fails or not.
    this.inFlight = run.catch(() => undefined);
    return run;
  }

  /** Stops the timer and writes what is still dirty; rejects if that last write fails. */
  async stop(): Promise<void> {
    this.stopTimer?.();
    this.stopTimer = undefined;
    await this.flush();
  }

  private async writeDirty(): Promise<void> {
    if (this.dirty.size === 0) return;
    const names = [...this.dirty];
    this.dirty.clear();
    const rows: HeartbeatRow[] = [];
    for (const name of names) {
      const row = this.deps.read(name);
      if (row) rows.push(row);
    }
    try {
      await this.deps.write(rows);
    } catch (error) {
      for (const name of names) this.dirty.add(name);
      throw error;
    }
  }
}
