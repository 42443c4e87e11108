/**
 * The Host's API server: one port for every client. gRPC, gRPC-web and
 * Connect for both services, the dashboard's files at `/`, plain HTTP
 * endpoints the Host adds (`/metrics`), and the shell WebSocket for the
 * browser's terminal.
 *
 * Plain text, each connection's first bytes pick its protocol (see
 * http/protocol-sniff.ts): the HTTP/2 preface goes to an HTTP/2 server (h2c
 * with prior knowledge: the CLI, runners, grpc-js, grpcio), anything else to
 * an HTTP/1.1 server (browsers, curl, fetch). With TLS, ALPN picks the same
 * two per connection. Both run one request handler over one router, so an
 * RPC meets the same interceptors, limits and errors whichever way it came.
 * HTTP/2 sessions get server-side keepalive pings (connect-node sends none),
 * so a frozen runner is noticed. `drain` lets a stopping Host finish the
 * calls in flight (still serving new ones) before `close` drops everything.
 */
import { createServer as createHttp1Server, type IncomingMessage } from "node:http";
import { createSecureServer, createServer as createHttp2Server, type Http2SecureServer, type ServerHttp2Session } from "node:http2";
import { createServer as createNetServer, type AddressInfo, type Server as NetServer, type Socket } from "node:net";
import type { Duplex } from "node:stream";
import { createConnectRouter, createContextValues, type ConnectRouter, type ContextKey, type Interceptor } from "@connectrpc/connect";
import type { Logger } from "pino";
import { connectHandler, handlersByPath, type NodeHandler, type NodeRequest } from "./http/connect-handler.js";
import { InFlight } from "./http/in-flight.js";
import { sniffProtocol } from "./http/protocol-sniff.js";
import { EXEC_RPC_PATH, EXEC_WEBSOCKET_PATH, execWebSockets, shellWebSockets, SHELL_RPC_PATH } from "./http/shell-websocket.js";
import { dashboardFiles, DEFAULT_DASHBOARD_DIR } from "./http/static-files.js";

/** Options of {@link startApiServer}. */
export interface ApiServerOptions {
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly routes: (router: ConnectRouter) => void;
  readonly interceptors: Interceptor[];
  /** Interval of server pings on each HTTP/2 session (and shell WebSocket), and how long to wait for the ack. */
  readonly pingIntervalMs: number;
  readonly pingTimeoutMs: number;
  /** Largest message read from a client or runner (bytes); a larger one is refused with RESOURCE_EXHAUSTED before it is buffered. */
  readonly readMaxBytes: number;
  /** Context key that receives each call's peer address (for the audit trail and the login throttle). */
  readonly peerAddressKey?: ContextKey<string>;
  /** PEM certificate (chain) and private key to serve TLS with; absent = plain text (h2c and HTTP/1.1, sniffed). */
  readonly tls?: { readonly cert: string; readonly key: string };
  /** The built dashboard served at `/`; default {@link DEFAULT_DASHBOARD_DIR} (dist/web beside the compiled Host). */
  readonly dashboardDir?: string;
  /**
   * Request paths of streaming RPCs that {@link ApiServer.drain} waits for
   * (streams that end by themselves once shutdown begins, as health
   * watches do). Other streams run until close; unary calls and every
   * other request are always waited for.
   */
  readonly drainedStreamPaths?: readonly string[];
  /** Plain HTTP endpoints by exact path (`/metrics`), answered before the dashboard's files; any method reaches them. */
  readonly httpRoutes?: ReadonlyMap<string, NodeHandler>;
  readonly log: Logger;
}

/** A started server. */
export interface ApiServer {
  readonly port: number;
  /**
   * Waits, still serving new requests, until no request that the drain
   * waits for (see {@link ApiServerOptions.drainedStreamPaths}) is in
   * flight, or `graceMs` has passed; resolves with how many were left.
   */
  drain(graceMs: number): Promise<number>;
  /** Ends every connection (HTTP/2 sessions, HTTP/1.1 keep-alive sockets, WebSockets) and stops listening. */
  close(): Promise<void>;
}

/** Per-stream receive window (bytes). */
const STREAM_WINDOW_BYTES = 4 * 1024 * 1024;
/** Per-connection receive window (bytes), shared by all streams of a runner. */
const SESSION_WINDOW_BYTES = 16 * 1024 * 1024;

/** Memory one HTTP/2 session may hold (MB, Node's unit): twice the session window. */
const SESSION_MEMORY_MB = (2 * SESSION_WINDOW_BYTES) / (1024 * 1024);

/** How long a new plain-text connection may take to send enough bytes to tell its protocol (ms). */
const SNIFF_TIMEOUT_MS = 30_000;

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
      // ping() throws only once the session is closing; the deadline is moot then.
      clearTimeout(deadline);
    }
  }, intervalMs);
  timer.unref();
  session.once("close", () => clearInterval(timer));
}

