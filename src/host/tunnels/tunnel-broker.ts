/**
 * Matches the runner's Tunnel streams to the SSH proxy connections that
 * asked for them. The proxy asks for a tunnel (an OpenTunnel command goes
 * down the runner's control stream); the runner dials the Host back with a
 * Tunnel stream whose first message names the tunnel id; the broker hands
 * that stream to the waiting proxy connection, or fails it after a timeout.
 */
import { randomUUID } from "node:crypto";
import type { TunnelRequest } from "../../../gen/hakuriver/v1/runner_pb.js";
import type { NodeRegistry } from "../runners/node-registry.js";
import { openTunnelCommand } from "../runners/runner-commands.js";
import { TunnelOutbox } from "./tunnel-outbox.js";

/** A tunnel stream from a runner, ready to be spliced to a socket. */
export interface RunnerTunnel {
  readonly tunnelId: string;
  /** Messages from the runner after the open (data and close). */
  readonly incoming: AsyncIterator<TunnelRequest>;
  /** Messages to the runner; ending it ends the stream. */
  readonly outbox: TunnelOutbox;
}

/** Why a tunnel could not be opened. */
export class TunnelOpenError extends Error {
  constructor(
    readonly reason: "timeout" | "offline" | "refused" | "failed",
    message: string,
  ) {
    super(message);
    this.name = "TunnelOpenError";
  }
}

interface Pending {
  resolve(tunnel: RunnerTunnel): void;
  reject(error: TunnelOpenError): void;
}

/** Pending tunnel requests, keyed by tunnel id. */
export class TunnelBroker {
  private readonly pending = new Map<string, Pending>();

  constructor(private readonly nodes: NodeRegistry) {}

  /** Number of tunnel requests waiting for their runner. */
  get waiting(): number {
    return this.pending.size;
  }

  /**
   * Asks `node`'s runner to open a tunnel to task `taskId`'s port `port`
   * and resolves with the stream once the runner dialled back. Rejects with
   * a TunnelOpenError when the node is offline, the runner reports an error,
   * or nothing arrives within `timeoutMs`. With `forward`, `port` is the
   * task's own port (a port forward) instead of its sshd.
   */
  open(node: string, taskId: string, port: number, timeoutMs: number, forward = false): Promise<RunnerTunnel> {
    const tunnelId = randomUUID();
    return new Promise<RunnerTunnel>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(tunnelId);
        reject(new TunnelOpenError("timeout", `no tunnel stream from ${node} within ${timeoutMs} ms`));
      }, timeoutMs);
      const settle = () => {
        clearTimeout(timer);
        this.pending.delete(tunnelId);
      };
      this.pending.set(tunnelId, {
        resolve: (tunnel) => (settle(), resolve(tunnel)),
        reject: (error) => (settle(), reject(error)),
      });
      const sent = this.nodes.send(node, openTunnelCommand(tunnelId, taskId, port, forward));
      if (!sent) this.pending.get(tunnelId)?.reject(new TunnelOpenError("offline", `node ${node} has no control stream`));
    });
  }

  /**
   * Hands a runner's stream to the waiting request. Returns the outbox the
   * stream handler must drain, or undefined when nobody waits for this id
   * (timed out, or unknown): the handler then ends the stream.
   */
  accept(tunnelId: string, error: string, incoming: AsyncIterator<TunnelRequest>): TunnelOutbox | undefined {
    const waiter = this.pending.get(tunnelId);
    if (!waiter) return undefined;
    if (error !== "") {
      waiter.reject(new TunnelOpenError(/refused/i.test(error) ? "refused" : "failed", error));
      return undefined;
    }
    const outbox = new TunnelOutbox();
    waiter.resolve({ tunnelId, incoming, outbox });
    return outbox;
  }
}
