/**
 * The requests in flight on the API port that a graceful stop waits for.
 * A request counts from its arrival until its response closes (the last
 * frame sent, or the peer gone), the moment it is safe to drop the
 * connection under it.
 */

/** A response of the http or http2 module: both emit "close" once done. */
interface Closable {
  once(event: "close", listener: () => void): unknown;
}

/** Counts requests whose path `waitsFor` accepts, until their responses close. */
export class InFlight {
  private readonly open = new Set<Closable>();
  private readonly idle = new Set<() => void>();

  /** `waitsFor(path)` says whether a request on `path` holds up {@link settled}. */
  constructor(private readonly waitsFor: (path: string) => boolean) {}

  /** How many counted requests are open now. */
  get count(): number {
    return this.open.size;
  }

  /** Counts the request on `path` until `response` closes (when `waitsFor` accepts the path). */
  track(path: string, response: Closable): void {
    if (!this.waitsFor(path)) return;
    this.open.add(response);
    response.once("close", () => {
      this.open.delete(response);
      if (this.open.size === 0) for (const wake of [...this.idle]) wake();
    });
  }

  /** Resolves once no counted request is open, or after `timeoutMs`, with how many were still open. */
  settled(timeoutMs: number): Promise<number> {
    if (this.open.size === 0 || timeoutMs <= 0) return Promise.resolve(this.open.size);
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.idle.delete(done);
        resolve(this.open.size);
      };
      const timer = setTimeout(done, timeoutMs);
      this.idle.add(done);
    });
  }
}
