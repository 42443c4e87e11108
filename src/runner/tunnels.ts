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
import type { ClientHttp2Stream, ClientSessionRequestOptions, OutgoingHttpHeaders } from "node:http2";
import { connect, type Socket } from "node:net";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport, Http2SessionManager } from "@connectrpc/connect-node";
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { Logger } from "pino";
import { type OpenTunnel, RunnerService, type TunnelRequestSchema } from "../../gen/hakuriver/v1/runner_pb.js";
import { PipeOutbox, writeWithBackPressure } from "../shared/byte-pipe.js";
import { bearerToken, hostBaseUrl } from "../shared/transport.js";

type Outgoing = MessageInitShape<typeof TunnelRequestSchema>;

const CONNECT_TIMEOUT_MS = 10_000;
/** HTTP/2 receive windows of a tunnel connection: wide, so bulk copies are not bound by round trips. */
const STREAM_WINDOW_BYTES = 4 * 1024 * 1024;
const CONNECTION_WINDOW_BYTES = 8 * 1024 * 1024;

/** A session manager whose connection-level receive window is widened too (Node keeps 64 KiB otherwise). */
class TunnelSessionManager extends Http2SessionManager {
  override async request(method: string, path: string, headers: OutgoingHttpHeaders, options: Omit<ClientSessionRequestOptions, "signal">): Promise<ClientHttp2Stream> {
    const stream = await super.request(method, path, headers, options);
    stream.session?.setLocalWindowSize(CONNECTION_WINDOW_BYTES);
    return stream;
  }
}

/** What the dialer needs. */
export interface TunnelDialerOptions {
  readonly hostAddress: string;
  /** The join token tunnel streams present (empty with auth off). */
  readonly joinToken: string;
  readonly log: Logger;
  /** The sshd port on 127.0.0.1 of a task this runner holds (undefined: not ours). */
  readonly portOf: (taskId: string) => number | undefined;
}

function dialLocal(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port, allowHalfOpen: true });
    const timer = setTimeout(() => socket.destroy(new Error(`connect to 127.0.0.1:${port} timed out`)), CONNECT_TIMEOUT_MS);
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

  constructor(private readonly options: TunnelDialerOptions) {}

  /** Tunnels open now. */
  get count(): number {
    return this.active.size;
  }

  /** Serves one OpenTunnel command; never throws (failures go to the Host as the open's error). */
  async open(command: OpenTunnel): Promise<void> {
    const { log } = this.options;
    const port = this.options.portOf(command.taskId);
    let socket: Socket | undefined;
    let error = "";
    if (port === undefined) error = `task ${command.taskId} is not a VPS running on this runner`;
    else {
      socket = await dialLocal(port).catch((e: unknown) => {
        error = e instanceof Error ? e.message : String(e);
        return undefined;
      });
    }
    const manager = new TunnelSessionManager(hostBaseUrl(this.options.hostAddress), { pingIntervalMs: 10_000, pingTimeoutMs: 10_000 }, {
      settings: { initialWindowSize: STREAM_WINDOW_BYTES, maxFrameSize: 256 * 1024 },
    });
    this.active.add(manager);
    const client = createClient(RunnerService, createGrpcTransport({ baseUrl: hostBaseUrl(this.options.hostAddress), sessionManager: manager, interceptors: this.options.joinToken ? [bearerToken(this.options.joinToken)] : [] }));
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
        outbox.push({ message: { case: "close", value: { reason: "sshd closed" } } });
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
