/**
 * A clock and timers that move only when the test says so: `now` and
 * {@link Timers} for code under test, `advance` to fire what is due, and
 * `whenWaiting` to let real I/O (SQLite, microtasks) run until the code
 * under test has set a timer.
 */
import type { TimerHandle, Timers } from "../../src/shared/timers.js";

interface Pending {
  readonly id: number;
  readonly at: number;
  readonly callback: () => void;
}

/** Fake time, starting at `startMs`. */
export class FakeClock implements Timers {
  private time: number;
  private nextId = 1;
  private readonly timers = new Map<number, Pending>();

  constructor(startMs = 1_700_000_000_000) {
    this.time = startMs;
  }

  /** The fake time (ms); bound, so it can be passed as a `now` function. */
  readonly now = (): number => this.time;

  /** Timers set and not yet fired or cleared. */
  get pending(): number {
    return this.timers.size;
  }

  setTimeout(callback: () => void, ms: number): TimerHandle {
    const id = this.nextId++;
    this.timers.set(id, { id, at: this.time + Math.max(0, ms), callback });
    return id;
  }

  clearTimeout(handle: TimerHandle): void {
    this.timers.delete(handle as number);
  }

  /** Moves time forward by `ms`, firing every timer due on the way, in order. */
  advance(ms: number): void {
    const target = this.time + ms;
    for (;;) {
      const due = [...this.timers.values()].filter((t) => t.at <= target).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (!due) break;
      this.timers.delete(due.id);
      this.time = due.at;
      due.callback();
    }
    this.time = target;
  }

  /**
   * Lets the event loop run (one macrotask turn at a time, no sleeping)
   * until at least `count` timers are pending; throws after `maxTurns`.
   */
  async whenWaiting(count = 1, maxTurns = 10_000): Promise<void> {
    for (let turn = 0; this.timers.size < count; turn++) {
      if (turn >= maxTurns) throw new Error(`no timer was set within ${maxTurns} event-loop turns`);
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }
}
