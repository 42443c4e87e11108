/**
 * What the Host knows about every node right now: detected resources, last
 * usage, heartbeat time, drain flag, and the live control session (if any).
 * Persisted through NodeRepo so a restarted Host still lists its nodes;
 * heartbeats reach the store in batches (see heartbeat-flusher.ts), so the
 * store's last-seen times may lag memory by up to the flush interval.
 */
import { create, fromJson, toJson, type JsonValue } from "@bufbuild/protobuf";
import { type Resources, ResourcesSchema, type Usage, UsageSchema } from "../../../gen/hakuriver/v1/types_pb.js";
import type { Clock } from "../../shared/clock.js";
import type { HeartbeatRow, NodeRepo } from "../store/node-repo.js";
import type { ChangeFeed } from "../watch/change-feed.js";
import { HeartbeatFlusher } from "./heartbeat-flusher.js";
import type { NodeStatusName } from "./node-status.js";
import { drainCommand, type RunnerCommand } from "./runner-commands.js";

/**
 * A live control stream. It opens with the welcome: what is sent before
 * `welcome` is held back and follows it, so a runner never receives a
 * command before its welcome (it drops those).
 */
export interface RunnerSession {
  readonly id: number;
  /** Queues a message to the runner (held back until the welcome has been sent). */
  send(message: RunnerCommand): void;
  /** Sends the welcome, then everything held back. */
  welcome(message: RunnerCommand): void;
  /** Ends the stream (the runner will reconnect). */
  close(reason: string): void;
}

/** A node as kept in memory. */
export interface NodeState {
  readonly name: string;
  resources: Resources;
  usage: Usage;
  lastHeartbeat: number;
  drained: boolean;
  version: string;
  session: RunnerSession | undefined;
  /** The join token this name is bound to (the first that registered it); null = not bound yet. */
  joinTokenId: string | null;
}

/** Options of {@link NodeRegistry}. */
export interface NodeRegistryOptions {
  /**
   * Milliseconds between writes of heartbeats to the store (`timing.heartbeat_flush_interval`);
   * 0 (the default here) writes every heartbeat as it arrives, the old way.
   */
  readonly heartbeatFlushIntervalMs?: number;
  /** A periodic heartbeat flush failed (its nodes are written at the next one); required with a flush interval. */
  readonly onFlushError?: (error: unknown, nodes: number) => void;
  readonly clock?: Pick<Clock, "every">;
}

/**
 * Tracks nodes, their sessions and their {@link NodeStatusName} (see
 * node-status.ts). Every change of a node (hello, stream end, lost,
 * heartbeat, drain) goes to the watchers' {@link ChangeFeed}, when there is one.
 */
export class NodeRegistry {
  private readonly nodes = new Map<string, NodeState>();
  /** Nodes the monitor declared lost; a hello takes a node off. */
  private readonly lost = new Set<string>();

  /** Batches heartbeat writes; undefined writes each heartbeat at once. */
  private readonly flusher: HeartbeatFlusher | undefined;

  constructor(
    private readonly repo: NodeRepo,
    private readonly feed?: ChangeFeed,
    options: NodeRegistryOptions = {},
  ) {
    const intervalMs = options.heartbeatFlushIntervalMs ?? 0;
    if (intervalMs > 0) {
      if (!options.onFlushError) throw new RangeError("a heartbeat flush interval needs onFlushError: a failed flush must be reported");
      this.flusher = new HeartbeatFlusher({
        read: (name) => this.heartbeatRow(name),
        write: (rows) => repo.heartbeats(rows),
        intervalMs,
        onError: options.onFlushError,
        ...(options.clock ? { clock: options.clock } : {}),
      });
    }
  }

  /** Starts the periodic heartbeat flush (nothing to start when every heartbeat is written at once). */
  start(): void {
    this.flusher?.start();
  }

  /** Stops the flush and writes the heartbeats not stored yet; call before closing the database. */
  async stop(): Promise<void> {
    await this.flusher?.stop();
  }

  /** Writes the heartbeats not stored yet now (tests; the timer does it on its own). */
  async flush(): Promise<void> {
    await this.flusher?.flush();
  }

  private heartbeatRow(name: string): HeartbeatRow | undefined {
    const state = this.nodes.get(name);
    return state ? { name, usage: toJson(UsageSchema, state.usage), at: state.lastHeartbeat } : undefined;
  }

