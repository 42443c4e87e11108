/**
 * The Host's API server: one HTTP/2 (h2c) port serving gRPC, gRPC-web and
 * Connect for both services, with server-side HTTP/2 keepalive pings
 * (connect-node sends none), so a frozen runner is noticed.
 */
import { createServer, type Http2Server, type ServerHttp2Session } from "node:http2";
import type { AddressInfo } from "node:net";
import { createContextValues, type ConnectRouter, type ContextKey, type Interceptor } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";

/** Options of {@link startApiServer}. */
export interface ApiServerOptions {
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly routes: (router: ConnectRouter) => void;
  readonly interceptors: Interceptor[];
  /** Interval of server pings on each HTTP/2 session, and how long to wait for the ack. */
  readonly pingIntervalMs: number;
  readonly pingTimeoutMs: number;
  /** Largest message read from a client or runner (bytes); a larger one is refused with RESOURCE_EXHAUSTED before it is buffered. */
  readonly readMaxBytes: number;
  /** Context key that receives each call's peer address (for the audit trail and the login throttle). */
  readonly peerAddressKey?: ContextKey<string>;
}

/** A started server. */
export interface ApiServer {
  readonly port: number;
  close(): Promise<void>;
}

/** Per-stream receive window (bytes). */
const STREAM_WINDOW_BYTES = 4 * 1024 * 1024;
/** Per-connection receive window (bytes), shared by all streams of a runner. */
const SESSION_WINDOW_BYTES = 16 * 1024 * 1024;

/** Memory one HTTP/2 session may hold (MB, Node's unit): twice the session window. */
const SESSION_MEMORY_MB = (2 * SESSION_WINDOW_BYTES) / (1024 * 1024);

function keepAlive(session: ServerHttp2Session, intervalMs: number, timeoutMs: number): void {
  const timer = setInterval(() => {
    if (session.destroyed || session.closed) return;
    const deadline = setTimeout(() => session.destroy(), timeoutMs);
    try {
      session.ping((err) => {
        clearTimeout(deadline);
        if (err) session.destroy();
      });
    } catch {
      clearTimeout(deadline);
    }
  }, intervalMs);
  timer.unref();
  session.once("close", () => clearInterval(timer));
}

/** Starts the API server and resolves once it listens. */
export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const shutdown = new AbortController();
  const handler = connectNodeAdapter({
    routes: options.routes,
    interceptors: options.interceptors,
    shutdownSignal: shutdown.signal,
    readMaxBytes: options.readMaxBytes,
    contextValues: (request) => {
      const values = createContextValues();
      if (options.peerAddressKey) values.set(options.peerAddressKey, request.socket.remoteAddress ?? "");
      return values;
    },
    // Compressing small streamed chunks costs far more than it saves.
    acceptCompression: [],
  });
  // Wide flow-control windows: tunnel streams carry bulk SSH traffic, and
  // Node's 64 KiB defaults cap a stream at one window per round trip.
  // Session memory above the windows: a peer may fill its windows before a
  // handler refuses its message, and that must end in an answer, not in
  // NGHTTP2_ENHANCE_YOUR_CALM for every stream of the session.
  const server: Http2Server = createServer({ settings: { initialWindowSize: STREAM_WINDOW_BYTES }, maxSessionMemory: SESSION_MEMORY_MB }, handler);
  const sessions = new Set<ServerHttp2Session>();
  server.on("session", (session) => {
    sessions.add(session);
    session.once("connect", () => session.setLocalWindowSize(SESSION_WINDOW_BYTES));
    session.once("close", () => sessions.delete(session));
    keepAlive(session, options.pingIntervalMs, options.pingTimeoutMs);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: async () => {
      shutdown.abort();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const session of sessions) session.destroy();
      await closed;
    },
  };
}
