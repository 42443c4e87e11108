/**
 * A Connect transport that calls one of the server's own handlers in
 * process, with context values of the caller's choosing (the peer address
 * of a WebSocket). A call made on it passes the same interceptor chain,
 * access policy, login throttle, audit and limits as one that arrived over
 * HTTP/2: it is the same handler object, not a copy of its logic.
 */
import type { ContextValues, Transport } from "@connectrpc/connect";
import { createUniversalHandlerClient, type UniversalHandler } from "@connectrpc/connect/protocol";
import { createTransport } from "@connectrpc/connect/protocol-connect";

/** Calls `handler` (and nothing else) with `contextValues` set on every request, as a server would from its socket. */
export function inProcessTransport(handler: UniversalHandler, contextValues: () => ContextValues): Transport {
  const withValues = Object.assign((request: Parameters<UniversalHandler>[0]) => handler({ ...request, contextValues: contextValues() }), handler);
  return createTransport({
    httpClient: createUniversalHandlerClient([withValues]),
    baseUrl: "http://in-process",
    useBinaryFormat: true,
    interceptors: [],
    acceptCompression: [],
    sendCompression: null,
    compressMinBytes: Number.MAX_SAFE_INTEGER,
    // The handler enforces the server's own read limit; the client side adds none.
    readMaxBytes: Number.MAX_SAFE_INTEGER,
    writeMaxBytes: Number.MAX_SAFE_INTEGER,
  });
}
