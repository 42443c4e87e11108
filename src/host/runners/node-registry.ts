/**
 * What the Host knows about every node right now: detected resources, last
 * usage, heartbeat time, drain flag, and the live control session (if any).
 * Persisted through NodeRepo so a restarted Host still lists its nodes.
 */
import { create, fromJson, toJson, type JsonValue } from "@bufbuild/protobuf";
import { type Resources, ResourcesSchema, type Usage, UsageSchema } from "../../../gen/hakuriver/v1/types_pb.js";
import type { NodeRepo } from "../store/node-repo.js";
import type { ChangeFeed } from "../watch/change-feed.js";
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

/**
 * Tracks nodes, their sessions and their {@link NodeStatusName} (see
 * node-status.ts). Every change of a node (hello, stream end, lost,
 * heartbeat, drain) goes to the watchers' {@link ChangeFeed}, when there is one.
 */
export class NodeRegistry {
  private readonly nodes = new Map<string, NodeState>();
  /** Nodes the monitor declared lost; a hello takes a node off. */
  private readonly lost = new Set<string>();

  constructor(
    private readonly repo: NodeRepo,
    private readonly feed?: ChangeFeed,
  ) {}

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

  /** Records a heartbeat. */
  async heartbeat(name: string, usage: Usage, now: number): Promise<void> {
    const state = this.nodes.get(name);
    if (!state) return;
    state.usage = usage;
    state.lastHeartbeat = now;
    // Announced before the write: the new usage is what the Host shows from now on, stored or not.
    this.feed?.node(name);
    await this.repo.heartbeat(name, toJson(UsageSchema, usage), now);
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