/** Starts the API server and resolves once it listens. */
export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const shutdown = new AbortController();
  // Compressing small streamed chunks costs far more than it saves.
  const router = createConnectRouter({ interceptors: options.interceptors, shutdownSignal: shutdown.signal, readMaxBytes: options.readMaxBytes, acceptCompression: [] });
  options.routes(router);
  const handlers = handlersByPath(router);
  const valuesFor = (address: string) => {
    const values = createContextValues();
    if (options.peerAddressKey) values.set(options.peerAddressKey, address);
    return values;
  };
  // Long-lived streams (watches, log follows, runner control, tunnels) end only at close: a drain does not wait for them.
  const drainedStreams = new Set(options.drainedStreamPaths ?? []);
  const undrained = new Set([...handlers].filter(([path, each]) => each.method.methodKind !== "unary" && !drainedStreams.has(path)).map(([path]) => path));
  const inFlight = new InFlight((path) => !undrained.has(path));
  const dashboard = dashboardFiles(options.dashboardDir ?? DEFAULT_DASHBOARD_DIR, options.log);
  const httpRoutes = options.httpRoutes ?? new Map<string, NodeHandler>();
  const otherPaths: NodeHandler = (request, response) => (httpRoutes.get((request.url ?? "").split("?", 1)[0]!) ?? dashboard)(request, response);
  const serve = connectHandler(handlers, (request: NodeRequest) => valuesFor(request.socket.remoteAddress ?? ""), otherPaths);
  const handler: NodeHandler = (request, response) => {
    inFlight.track((request.url ?? "").split("?", 1)[0]!, response);
    serve(request, response);
  };
  const shells = shellWebSockets({ handler: handlers.get(SHELL_RPC_PATH), contextValues: valuesFor, pingIntervalMs: options.pingIntervalMs, secure: options.tls !== undefined, log: options.log });
  const execs = execWebSockets({ handler: handlers.get(EXEC_RPC_PATH), contextValues: valuesFor, pingIntervalMs: options.pingIntervalMs, secure: options.tls !== undefined, log: options.log });
  // Two endpoints, one protocol: a task terminal's socket, else the environment shell's (which answers any other path with 404).
  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => ((request.url ?? "").split("?", 1)[0] === EXEC_WEBSOCKET_PATH ? execs : shells).upgrade(request, socket, head);

  // Wide flow-control windows: tunnel streams carry bulk SSH traffic, and
  // Node's 64 KiB defaults cap a stream at one window per round trip.
  // Session memory above the windows: a peer may fill its windows before a
  // handler refuses its message, and that must end in an answer, not in
  // NGHTTP2_ENHANCE_YOUR_CALM for every stream of the session.
  const http2Options = { settings: { initialWindowSize: STREAM_WINDOW_BYTES }, maxSessionMemory: SESSION_MEMORY_MB };
  const sessions = new Set<ServerHttp2Session>();
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  };
  const onSession = (session: ServerHttp2Session) => {
    sessions.add(session);
    session.once("connect", () => session.setLocalWindowSize(SESSION_WINDOW_BYTES));
    session.once("close", () => sessions.delete(session));
    keepAlive(session, options.pingIntervalMs, options.pingTimeoutMs);
  };

  let listener: NetServer | Http2SecureServer;
  if (options.tls) {
    // ALPN chooses; HTTP/1.1 connections (and their upgrades) are handled by the same server.
    const secure = createSecureServer({ ...http2Options, cert: options.tls.cert, key: options.tls.key, allowHTTP1: true }, handler);
    secure.on("secureConnection", track);
    secure.on("session", onSession);
    secure.on("upgrade", onUpgrade);
    listener = secure;
  } else {
    const http2 = createHttp2Server(http2Options, handler);
    http2.on("session", onSession);
    const http1 = createHttp1Server(handler);
    http1.on("upgrade", onUpgrade);
    // Half-open as http.createServer's own sockets are: an HTTP/1.1 client may send its request and FIN, then read the answer.
    const plain = createNetServer({ allowHalfOpen: true }, (socket) => {
      track(socket);
      void sniffProtocol(socket, SNIFF_TIMEOUT_MS).then((protocol) => {
        if (protocol === "http2") {
          // As http2.createServer's sockets are: a peer's FIN ends the connection.
          socket.allowHalfOpen = false;
          http2.emit("connection", socket);
        }
        else if (protocol === "http1") {
          http1.emit("connection", socket);
          // The sniffer paused the socket; the HTTP/1.1 parser reads from its handle, which must be reading again.
          socket.resume();
        }
      });
    });
    listener = plain;
  }
  await new Promise<void>((resolve, reject) => {
    listener.once("error", reject);
    listener.listen(options.port, options.host, () => {
      listener.off("error", reject);
      resolve();
    });
  });
  return {
    port: (listener.address() as AddressInfo).port,
    drain: (graceMs) => inFlight.settled(graceMs),
    close: async () => {
      shutdown.abort();
      const closed = new Promise<void>((resolve) => listener.close(() => resolve()));
      shells.closeAll();
      execs.closeAll();
      for (const session of sessions) session.destroy();
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
