/**
 * Transports to the Host for the CLI and runners: gRPC over HTTP/2 with
 * keepalive pings, from an `ADDR:PORT` (or `http://`/`https://ADDR:PORT`)
 * address, over TLS when the address is `https://` or a CA file or pin is set.
 */
import type { SecureClientSessionOptions } from "node:http2";
import type { Interceptor, Transport } from "@connectrpc/connect";
import { createGrpcTransport, Http2SessionManager } from "@connectrpc/connect-node";
import { invalidArgument } from "./errors.js";
import { tlsSessionOptions, wantsTls, type HostTlsOptions } from "./tls-client.js";
import { WIDE_WINDOW_SETTINGS, WideWindowSessionManager } from "./wide-window-session.js";

/**
 * Turns `host:port`, `:port`, `port` or a URL into the base URL of the
 * Host's API: `https://` when `tls` asks for TLS, else `http://`. An
 * `http://` URL with TLS asked for is an invalid-argument error (one of the
 * two is a mistake).
 */
export function hostBaseUrl(address: string, tls?: HostTlsOptions): string {
  const text = address.trim();
  if (/^http:\/\//.test(text) && wantsTls(tls)) {
    throw invalidArgument(`"${address}" is a plain-text (http://) address, but a TLS CA file or fingerprint is set: use https:// or drop the TLS setting`);
  }
  if (/^https?:\/\//.test(text)) return text.replace(/\/+$/, "");
  const match = /^(\[[^\]]+\]|[^:\s]*)(?::(\d+))?$/.exec(text);
  if (!match || (match[1] === "" && match[2] === undefined)) {
    throw invalidArgument(`"${address}" is not a Host address: use ADDR:PORT, for example 127.0.0.1:8000`);
  }
  const host = match[1] === "" ? "127.0.0.1" : match[1];
  return `${wantsTls(tls) ? "https" : "http"}://${host}:${match[2] ?? "8000"}`;
}

/**
 * The HTTP/2 session options for a connection to `baseUrl`: TLS trust from
 * `tls` for an `https://` URL (none given: the system's CAs), none for
 * plain text.
 */
export function hostSessionOptions(baseUrl: string, tls?: HostTlsOptions): SecureClientSessionOptions {
  return baseUrl.startsWith("https://") ? tlsSessionOptions(tls ?? {}) : {};
}

/** Options of {@link createHostTransport}. */
export interface HostTransportOptions {
  /** Sent as `authorization: Bearer <token>` when non-empty. */
  readonly token?: string;
  readonly pingIntervalMs?: number;
  readonly pingTimeoutMs?: number;
  /** How to trust the Host; a CA file or a pin (or an `https://` address) means TLS. */
  readonly tls?: HostTlsOptions;
  /** Wide HTTP/2 receive windows, for bulk byte streams (port forwards); default Node's 64 KiB. */
  readonly wideWindows?: boolean;
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
  const baseUrl = hostBaseUrl(address, options.tls);
  const ping = { pingIntervalMs: options.pingIntervalMs ?? 5000, pingTimeoutMs: options.pingTimeoutMs ?? 5000, pingIdleConnection: true };
  const sessionManager = options.wideWindows
    ? new WideWindowSessionManager(baseUrl, ping, { ...hostSessionOptions(baseUrl, options.tls), settings: WIDE_WINDOW_SETTINGS })
    : new Http2SessionManager(baseUrl, ping, hostSessionOptions(baseUrl, options.tls));
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
  const baseUrl = hostBaseUrl(address, options.tls);
  return createGrpcTransport({
    baseUrl,
    interceptors,
    pingIntervalMs: options.pingIntervalMs ?? 5000,
    pingTimeoutMs: options.pingTimeoutMs ?? 5000,
    pingIdleConnection: true,
    // Used only when no sessionManager is given (which brings its own).
    nodeOptions: sessionManager ? undefined : hostSessionOptions(baseUrl, options.tls),
    sessionManager,
  });
}
