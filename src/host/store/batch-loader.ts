/**
 * Coalesces lookups by key that are asked for in the same turn (before the
 * next microtask runs) into one fetch of all their keys.
 *
 * Why: Kysely's SQLite driver guards its one connection with a mutex that
 * wakes every waiter on each release, so N concurrent single-row reads cost
 * O(N²) wake-ups: a 100,000-task submission's re-read of its tasks ran for
 * minutes. One `IN (...)` query per chunk of keys instead costs O(N).
 */

/** Fetches the values of many keys at once; a key missing from the map has no value. */
export type FetchMany<K, V> = (keys: readonly K[]) => Promise<ReadonlyMap<K, V>>;

interface Waiter<V> {
  readonly resolve: (value: V | undefined) => void;
  readonly reject: (error: unknown) => void;
}

/** See the file comment. Each `load` sees data at least as new as the moment it was called. */
export class BatchLoader<K, V> {
  private waiting = new Map<K, Waiter<V>[]>();

  constructor(private readonly fetchMany: FetchMany<K, V>) {}

  /** The value for `key`, or undefined when there is none; a failed fetch rejects every caller of that round. */
  load(key: K): Promise<V | undefined> {
    return new Promise<V | undefined>((resolve, reject) => {
      const waiters = this.waiting.get(key);
      if (waiters) waiters.push({ resolve, reject });
      else {
        if (this.waiting.size === 0) queueMicrotask(() => void this.flush());
        this.waiting.set(key, [{ resolve, reject }]);
      }
    });
  }

  private async flush(): Promise<void> {
    const round = this.waiting;
    this.waiting = new Map();
    try {
      const values = await this.fetchMany([...round.keys()]);
      for (const [key, waiters] of round) for (const waiter of waiters) waiter.resolve(values.get(key));
    } catch (error) {
      for (const waiters of round.values()) for (const waiter of waiters) waiter.reject(error);
    }
  }
}
