/**
 * What the control plane does when the Host's own disk fails it. A full or
 * broken disk is the Host's problem, not the runner's, so the runner's
 * stream stays up (kill and pause still reach it, and its node never looks
 * offline, which would turn its tasks `lost`):
 *
 * - a task event that cannot be stored is held here, in order, and retried
 *   on the node's heartbeats; if the stream ends first, the runner's hello
 *   re-reports it from its inventory (ended tasks are kept there). Events
 *   are applied as soon as they arrive (the change is staged in memory) and
 *   their writes join the next group commit, so a runner's events never
 *   wait for each other's fsync; an event whose commit fails goes back to
 *   the held ones, in its place by arrival;
 * - a heartbeat that cannot be persisted is still applied in memory;
 * - output that cannot be stored is marked on the task, so its final
 *   message says so, and the node is asked to reconnect once the disk has
 *   room again: the welcome's cursors make the runner re-send the rest.
 *
 * Every fault is logged, at most once per {@link LOG_EVERY_MS} per kind of
 * fault and node, with how many were folded in since.
 */
import { statfsSync } from "node:fs";
import type { Logger } from "pino";
import type { TaskEvent } from "../../../gen/hakuriver/v1/runner_pb.js";
import { StorageFault } from "../../shared/storage-errors.js";

/** Repeats of one fault are logged at most this often. */
export const LOG_EVERY_MS = 30_000;

/** A node is asked to reconnect for re-sending output at most this often. */
export const RESYNC_EVERY_MS = 10_000;

/** Held events per node beyond which the oldest are dropped (the runner's hello re-reports them). */
const MAX_HELD_EVENTS = 10_000;

/** An event waiting to be applied, with its place in the node's arrival order. */
interface HeldEvent {
  readonly seq: number;
  readonly event: TaskEvent;
}

/**
 * Applies a task event: resolves once its change is staged (visible to
 * reads), with `committed`, which settles with its write. Rejects with a
 * StorageFault when it cannot even be staged (the task could not be read).
 */
export type ApplyTaskEvent = (event: TaskEvent) => Promise<{ readonly committed: Promise<unknown> }>;

interface NodeFaults {
  held: HeldEvent[];
  /** Events applied whose commit has not settled yet. */
  inFlight: number;
  /** The store refused a held event since the queue was last empty. */
  holding: boolean;
  /** Tasks whose output the Host is missing, with the directory that was full. */
  readonly outputGaps: Map<string, string>;
  lastResyncAt: number;
}

/** Storage-fault bookkeeping of the control plane, per node. */
export class RunnerStorageFaults {
  private readonly nodes = new Map<string, NodeFaults>();
  private readonly logged = new Map<string, { at: number; folded: number }>();
  private nextSeq = 0;

  constructor(
    private readonly log: Logger,
    private readonly now: () => number,
    /** Free bytes at a path; statfs by default (a test may inject). */
    private readonly freeBytes: (path: string) => number = (path) => {
      const stats = statfsSync(path);
      return stats.bavail * stats.bsize;
    },
  ) {}

  private of(node: string): NodeFaults {
    let faults = this.nodes.get(node);
    if (!faults) this.nodes.set(node, (faults = { held: [], inFlight: 0, holding: false, outputGaps: new Map(), lastResyncAt: 0 }));
    return faults;
  }

  /** Logs a fault unless the same one (key) was logged in the last LOG_EVERY_MS. */
  report(key: string, fault: StorageFault, context: Record<string, unknown>, message: string): void {
    const now = this.now();
    const last = this.logged.get(key);
    if (last && now - last.at < LOG_EVERY_MS) {
      last.folded++;
      return;
    }
    this.logged.set(key, { at: now, folded: 0 });
    this.log.error({ ...context, path: fault.path, err: fault.message, repeatsSinceLastLog: last?.folded ?? 0 }, message);
  }

  /**
   * Applies a task event, or holds it when the store refuses it. Events
   * already held go first, so a task's events are applied in order.
   */
  async taskEvent(node: string, event: TaskEvent, apply: ApplyTaskEvent): Promise<void> {
    const faults = this.of(node);
    faults.held.push({ seq: this.nextSeq++, event });
    if (faults.held.length > MAX_HELD_EVENTS) faults.held.shift();
    await this.retry(node, apply);
  }

