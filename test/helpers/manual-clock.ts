/**
 * A clock for tests: time moves only when the test advances it, and timers
 * due by then fire in order, so heartbeats, backoff and pruning are tested
 * without sleeping.
 */
import type { CancelTimer, Clock } from "../../src/shared/clock.js";

interface Timer {
  at: number;
  readonly fn: () => void;
  readonly intervalMs?: number;
  cancelled: boolean;
}

/** A manual {@link Clock}. */
export class ManualClock implements Clock {
  private time: number;
  private readonly timers: Timer[] = [];

  constructor(startMs = 1_000_000) {
    this.time = startMs;
  }

  /** The manual time (ms); bound, so it can be passed as a `now` function. */
  readonly now = (): number => this.time;

  after(delayMs: number, fn: () => void): CancelTimer {
    return this.add({ at: this.time + delayMs, fn, cancelled: false });
  }

  every(intervalMs: number, fn: () => void): CancelTimer {
    return this.add({ at: this.time + intervalMs, fn, intervalMs, cancelled: false });
  }

  private add(timer: Timer): CancelTimer {
    this.timers.push(timer);
    return () => {
      timer.cancelled = true;
    };
  }

  /** Delays (from now, ms) of the timers still pending, soonest first. */
  pending(): number[] {
    return this.live().map((t) => t.at - this.time);
  }

  private live(): Timer[] {
    return this.timers.filter((t) => !t.cancelled).sort((a, b) => a.at - b.at);
  }

  /** Moves time on by `ms`, firing each timer due on the way (letting promises settle after each). */
  async advance(ms: number): Promise<void> {
    const end = this.time + ms;
    for (;;) {
      const next = this.live()[0];
      if (!next || next.at > end) break;
      this.time = next.at;
      if (next.intervalMs === undefined) next.cancelled = true;
      else next.at += Math.max(1, next.intervalMs);
      next.fn();
      await settle();
    }
    this.time = end;
    await settle();
  }

  /**
   * Lets the event loop run (real I/O such as SQLite, no sleeping) until at
   * least `count` timers are pending.
   */
  whenWaiting(count = 1): Promise<number[]> {
    return this.waitForTimer((delays) => delays.length >= count);
  }

  /** Waits (in real time, briefly) until a timer is pending; returns the delays. */
  async waitForTimer(predicate: (delays: number[]) => boolean = (d) => d.length > 0, timeoutMs = 5000): Promise<number[]> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.pending())) {
      if (Date.now() > deadline) throw new Error(`no matching timer within ${timeoutMs} ms (pending: ${this.pending().join(", ")})`);
      await new Promise((resolve) => setImmediate(resolve));
    }
    return this.pending();
  }
}

/** Lets queued promise callbacks and I/O callbacks run. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
