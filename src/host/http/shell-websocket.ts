/**
 * The browser's terminal transport: a WebSocket that carries the Shell RPC.
 *
 * Why a WebSocket: a browser cannot open a bidirectional gRPC (or Connect)
 * stream, and a terminal needs one. A server stream for output plus one unary
 * call per keystroke would cost a request, its headers and its auth check for
 * every key, add a round trip of latency to each, and could reorder input
 * that travels on separate requests. A WebSocket is full duplex on one
 * connection: keystrokes and output flow as small frames, in order, with
 * the latency of the socket alone.
 *
 * Protocol, at {@link SHELL_WEBSOCKET_PATH} on the API port (HTTP/1.1
 * upgrade, plain or TLS):
 * 1. The browser sends one text frame `{"token":"hkr_…"}` (`""` when the
 *    Host has auth off) before anything else: never in the URL or a header,
 *    which end up in logs. It must come within {@link TOKEN_WAIT_MS}.
 * 2. Then binary frames, each a protobuf `hakuriver.v1.ShellRequest`; the
 *    first must be `start`. The Host sends binary frames, each a protobuf
 *    `hakuriver.v1.ShellResponse` (stdout, stderr, and `exit` last), then
 *    closes with 1000.
 * 3. On an error the Host sends one text frame
 *    `{"code":"permission_denied","message":"…"}` (connect's Code names in
 *    snake case) and closes: 1008 for `unauthenticated` and
 *    `permission_denied`, 1011 for every other code. 1001: the Host is
 *    shutting down.
 *
 * The session is a call of the real Shell handler through the server's own
 * router (see in-process-transport.ts): the same authentication, login
 * throttle, policy row (`shell`: operator, audited), audit entry, revocation
 * and error mapping as over gRPC. A cross-site page is refused (403) by its
 * `Origin`; frames are limited to {@link SHELL_FRAME_MAX_BYTES}; a browser
 * that closes, or stops answering pings, aborts the call, which ends the
 * Docker exec's connection.
 *
 * The same protocol carries ExecTask (a terminal in a running task or VPS)
 * at {@link EXEC_WEBSOCKET_PATH}, with ExecTaskRequest / ExecTaskResponse
 * frames (see {@link execWebSockets}): the same checks, through the real
 * ExecTask handler.
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { fromBinary, toBinary, type DescMessage, type MessageShape } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient, type CallOptions, type Client, type ContextValues } from "@connectrpc/connect";
import type { UniversalHandler } from "@connectrpc/connect/protocol";
import { codeToString } from "@connectrpc/connect/protocol-connect";
import type { Logger } from "pino";
import { WebSocket, WebSocketServer, type RawData } from "ws";
import { ClientService } from "../../../gen/hakuriver/v1/client_pb.js";
import { ShellRequestSchema, ShellResponseSchema } from "../../../gen/hakuriver/v1/environments_pb.js";
import { ExecTaskRequestSchema, ExecTaskResponseSchema } from "../../../gen/hakuriver/v1/exec_pb.js";
import { AsyncQueue } from "../../shared/async-queue.js";
import { inProcessTransport } from "./in-process-transport.js";
import { requestAuthority } from "./page-headers.js";

/** Where the shell WebSocket is served. */
export const SHELL_WEBSOCKET_PATH = `/${ClientService.typeName}/${ClientService.method.shell.name}/ws`;
/** The RPC path whose handler the WebSocket calls. */
export const SHELL_RPC_PATH = `/${ClientService.typeName}/${ClientService.method.shell.name}`;
/** Where the exec WebSocket (a terminal in a running task or VPS) is served. */
export const EXEC_WEBSOCKET_PATH = `/${ClientService.typeName}/${ClientService.method.execTask.name}/ws`;
/** The RPC path whose handler the exec WebSocket calls. */
export const EXEC_RPC_PATH = `/${ClientService.typeName}/${ClientService.method.execTask.name}`;

/** Largest frame a browser may send (bytes): a big paste fits; more closes the socket with 1009. */
export const SHELL_FRAME_MAX_BYTES = 1024 * 1024;
/** How long the Host waits for the token frame (ms). */
export const TOKEN_WAIT_MS = 10_000;

/** Close codes of the shell WebSocket. */
export const SHELL_CLOSE = { exited: 1000, hostClosing: 1001, refused: 1008, failed: 1011 } as const;