  /** Applies held events in order until the store refuses one (called on heartbeats). */
  async retry(node: string, apply: ApplyTaskEvent): Promise<void> {
    const faults = this.nodes.get(node);
    if (!faults) return;
    while (faults.held.length > 0) {
      const held = faults.held[0]!;
      let committed: Promise<unknown>;
      try {
        ({ committed } = await apply(held.event));
      } catch (error) {
        if (!(error instanceof StorageFault)) throw error;
        this.refused(node, faults, error, held.event);
        return;
      }
      faults.held.shift();
      faults.inFlight++;
      committed.then(
        () => this.settled(node, faults),
        (error: unknown) => this.commitFailed(node, faults, held, error),
      );
    }
    this.settled(node, faults, 0);
  }

  private refused(node: string, faults: NodeFaults, error: StorageFault, event: TaskEvent): void {
    faults.holding = true;
    this.report(`event:${node}`, error, { node, taskId: event.taskId, held: faults.held.length }, "could not store a task event; holding it and retrying on heartbeats");
  }

  /** An applied event's write failed: its change was undone; it goes back among the held ones, in arrival order. */
  private commitFailed(node: string, faults: NodeFaults, held: HeldEvent, error: unknown): void {
    if (error instanceof StorageFault) {
      const at = faults.held.findIndex((other) => other.seq > held.seq);
      faults.held.splice(at < 0 ? faults.held.length : at, 0, held);
      this.refused(node, faults, error, held.event);
    } else {
      // Not the disk: retrying would fail alike. The runner's next hello re-reports the task from its inventory.
      this.log.error({ node, taskId: held.event.taskId, err: error instanceof Error ? error.message : String(error) }, "could not store a task event (not a storage fault); dropped it");
    }
    this.settled(node, faults);
  }

  /** One write settled (`settledNow` of them); logs once when a fault has cleared and everything held is stored. */
  private settled(node: string, faults: NodeFaults, settledNow = 1): void {
    faults.inFlight -= settledNow;
    if (!faults.holding || faults.inFlight > 0 || faults.held.length > 0) return;
    // One line when a fault clears, so the log says the held events were not lost.
    this.log.warn({ node }, "stored the task events held during a storage fault");
    faults.holding = false;
  }

  /** A heartbeat that could not be persisted (it was applied in memory). */
  heartbeatFault(node: string, fault: StorageFault): void {
    this.report(`heartbeat:${node}`, fault, { node }, "could not persist a heartbeat (kept in memory; the node stays online)");
  }

  /** Output of a task that could not be stored. */
  outputFault(node: string, taskId: string, fault: StorageFault): void {
    this.of(node).outputGaps.set(taskId, fault.path);
    this.report(`output:${node}`, fault, { node, taskId }, "could not store task output; the runner keeps it and re-sends it once there is room");
  }

  /** Says, for a task's final message, that its output is incomplete on the Host; undefined when it is not. */
  outputNote(node: string, taskId: string): string | undefined {
    const path = this.nodes.get(node)?.outputGaps.get(taskId);
    return path === undefined ? undefined : `output could not be stored on the Host (disk full at ${path}); the runner re-sends it once there is room`;
  }

  /**
   * True when the node should reconnect to re-send output: some of it is
   * missing, its disk has room again, and no resync was asked for recently.
   */
  shouldResync(node: string): boolean {
    const faults = this.nodes.get(node);
    if (!faults || faults.outputGaps.size === 0) return false;
    const now = this.now();
    if (now - faults.lastResyncAt < RESYNC_EVERY_MS) return false;
    const dirs = new Set(faults.outputGaps.values());
    for (const dir of dirs) {
      try {
        if (this.freeBytes(dir) <= 0) return false;
      } catch (error) {
        this.log.warn({ node, path: dir, err: error instanceof Error ? error.message : String(error) }, "could not check free space for task output");
        return false;
      }
    }
    faults.lastResyncAt = now;
    faults.outputGaps.clear();
    this.log.warn({ node, paths: [...dirs] }, "output storage has room again; asking the runner to reconnect and re-send what is missing");
    return true;
  }

  /**
   * Forgets a node's faults when its stream ends: its next hello re-reports
   * held events from its inventory, and the welcome's cursors make it re-send
   * missing output (which is marked again if the disk still refuses it).
   */
  forget(node: string): void {
    const faults = this.nodes.get(node);
    if (!faults) return;
    faults.held = [];
    faults.holding = false;
    faults.outputGaps.clear();
  }
}
