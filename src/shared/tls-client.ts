/**
 * The client's half of TLS to the Host, for the CLI and runners: verify the
 * Host against a CA file (`tls.ca_file`, with the usual host-name check), or
 * pin its certificate's SHA-256 fingerprint (`tls.fingerprint`, as the Host
 * prints it), or both. A pinned connection checks the fingerprint as the TLS
 * handshake completes, before HTTP/2 writes a byte, so a request (and the
 * bearer token in it) never reaches a Host that is not the pinned one.
 * (connect-node hands these session options to `http2.connect` unchanged:
 * `Http2SessionManager`'s third argument, or a transport's `nodeOptions`.)
 */
import { readFileSync } from "node:fs";
import type { ClientSessionOptions, SecureClientSessionOptions } from "node:http2";
import { isIP } from "node:net";
import { connect as tlsConnect, type TLSSocket } from "node:tls";
import { Code, ConnectError } from "@connectrpc/connect";
import type { Config } from "./config-schema.js";
import { invalidArgument } from "./errors.js";

/** How a client trusts the Host; setting either field means TLS. */
export interface HostTlsOptions {
  /** PEM CA certificate(s), or the Host's own certificate, to verify the Host against. */
  readonly caFile?: string;
  /** The Host certificate's SHA-256 fingerprint to pin: hex with or without colons, any case, optional `sha256:` prefix. */
  readonly fingerprint?: string;
}

/** The client TLS settings of a config (`tls.ca_file`, `tls.fingerprint`), empty ones left out; undefined when neither is set. */
export function clientTlsOf(config: Pick<Config, "tlsCaFile" | "tlsFingerprint">): HostTlsOptions | undefined {
  const tls = {
    ...(config.tlsCaFile ? { caFile: config.tlsCaFile } : {}),
    ...(config.tlsFingerprint ? { fingerprint: config.tlsFingerprint } : {}),
  };
  return wantsTls(tls) ? tls : undefined;
}

/** True when `tls` asks for TLS (a CA file or a pin is set). */
export function wantsTls(tls: HostTlsOptions | undefined): boolean {
  return Boolean(tls?.caFile || tls?.fingerprint);
}

/**
 * A SHA-256 fingerprint in the form Node and the Host print it
 * (`AA:BB:...`, 32 upper-case hex pairs). Accepts colons or none, any case,
 * surrounding spaces and a `sha256:` (or `SHA256=`) prefix; anything else
 * is an invalid-argument error.
 */
export function normalizeFingerprint(text: string): string {
  const hex = text.trim().replace(/^sha-?256[:=]/i, "").replace(/:/g, "").toUpperCase();
  if (!/^[0-9A-F]{64}$/.test(hex)) {
    throw invalidArgument(`tls.fingerprint ${JSON.stringify(text)} is not a SHA-256 fingerprint: expected 64 hex digits (colons optional), as "hakuriver host" prints it`);
  }
  return hex.match(/../g)!.join(":");
}

/** The error a pinned connection fails with when the Host's certificate is another one. */
export function fingerprintMismatch(actual: string, pinned: string): ConnectError {
  return new ConnectError(`the Host's certificate has SHA-256 fingerprint ${actual}, not the pinned ${pinned}: check --tls-fingerprint`, Code.Unavailable);
}

/**
 * The HTTP/2 session options that make a connection to the Host trust it as
 * `tls` says: `ca` for a CA file; for a pin, a `createConnection` that opens
 * the TLS socket itself (chain verification off unless a CA file is given
 * too) and destroys it when the fingerprint differs, failing the call with
 * {@link fingerprintMismatch} (UNAVAILABLE). Reads the CA file now;
 * an unreadable one is an invalid-argument error naming it.
 */
export function tlsSessionOptions(tls: HostTlsOptions): SecureClientSessionOptions {
  const ca = tls.caFile ? readCaFile(tls.caFile) : undefined;
  if (!tls.fingerprint) return ca === undefined ? {} : { ca };
  const pinned = normalizeFingerprint(tls.fingerprint);
  return {
    createConnection: (authority: URL) => pinnedSocket(authority, pinned, ca),
  } satisfies ClientSessionOptions;
}

function readCaFile(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    throw invalidArgument(`tls.ca_file ${file} cannot be read: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * A TLS socket to `authority` whose peer must have the pinned fingerprint.
 * The check sits where Node's own certificate check does: as the handshake
 * completes, before `secureConnect` is emitted. On a mismatch the socket is
 * destroyed and `secureConnect` never fires, which is how Node fails a
 * certificate it rejects, so http2 (whose session setup listens for that
 * event) writes nothing, not even its preface, and reports the socket's
 * error. A plain `secureConnect` listener would not do: http2's listener
 * still runs after it, on a destroyed socket, and Node 20 aborts.
 */
function pinnedSocket(authority: URL, pinned: string, ca: Buffer | undefined): TLSSocket {
  const host = authority.hostname.replace(/^\[|\]$/g, "");
  const socket = tlsConnect({
    host,
    port: Number(authority.port || 443),
    // RFC 6066 allows no IP address as a server name.
    servername: isIP(host) ? undefined : host,
    ALPNProtocols: ["h2"],
    // With only a pin, the pin is the trust: a self-signed certificate has no chain to check.
    rejectUnauthorized: ca !== undefined,
    ca,
  });
  const emit = socket.emit.bind(socket);
  socket.emit = ((event: string | symbol, ...args: unknown[]): boolean => {
    if (event === "secureConnect") {
      const actual = socket.getPeerCertificate().fingerprint256;
      if (actual !== pinned) {
        socket.destroy(fingerprintMismatch(actual ?? "(none)", pinned));
        return false;
      }
    }
    return emit(event, ...args);
  }) as typeof socket.emit;
  return socket;
}
