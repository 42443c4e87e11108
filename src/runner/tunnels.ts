/**
 * The runner's side of SSH tunnels. When the Host sends OpenTunnel on the
 * control stream, the runner connects to the VPS's sshd on its own loopback
 * and opens one Tunnel stream back to the Host (a runner behind NAT can
 * always dial out). Each tunnel gets its own HTTP/2 connection, so a slow
 * session never holds flow-control window that the control stream or other
 * sessions need, and the connection is closed with the session.
 *
 * Back-pressure both ways through the byte pipe both tunnel ends share
 * (`shared/byte-pipe.ts`). A FIN either way becomes a `close` message.
 */
import type { SecureClientSessionOptions } from "node:http2";
import { connect, type Socket } from "node:net";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport, type Http2SessionManager } from "@connectrpc/connect-node";
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { Logger } from "pino";
import { type OpenTunnel, RunnerService, type TunnelRequestSchema } from "../../gen/hakuriver/v1/runner_pb.js";
import { PipeOutbox, writeWithBackPressure } from "../shared/byte-pipe.js";
import type { HostTlsOptions } from "../shared/tls-client.js";
import { bearerToken, hostBaseUrl, hostSessionOptions } from "../shared/transport.js";
import { WIDE_WINDOW_SETTINGS, WideWindowSessionManager } from "../shared/wide-window-session.js";
import type { DialTarget } from "./forward-target.js";

type Outgoing = MessageInitShape<typeof TunnelRequestSchema>;

const CONNECT_TIMEOUT_MS = 10_000;

/** What the dialer needs. */
export interface TunnelDialerOptions {
  readonly hostAddress: string;
  /** The join token tunnel streams present (empty with auth off). */
  readonly joinToken: string;
  /** How tunnel connections trust the Host, as the control stream does. */
  readonly tls?: HostTlsOptions;
  readonly log: Logger;
  /** The sshd port on 127.0.0.1 of a task this runner holds (undefined: not ours). */
  readonly portOf: (taskId: string) => number | undefined;
  /**
   * Where a port forward (OpenTunnel.forward) of a task goes: its own
   * address and the port asked, or why not. Absent: forwards are refused.
   */
  readonly forwardTarget?: (taskId: string, port: number) => Promise<DialTarget | string>;
}

function dialLocal(port: number, host = "127.0.0.1"): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, allowHalfOpen: true });
    const timer = setTimeout(() => socket.destroy(new Error(`connect to ${host}:${port} timed out`)), CONNECT_TIMEOUT_MS);
    socket.once("connect", () => {
      clearTimeout(timer);
      socket.off("error", reject);
      resolve(socket);
    });
    socket.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/** Opens tunnel streams on request. */
export class TunnelDialer {
  private readonly active = new Set<Http2SessionManager>();
  private readonly baseUrl: string;
  /** TLS trust for every tunnel connection, settled once (a CA file is read here, not per tunnel). */
  private readonly sessionOptions: SecureClientSessionOptions;

  constructor(private readonly options: TunnelDialerOptions) {
    this.baseUrl = hostBaseUrl(options.hostAddress, options.tls);
    this.sessionOptions = hostSessionOptions(this.baseUrl, options.tls);
  }

  /** Tunnels open now. */
  get count(): number {
    return this.active.size;
  }

  /** The address a tunnel dials: the VPS's sshd, or for a forward the task's own port; or why not. */
  private async target(command: OpenTunnel): Promise<DialTarget | string> {
    if (!command.forward) {
      const port = this.options.portOf(command.taskId);
      return port === undefined ? `task ${command.taskId} is not a VPS running on this runner` : { host: "127.0.0.1", port };
    }
    if (!this.options.forwardTarget) return "this runner does not forward ports";
    return this.options.forwardTarget(command.taskId, command.port).catch((e: unknown) => `cannot find task ${command.taskId}'s address: ${e instanceof Error ? e.message : String(e)}`);
  }

  /** Serves one OpenTunnel command; never throws (failures go to the Host as the open's error). */
  async open(command: OpenTunnel): Promise<void> {
    const { log } = this.options;
    const target = await this.target(command);
    let socket: Socket | undefined;
    let error = "";
    if (typeof target === "string") error = target;
    else {
      socket = await dialLocal(target.port, target.host).catch((e: unknown) => {
        const code = (e as NodeJS.ErrnoException).code;
        error = code === "ECONNREFUSED" ? `connection refused: nothing listens on port ${target.port} of task ${command.taskId}` : e instanceof Error ? e.message : String(e);
        return undefined;
      });
    }
    const { baseUrl } = this;
    const manager = new WideWindowSessionManager(baseUrl, { pingIntervalMs: 10_000, pingTimeoutMs: 10_000 }, { ...this.sessionOptions, settings: WIDE_WINDOW_SETTINGS });
    this.active.add(manager);
    const client = createClient(RunnerService, createGrpcTransport({ baseUrl, sessionManager: manager, interceptors: this.options.joinToken ? [bearerToken(this.options.joinToken)] : [] }));
    const outbox = new PipeOutbox<Outgoing>((bytes) => ({ message: { case: "data", value: bytes } }));
    const abort = new AbortController();
    outbox.push({ message: { case: "open", value: { tunnelId: command.tunnelId, error } } });
    if (!socket) outbox.end();
    if (socket) {
      const local = socket;
      local.setNoDelay(true);
      outbox.onDrain = () => local.resume();
      local.on("data", (chunk: Buffer) => {
        if (!outbox.data(chunk)) local.pause();
      });
      local.on("end", () => {
        outbox.push({ message: { case: "close", value: { reason: command.forward ? "task closed" : "sshd closed" } } });
        outbox.end();
      });
      local.on("error", () => abort.abort());
      local.on("close", () => outbox.end());
    }
    try {
      let hostClosed = false;
      for await (const response of client.tunnel(outbox, { signal: abort.signal })) {
        if (!socket) continue;
        const { message } = response;
        if (message.case === "data") {
          await writeWithBackPressure(socket, message.value);
        } else if (message.case === "close") {
          hostClosed = true;
          socket.end();
        }
      }
      if (!hostClosed) socket?.destroy();
      else if (socket && !socket.readableEnded) await new Promise((resolve) => socket!.once("close", resolve));
    } catch (e) {
      if (!abort.signal.aborted) log.warn({ taskId: command.taskId, err: e instanceof Error ? e.message : String(e) }, "tunnel stream failed");
      socket?.destroy();
    } finally {
      outbox.end();
      this.active.delete(manager);
      manager.abort();
      if (error) log.warn({ taskId: command.taskId, err: error }, "tunnel refused");
    }
  }

  /** Closes every tunnel (runner shutdown). */
  closeAll(): void {
    for (const manager of this.active) manager.abort();
    this.active.clear();
  }
}
