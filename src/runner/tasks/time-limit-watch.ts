/**
 * The clock of one task's time limit on its runner. It counts only time
 * the task runs: started when the task runs, stopped while it is paused,
 * and fires once when the running time reaches the limit.
 *
 * Why the runner and not the Host: only the runner sees the task start,
 * pause and resume as they happen, and it goes on counting (and stopping
 * the task) while the Host is down or unreachable; the Host learns the
 * TIMEOUT from the event, or from the next hello's inventory. The state
 * ({@link TimeLimitState}) goes into the runner's state file, so a runner
 * that restarts and re-adopts a container keeps counting where it was,
 * the time it was away included (the container ran meanwhile).
 */
import type { CancelTimer, Clock } from "../../shared/clock.js";

/**
 * The longest single timer: Node fires a `setTimeout` of more than
 * 2^31 − 1 ms at once, so longer limits wait in steps of this.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** Where a limit's clock stands, as the state file keeps it. */
export interface TimeLimitState {
  /** The limit (ms of running time). */
  readonly limitMs: number;
  /** Running time counted up to `runningSince` (or up to the pause). */
  readonly usedMs: number;
  /** When the current run began (ms since the epoch); null while paused or not started. */
  readonly runningSince: number | null;
}

/** One task's limit: {@link run} and {@link pause} as the task does, {@link stop} when it ends. */
export class TimeLimitWatch {
  private usedBefore: number;
  private since: number | null = null;
  private cancel: CancelTimer | undefined;
  private fired = false;

  /**
   * `onReached` is called once, when the running time reaches `limitMs`.
   * `usedMs` is running time already spent (a re-adopted task's).
   */
  constructor(
    readonly limitMs: number,
    private readonly clock: Clock,
    private readonly onReached: () => void,
    usedMs = 0,
  ) {
    this.usedBefore = usedMs;
  }

  /** A watch from a recorded state (the clock runs on if it was running: the task ran while the runner was away). */
  static fromState(state: TimeLimitState, clock: Clock, onReached: () => void): TimeLimitWatch {
    const awayMs = state.runningSince === null ? 0 : Math.max(0, clock.now() - state.runningSince);
    return new TimeLimitWatch(state.limitMs, clock, onReached, state.usedMs + awayMs);
  }

  /** Counts from now on (a start or a resume); running already changes nothing. */
  run(): void {
    if (this.since !== null || this.fired) return;
    this.since = this.clock.now();
    this.arm();
  }

  /** Stops counting (a pause); the time run so far is kept. */
  pause(): void {
    if (this.since === null) return;
    this.usedBefore += this.clock.now() - this.since;
    this.since = null;
    this.disarm();
  }

  /** Stops for good (the task ended); never fires after this. */
  stop(): void {
    this.pause();
    this.fired = true;
  }

  /** Running time spent so far (ms). */
  usedMs(): number {
    return this.usedBefore + (this.since === null ? 0 : this.clock.now() - this.since);
  }

  /** The state to record. */
  state(): TimeLimitState {
    return { limitMs: this.limitMs, usedMs: this.usedBefore, runningSince: this.since };
  }

  private arm(): void {
    this.disarm();
    const left = this.limitMs - this.usedMs();
    if (left <= 0) {
      this.reach();
      return;
    }
    // Re-checked when it fires: a timer may fire a little early, and a long limit waits in steps.
    this.cancel = this.clock.after(Math.min(left, MAX_TIMER_MS), () => {
      this.cancel = undefined;
      if (this.since !== null) this.arm();
    }, { unref: true });
  }

  private disarm(): void {
    this.cancel?.();
    this.cancel = undefined;
  }

  private reach(): void {
    if (this.fired) return;
    this.fired = true;
    this.onReached();
  }
}