/** What the shell WebSocket needs from the server. */
export interface ShellWebSocketOptions {
  /** The Shell RPC's handler in the server's router; undefined when the routes have none (the path then answers 404). */
  readonly handler: UniversalHandler | undefined;
  /** Context values for a call from `address`, as the server gives its other calls. */
  readonly contextValues: (address: string) => ContextValues;
  /** Ping interval (ms); a browser that misses a pong for one interval is dropped. */
  readonly pingIntervalMs: number;
  /** True on a TLS port: the page's origin is then https. */
  readonly secure: boolean;
  readonly log: Logger;
}

/** The shell WebSockets of one server. */
export interface ShellWebSockets {
  /** Handles an HTTP/1.1 upgrade request: the shell socket, or a refusal written to `socket`. */
  upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Closes every open shell socket (1001); each one's call is aborted. */
  closeAll(): void;
}

/**
 * True when a WebSocket request may proceed: a browser always sends
 * `Origin`, and it must be this Host's (scheme, host and port). A request
 * without one is no browser's and gets nothing a gRPC client could not.
 */
export function originAllowed(origin: string | undefined, authority: string | undefined, secure: boolean): boolean {
  if (origin === undefined) return true;
  if (authority === undefined) return false;
  const scheme = secure ? "https:" : "http:";
  try {
    const page = new URL(origin);
    return page.protocol === scheme && page.host === new URL(`${scheme}//${authority}`).host;
  } catch {
    return false;
  }
}

