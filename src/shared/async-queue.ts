/**
 * An unbounded async queue: producers `push`, one consumer iterates with
 * `for await`. `end()` finishes the iteration after what is queued.
 */
export class AsyncQueue<T> implements AsyncIterable<T> {
  private readonly items: T[] = [];
  private waiter: (() => void) | undefined;
  private ended = false;

  /** Queues an item; ignored after `end()`. */
  push(item: T): void {
    if (this.ended) return;
    this.items.push(item);
    this.wake();
  }

  /** Ends the queue; the consumer sees the items already queued, then stops. */
  end(): void {
    this.ended = true;
    this.wake();
  }

  /** True once `end()` was called. */
  get isEnded(): boolean {
    return this.ended;
  }

  /** Items waiting to be consumed. */
  get length(): number {
    return this.items.length;
  }

  /** Removes and returns the next queued item if `match` accepts it; never waits. */
  shiftIf(match: (item: T) => boolean): T | undefined {
    const next = this.items[0];
    if (next === undefined || !match(next)) return undefined;
    return this.items.shift();
  }

  private wake(): void {
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (;;) {
      if (this.items.length > 0) {
        yield this.items.shift()!;
        continue;
      }
      if (this.ended) return;
      await new Promise<void>((resolve) => {
        this.waiter = resolve;
      });
    }
  }
}
