/**
 * Slows token guessing: after `maxFailures` failed logins from one address
 * within `windowMs`, every credentialed call from it is refused for
 * `lockoutMs` before any token is checked.
 */

/** Options of {@link LoginThrottle}. */
export interface LoginThrottleOptions {
  readonly maxFailures: number;
  readonly windowMs: number;
  readonly lockoutMs: number;
}

/** Defaults: 10 failures in a minute lock an address out for a minute. */
export const DEFAULT_LOGIN_THROTTLE: LoginThrottleOptions = { maxFailures: 10, windowMs: 60_000, lockoutMs: 60_000 };

/** Past this many remembered addresses, the forgettable ones are dropped on the next failure. */
const MAX_ADDRESSES = 10_000;

interface AddressRecord {
  failures: number[];
  lockedUntil: number;
}

/** Failure counts per address (in memory: a restart forgives). */
export class LoginThrottle {
  private readonly byAddress = new Map<string, AddressRecord>();

  constructor(
    private readonly options: LoginThrottleOptions,
    private readonly now: () => number,
  ) {}

  /** Milliseconds the address stays locked out, or 0. */
  lockedFor(address: string): number {
    const record = this.byAddress.get(address);
    if (!record) return 0;
    return Math.max(0, record.lockedUntil - this.now());
  }

  /** Counts a failure; returns true when this one locked the address out. */
  fail(address: string): boolean {
    if (this.byAddress.size >= MAX_ADDRESSES) this.prune();
    const now = this.now();
    const record = this.byAddress.get(address) ?? { failures: [], lockedUntil: 0 };
    record.failures = record.failures.filter((at) => at > now - this.options.windowMs);
    record.failures.push(now);
    this.byAddress.set(address, record);
    if (record.failures.length >= this.options.maxFailures) {
      record.lockedUntil = now + this.options.lockoutMs;
      record.failures = [];
      return true;
    }
    return false;
  }

  /** Forgets addresses with nothing to remember (done by `fail` once many are remembered). */
  prune(): void {
    const now = this.now();
    for (const [address, record] of this.byAddress) {
      if (record.lockedUntil <= now && record.failures.every((at) => at <= now - this.options.windowMs)) this.byAddress.delete(address);
    }
  }
}
