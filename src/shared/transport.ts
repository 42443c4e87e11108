/**
 * Transports to the Host for the CLI and runners: gRPC over HTTP/2 with
 * keepalive pings, from an `ADDR:PORT` (or `http://ADDR:PORT`) address.
 */
import type { Interceptor, Transport } from "@connectrpc/connect";
import { createGrpcTransport, Http2SessionManager } from "@connectrpc/connect-node";
import { invalidArgument } from "./errors.js";

/** Turns `host:port`, `:port`, `port` or a URL into the base URL of the Host's API. */
export function hostBaseUrl(address: string): string {
  const text = address.trim();
  if (/^https?:\/\//.test(text)) return text.replace(/\/+$/, "");
  const match = /^(\[[^\]]+\]|[^:\s]*)(?::(\d+))?$/.exec(text);
  if (!match || (match[1] === "" && match[2] === undefined)) {
    throw invalidArgument(`"${address}" is not a Host address: use ADDR:PORT, for example 127.0.0.1:8000`);
  }
  const host = match[1] === "" ? "127.0.0.1" : match[1];
  return `http://${host}:${match[2] ?? "8000"}`;
}

/** Options of {@link createHostTransport}. */
export interface HostTransportOptions {
  /** Sent as `authorization: Bearer <token>` when non-empty. */
  readonly token?: string;
  readonly pingIntervalMs?: number;
  readonly pingTimeoutMs?: number;
}

/** A transport with its own HTTP/2 connection, which its owner can close. */
export interface HostConnection {
  readonly transport: Transport;
  /** Closes the connection and any stream still open on it; a later call opens a new one. */
  close(): void;
}

/**
 * A gRPC transport to the Host at `address` on a connection of its own, for
 * a caller that must be able to close it: connect-node's client stops
 * writing a request stream (without ending it) once the response has ended,
 * so a bidi call the Host answered early can leave its HTTP/2 stream
 * half-open, which keeps the connection, and a CLI process, alive.
 */
export function createHostConnection(address: string, options: HostTransportOptions = {}): HostConnection {
  const baseUrl = hostBaseUrl(address);
  const sessionManager = new Http2SessionManager(baseUrl, {
    pingIntervalMs: options.pingIntervalMs ?? 5000,
    pingTimeoutMs: options.pingTimeoutMs ?? 5000,
    pingIdleConnection: true,
  });
  return { transport: createHostTransport(address, options, sessionManager), close: () => sessionManager.abort() };
}

/** Sends `authorization: Bearer <token>` on every call. */
export function bearerToken(token: string): Interceptor {
  const header = `Bearer ${token}`;
  return (next) => (request) => {
    request.header.set("authorization", header);
    return next(request);
  };
}

/** A gRPC transport to the Host at `address` (on `sessionManager`'s connection when given). */
export function createHostTransport(address: string, options: HostTransportOptions = {}, sessionManager?: Http2SessionManager): Transport {
  const interceptors: Interceptor[] = options.token ? [bearerToken(options.token)] : [];
  return createGrpcTransport({
    baseUrl: hostBaseUrl(address),
    interceptors,
    pingIntervalMs: options.pingIntervalMs ?? 5000,
    pingTimeoutMs: options.pingTimeoutMs ?? 5000,
    pingIdleConnection: true,
    sessionManager,
  });
}
