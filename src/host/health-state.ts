/**
 * What the standard health service (grpc.health.v1) reports: a serving
 * status per service name, "" standing for the Host as a whole.
 *
 * States, per service name:
 * ```
 *   (unknown) ──set──▶ SERVING ◀──set──▶ NOT_SERVING
 *        │                 │                  ▲
 *        └──── shutdown() ─┴──────────────────┘   (final: set() is ignored after)
 * ```
 * Shutdown is one-way, as grpc-go's `Shutdown`: every known service turns
 * NOT_SERVING at once and stays so, whatever a late `set` says, so that a
 * load balancer never sees a stopping Host come back.
 */
import { HealthCheckResponse_ServingStatus as ServingStatus } from "../../gen/grpc/health/v1/health_pb.js";

/** The protocol's serving statuses (UNKNOWN, SERVING, NOT_SERVING, SERVICE_UNKNOWN), re-exported under a shorter name. */
export { ServingStatus };

/** The name that stands for the whole server in the health protocol. */
export const WHOLE_SERVER = "";

/** Called with a service's new status (only on a real change). */
type Listener = (status: ServingStatus) => void;

/** Serving statuses by service name, with watchers; starts with every given name SERVING. */
export class HealthState {
  private readonly statuses = new Map<string, ServingStatus>();
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly shutdownListeners = new Set<() => void>();
  private stopping = false;

  /** `services` (plus {@link WHOLE_SERVER}) start SERVING. */
  constructor(services: readonly string[]) {
    for (const name of [WHOLE_SERVER, ...services]) this.statuses.set(name, ServingStatus.SERVING);
  }

  /** True once {@link shutdown} has been called. */
  get shuttingDown(): boolean {
    return this.stopping;
  }

  /** The status of `service`, or undefined when the name is unknown. */
  status(service: string): ServingStatus | undefined {
    return this.statuses.get(service);
  }

  /** Every known service and its status, in the order they became known. */
  list(): ReadonlyMap<string, ServingStatus> {
    return new Map(this.statuses);
  }

  /**
   * Sets `service`'s status (adding the name when it is new) and tells its
   * watchers when it changed. Ignored after {@link shutdown}: returns false then.
   */
  set(service: string, status: ServingStatus): boolean {
    if (this.stopping) return false;
    this.change(service, status);
    return true;
  }

  /** Turns every service NOT_SERVING for good (idempotent); watchers hear it before this returns. */
  shutdown(): void {
    if (this.stopping) return;
    this.stopping = true;
    for (const name of this.statuses.keys()) this.change(name, ServingStatus.NOT_SERVING);
    for (const listener of [...this.shutdownListeners]) listener();
  }

  /** Calls `listener` once shutdown begins, after the statuses changed (watchers of unknown names end on it); returns the unsubscribe. */
  onShutdown(listener: () => void): () => void {
    this.shutdownListeners.add(listener);
    return () => this.shutdownListeners.delete(listener);
  }

  /** Calls `listener` on each later change of `service` (known or not yet); returns the unsubscribe. */
  onChange(service: string, listener: Listener): () => void {
    let set = this.listeners.get(service);
    if (!set) this.listeners.set(service, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(service);
    };
  }

  /** How many watchers are subscribed, over all names (for tests and the drain). */
  get watcherCount(): number {
    let count = 0;
    for (const set of this.listeners.values()) count += set.size;
    return count;
  }

  private change(service: string, status: ServingStatus): void {
    if (this.statuses.get(service) === status) return;
    this.statuses.set(service, status);
    for (const listener of [...(this.listeners.get(service) ?? [])]) listener(status);
  }
}

/**
 * The statuses a Watch of `service` reports: the current one
 * (SERVICE_UNKNOWN for an unknown name), then each change, until `signal`
 * aborts. After shutdown it ends right after reporting NOT_SERVING (or the
 * unknown name's SERVICE_UNKNOWN): a stopping Host has nothing more to say,
 * and a stream that has ended lets the Host's drain finish early.
 */
export async function* watchStatus(state: HealthState, service: string, signal: AbortSignal): AsyncGenerator<ServingStatus> {
  let pending: ServingStatus[] = [];
  let wake: (() => void) | undefined;
  const unsubscribe = state.onChange(service, (status) => {
    pending.push(status);
    wake?.();
  });
  const wakeUp = () => wake?.();
  const unsubscribeShutdown = state.onShutdown(wakeUp);
  signal.addEventListener("abort", wakeUp, { once: true });
  try {
    let last = state.status(service) ?? ServingStatus.SERVICE_UNKNOWN;
    yield last;
    for (;;) {
      if (signal.aborted) return;
      if (pending.length === 0) {
        if (state.shuttingDown) return;
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
        continue;
      }
      // Only the latest status matters to a watcher; intermediate flips are coalesced.
      const latest = pending.at(-1)!;
      pending = [];
      if (latest !== last) yield (last = latest);
    }
  } finally {
    unsubscribe();
    unsubscribeShutdown();
    signal.removeEventListener("abort", wakeUp);
  }
}
