/**
 * Transports to the Host for the CLI and runners: gRPC over HTTP/2 with
 * keepalive pings, from an `ADDR:PORT` (or `http://ADDR:PORT`) address.
 */
import type { Interceptor, Transport } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
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

/** A gRPC transport to the Host at `address`. */
export function createHostTransport(address: string, options: HostTransportOptions = {}): Transport {
  const interceptors: Interceptor[] = [];
  if (options.token) {
    const header = `Bearer ${options.token}`;
    interceptors.push((next) => (request) => {
      request.header.set("authorization", header);
      return next(request);
    });
  }
  return createGrpcTransport({
    baseUrl: hostBaseUrl(address),
    interceptors,
    pingIntervalMs: options.pingIntervalMs ?? 5000,
    pingTimeoutMs: options.pingTimeoutMs ?? 5000,
    pingIdleConnection: true,
  });
}