function refuse(socket: Duplex, status: 400 | 403 | 404, text: string): void {
  const reason = { 400: "Bad Request", 403: "Forbidden", 404: "Not Found" }[status];
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nconnection: close\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(text)}\r\n\r\n${text}`);
}

function bytesOf(data: RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  return data instanceof ArrayBuffer ? new Uint8Array(data) : data;
}

/** The token of the first frame, or why it is not one. */
function tokenOf(data: RawData, isBinary: boolean): string | ConnectError {
  const wrong = new ConnectError('the first frame must be a text frame {"token":"…"} ("" when the Host has auth off)', Code.Unauthenticated);
  if (isBinary) return wrong;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(bytesOf(data)).toString("utf8"));
    const token = typeof parsed === "object" && parsed !== null ? (parsed as Record<string, unknown>)["token"] : undefined;
    return typeof token === "string" ? token : wrong;
  } catch {
    return wrong;
  }
}

function sendBinary(ws: WebSocket, bytes: Uint8Array): Promise<void> {
  // Waiting for each write paces the shell's output to what the socket takes.
  return new Promise((resolve, reject) => ws.send(bytes, { binary: true }, (error) => (error ? reject(error) : resolve())));
}

/** Which bidirectional RPC a WebSocket endpoint carries. */
interface SocketRpc<I extends DescMessage, O extends DescMessage> {
  readonly path: string;
  readonly request: I;
  readonly response: O;
  /** What the endpoint is, in messages ("shell", "exec"). */
  readonly what: string;
  call(client: Client<typeof ClientService>, requests: AsyncIterable<MessageShape<I>>, options: CallOptions): AsyncIterable<MessageShape<O>>;
}

const SHELL_RPC: SocketRpc<typeof ShellRequestSchema, typeof ShellResponseSchema> = {
  path: SHELL_WEBSOCKET_PATH,
  request: ShellRequestSchema,
  response: ShellResponseSchema,
  what: "shell",
  call: (client, requests, options) => client.shell(requests, options),
};

const EXEC_RPC: SocketRpc<typeof ExecTaskRequestSchema, typeof ExecTaskResponseSchema> = {
  path: EXEC_WEBSOCKET_PATH,
  request: ExecTaskRequestSchema,
  response: ExecTaskResponseSchema,
  what: "exec",
  call: (client, requests, options) => client.execTask(requests, options),
};

/** Creates the shell WebSocket endpoint (ws in noServer mode: the caller routes upgrade events to it). */
export function shellWebSockets(options: ShellWebSocketOptions): ShellWebSockets {
  return rpcWebSockets(options, SHELL_RPC);
}

/** Creates the exec WebSocket endpoint: ExecTask frames, the ExecTask handler as `options.handler`. */
export function execWebSockets(options: ShellWebSocketOptions): ShellWebSockets {
  return rpcWebSockets(options, EXEC_RPC);
}

function rpcWebSockets<I extends DescMessage, O extends DescMessage>(options: ShellWebSocketOptions, rpc: SocketRpc<I, O>): ShellWebSockets {
  const { handler, log } = options;
  const server = new WebSocketServer({ noServer: true, maxPayload: SHELL_FRAME_MAX_BYTES, perMessageDeflate: false });

  function session(ws: WebSocket, address: string, shellHandler: UniversalHandler): void {
    const abort = new AbortController();
    const requests = new AsyncQueue<MessageShape<I>>();
    let started = false;
    const fail = (error: ConnectError) => {
      abort.abort();
      requests.end();
      if (ws.readyState !== WebSocket.OPEN) return;
      const code = codeToString(error.code);
      ws.send(JSON.stringify({ code, message: error.rawMessage }));
      ws.close(error.code === Code.Unauthenticated || error.code === Code.PermissionDenied ? SHELL_CLOSE.refused : SHELL_CLOSE.failed, code);
    };
    const tokenTimer = setTimeout(() => fail(new ConnectError(`no token frame within ${TOKEN_WAIT_MS / 1000} s: send {"token":"…"} first`, Code.Unauthenticated)), TOKEN_WAIT_MS);
    let answered = true;
    const heartbeat = setInterval(() => {
      if (!answered) {
        log.info({ address }, `${rpc.what} WebSocket: the browser stopped answering pings; dropped`);
        ws.terminate();
        return;
      }
      answered = false;
      ws.ping();
    }, options.pingIntervalMs);
    heartbeat.unref();
    ws.on("pong", () => (answered = true));
    ws.on("error", (error) => log.info({ address, err: error.message }, `${rpc.what} WebSocket error`));
    ws.on("close", () => {
      clearTimeout(tokenTimer);
      clearInterval(heartbeat);
      requests.end();
      abort.abort();
    });
    ws.on("message", (data, isBinary) => {
      if (!started) {
        clearTimeout(tokenTimer);
        const token = tokenOf(data, isBinary);
        if (token instanceof ConnectError) return fail(token);
        started = true;
        void run(token);
        return;
      }
      if (!isBinary) return fail(new ConnectError(`after the token every frame must be binary: a protobuf ${rpc.request.typeName}`, Code.InvalidArgument));
      try {
        requests.push(fromBinary(rpc.request, bytesOf(data)));
      } catch (error) {
        fail(new ConnectError(`a frame is not a protobuf ${rpc.request.typeName}: ${error instanceof Error ? error.message : String(error)}`, Code.InvalidArgument));
      }
    });

    async function run(token: string): Promise<void> {
      const client = createClient(ClientService, inProcessTransport(shellHandler, () => options.contextValues(address)));
      try {
        const headers = token === "" ? {} : { authorization: `Bearer ${token}` };
        for await (const response of rpc.call(client, requests, { signal: abort.signal, headers })) {
          await sendBinary(ws, toBinary(rpc.response, response));
        }
        ws.close(SHELL_CLOSE.exited, "exited");
      } catch (error) {
        // Aborted: the browser went away or the Host is closing; there is no one to tell.
        if (abort.signal.aborted) return;
        const mapped = ConnectError.from(error);
        if (mapped.code === Code.Internal || mapped.code === Code.Unknown) log.warn({ address, err: mapped.message }, `${rpc.what} WebSocket: the call failed`);
        fail(mapped);
      } finally {
        abort.abort();
      }
    }
  }

  return {
    upgrade(request, socket, head) {
      const path = (request.url ?? "").split("?", 1)[0];
      if (request.headers.upgrade?.toLowerCase() !== "websocket") {
        return refuse(socket, 400, `only WebSocket upgrades are served here (at ${SHELL_WEBSOCKET_PATH}); for HTTP/2 without TLS use prior knowledge (curl --http2-prior-knowledge)\n`);
      }
      if (path !== rpc.path || handler === undefined) return refuse(socket, 404, `no WebSocket at ${path}; the shell's is ${SHELL_WEBSOCKET_PATH}, a task terminal's ${EXEC_WEBSOCKET_PATH}\n`);
      if (!originAllowed(request.headers.origin, requestAuthority(request), options.secure)) {
        log.warn({ origin: request.headers.origin, address: request.socket.remoteAddress }, `${rpc.what} WebSocket from another origin refused`);
        return refuse(socket, 403, "a WebSocket from another site's page is refused: open the dashboard from this Host\n");
      }
      const address = request.socket.remoteAddress ?? "";
      server.handleUpgrade(request, socket, head, (ws) => session(ws, address, handler));
    },
    closeAll() {
      for (const ws of server.clients) {
        ws.close(SHELL_CLOSE.hostClosing, "the Host is shutting down");
        ws.terminate();
      }
    },
  };
}
