/**
 * A small concurrency limit: a burst of simultaneous container starts can
 * deadlock dockerd 20.10, so starts go through a few slots at a time.
 */
export class Limiter {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  /** `slots` tasks may run at once (at least 1). */
  constructor(private readonly slots: number) {}

  /** Runs `fn` when a slot is free; the slot is released when it settles. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= Math.max(1, this.slots)) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active += 1;
    try {
      return await fn();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active -= 1;
    }
  }
}
