/**
 * The addresses of `hakuriver forward`: the task's port (1 to 65535) and
 * where to listen locally (`[ADDR:]PORT`, 0 = a free port). Pure, so the
 * unit tests drive every branch.
 */
import { UsageError } from "./usage-error.js";

/** Where the forward listens on the user's machine. */
export interface ListenAddress {
  readonly host: string;
  /** 0: a free port the system picks. */
  readonly port: number;
}

function portNumber(text: string, what: string, min: number): number {
  const trimmed = text.trim();
  const port = /^\d+$/.test(trimmed) ? Number(trimmed) : Number.NaN;
  if (!Number.isInteger(port) || port < min || port > 65535) throw new UsageError(`${what} must be a TCP port from ${min} to 65535, got "${text}"`);
  return port;
}

/** The task's port: a whole number from 1 to 65535 (a UsageError otherwise). */
export function remotePort(value: unknown): number {
  return portNumber(String(value), "REMOTE_PORT", 1);
}

/**
 * `--local`: `PORT`, `ADDR:PORT` or `[V6]:PORT`; absent = 127.0.0.1 and
 * the remote port's number. Only loopback by default: another address is
 * the user's explicit choice.
 */
export function listenAddress(value: string | undefined, remote: number): ListenAddress {
  if (value === undefined || value.trim() === "") return { host: "127.0.0.1", port: remote };
  const text = value.trim();
  const v6 = /^\[([^\]]+)\]:(.*)$/.exec(text);
  if (v6) return { host: v6[1]!, port: portNumber(v6[2]!, "--local's port", 0) };
  const colon = text.lastIndexOf(":");
  if (colon < 0) return { host: "127.0.0.1", port: portNumber(text, "--local", 0) };
  const host = text.slice(0, colon);
  if (host === "" || host.includes(":")) throw new UsageError(`--local "${value}" is not [ADDR:]PORT (write an IPv6 address in brackets: [::1]:8080)`);
  return { host, port: portNumber(text.slice(colon + 1), "--local's port", 0) };
}

/** `host:port`, with brackets around an IPv6 address. */
export function formatAddress(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}
