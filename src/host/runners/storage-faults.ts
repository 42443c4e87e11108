/**
 * What the control plane does when the Host's own disk fails it. A full or
 * broken disk is the Host's problem, not the runner's, so the runner's
 * stream stays up (kill and pause still reach it, and its node never looks
 * offline, which would turn its tasks `lost`):
 *
 * - a task event that cannot be stored is held here, in order, and retried
 *   on the node's heartbeats; if the stream ends first, the runner's hello
 *   re-reports it from its inventory (ended tasks are kept there);
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

interface NodeFaults {
  held: TaskEvent[];
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
    if (!faults) this.nodes.set(node, (faults = { held: [], holding: false, outputGaps: new Map(), lastResyncAt: 0 }));
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
   * already held go first, so a task's events are stored in order.
   */
  async taskEvent(node: string, event: TaskEvent, apply: (event: TaskEvent) => Promise<void>): Promise<void> {
    const faults = this.of(node);
    faults.held.push(event);
    if (faults.held.length > MAX_HELD_EVENTS) faults.held.shift();
    await this.retry(node, apply);
  }

  /** Stores held events in order until the store refuses one (called on heartbeats). */
  async retry(node: string, apply: (event: TaskEvent) => Promise<void>): Promise<void> {
    const faults = this.nodes.get(node);
    if (!faults) return;
    while (faults.held.length > 0) {
      const event = faults.held[0]!;
      try {
        await apply(event);
      } catch (error) {
        if (!(error instanceof StorageFault)) throw error;
        faults.holding = true;
        this.report(`event:${node}`, error, { node, taskId: event.taskId, held: faults.held.length }, "could not store a task event; holding it and retrying on heartbeats");
        return;
      }
      faults.held.shift();
    }
    // One line when a fault clears, so the log says the held events were not lost.
    if (faults.holding) this.log.warn({ node }, "stored the task events held during a storage fault");
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