  /** Loads persisted nodes; all start offline until their runner dials in. */
  async load(): Promise<void> {
    for (const record of await this.repo.list()) {
      this.nodes.set(record.name, {
        name: record.name,
        resources: fromJson(ResourcesSchema, record.resources as JsonValue, { ignoreUnknownFields: true }),
        usage: fromJson(UsageSchema, record.usage as JsonValue, { ignoreUnknownFields: true }),
        lastHeartbeat: record.lastHeartbeat,
        drained: record.drained,
        version: record.version,
        session: undefined,
        joinTokenId: record.joinTokenId,
      });
    }
  }

  /** Registers a runner's hello; replaces (and closes) an older session of the same name. */
  async attach(name: string, resources: Resources, version: string, session: RunnerSession, now: number, joinTokenId: string | null = null): Promise<NodeState> {
    const existing = this.nodes.get(name);
    if (existing?.session && existing.session.id !== session.id) existing.session.close("replaced by a newer connection");
    const state: NodeState = existing ?? {
      name,
      resources,
      usage: create(UsageSchema),
      lastHeartbeat: now,
      drained: false,
      version,
      session,
      joinTokenId,
    };
    state.resources = resources;
    if (joinTokenId !== null) state.joinTokenId = joinTokenId;
    state.version = version;
    state.session = session;
    state.lastHeartbeat = now;
    this.nodes.set(name, state);
    this.lost.delete(name);
    await this.repo.upsert({
      name,
      resources: toJson(ResourcesSchema, resources),
      usage: toJson(UsageSchema, state.usage),
      lastHeartbeat: now,
      drained: state.drained,
      version,
      registeredAt: now,
      joinTokenId: state.joinTokenId,
    });
    this.feed?.node(name);
    return state;
  }

  /** Forgets a session when its stream ends (only if it is still the current one). */
  detach(name: string, sessionId: number): boolean {
    const state = this.nodes.get(name);
    if (!state?.session || state.session.id !== sessionId) return false;
    state.session = undefined;
    this.feed?.node(name);
    return true;
  }

  /**
   * Records a heartbeat in memory, where every reader looks, and stores it
   * at the next flush (or at once, with no flush interval; then a failed
   * write rejects, with the heartbeat already applied in memory).
   */
  async heartbeat(name: string, usage: Usage, now: number): Promise<void> {
    const state = this.nodes.get(name);
    if (!state) return;
    state.usage = usage;
    state.lastHeartbeat = now;
    // Announced before the write: the new usage is what the Host shows from now on, stored or not.
    this.feed?.node(name);
    if (this.flusher) this.flusher.markDirty(name);
    else await this.repo.heartbeat(name, toJson(UsageSchema, usage), now);
  }

  /** Sets the drain flag and tells the runner. */
  async setDrained(name: string, drained: boolean): Promise<NodeState | undefined> {
    const state = this.nodes.get(name);
    if (!state) return undefined;
    state.drained = drained;
    await this.repo.setDrained(name, drained);
    this.feed?.node(name);
    state.session?.send(drainCommand(drained));
    return state;
  }

  /** Sends a command to a node's runner; false when it has no live session. */
  send(name: string, message: RunnerCommand): boolean {
    const session = this.nodes.get(name)?.session;
    if (!session) return false;
    session.send(message);
    return true;
  }

  /** The node, if it ever registered. */
  get(name: string): NodeState | undefined {
    return this.nodes.get(name);
  }

  /** Every node, sorted by name. */
  all(): NodeState[] {
    return [...this.nodes.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  /** The node's status; undefined for a node never registered. */
  status(name: string): NodeStatusName | undefined {
    const state = this.nodes.get(name);
    if (!state) return undefined;
    if (state.session) return "connected";
    return this.lost.has(name) ? "lost" : "disconnected";
  }

  /**
   * Declares a node lost (its heartbeat timed out): closes and forgets its
   * session if it still has one. True when the node was not lost before.
   */
  markLost(name: string, reason: string): boolean {
    const state = this.nodes.get(name);
    if (!state) return false;
    if (state.session) {
      state.session.close(reason);
      state.session = undefined;
    }
    if (this.lost.has(name)) return false;
    this.lost.add(name);
    this.feed?.node(name);
    return true;
  }

  /** True while the node is connected (its runner holds its control stream). */
  isOnline(name: string): boolean {
    return this.status(name) === "connected";
  }
}

