/**
 * Reads an async iterator step by step, with a way to stop waiting for the
 * next step (a revoked token, an aborted call). The obvious
 * `Promise.race([iterator.next(), stopped])` adds a reaction to the
 * long-lived `stopped` promise at every step, kept until it settles (often
 * never): a runner's control stream leaked one per message, about 2 KB a
 * task. Here each step's promise is its own and the interruption reaches
 * only the step being waited for.
 */

/** What {@link InterruptibleReader.next} gives when interrupted. */
export const INTERRUPTED = Symbol("interrupted");

/** Steps of `iterator` until {@link interrupt} is called. */
export class InterruptibleReader<T> {
  private interrupted = false;
  private wake: (() => void) | undefined;

  constructor(private readonly iterator: AsyncIterator<T>) {}

  /** Makes the step being waited for, and every later one, give {@link INTERRUPTED}. */
  interrupt(): void {
    this.interrupted = true;
    this.wake?.();
  }

  /** The iterator's next step, or INTERRUPTED once {@link interrupt} was called. */
  async next(): Promise<IteratorResult<T> | typeof INTERRUPTED> {
    if (this.interrupted) return INTERRUPTED;
    try {
      return await new Promise<IteratorResult<T> | typeof INTERRUPTED>((resolve, reject) => {
        this.wake = () => resolve(INTERRUPTED);
        this.iterator.next().then(resolve, reject);
      });
    } finally {
      this.wake = undefined;
    }
  }
}
