/**
 * HTTP/2 connections for bulk byte streams (tunnels, port forwards): wide
 * flow-control windows, so a copy is not bound by one 64 KiB window per
 * round trip (Node's defaults, for the stream and the connection alike).
 */
import type { ClientHttp2Stream, ClientSessionRequestOptions, OutgoingHttpHeaders } from "node:http2";
import { Http2SessionManager } from "@connectrpc/connect-node";

/** Receive window of each stream on a wide connection. */
export const STREAM_WINDOW_BYTES = 4 * 1024 * 1024;
/** Receive window of a wide connection as a whole. */
export const CONNECTION_WINDOW_BYTES = 8 * 1024 * 1024;

/** The session settings of a wide connection (stream window, larger frames). */
export const WIDE_WINDOW_SETTINGS = { initialWindowSize: STREAM_WINDOW_BYTES, maxFrameSize: 256 * 1024 } as const;

/**
 * A session manager whose connection-level receive window is widened too
 * (the stream window comes from {@link WIDE_WINDOW_SETTINGS}, which the
 * caller passes in the session options).
 */
export class WideWindowSessionManager extends Http2SessionManager {
  override async request(method: string, path: string, headers: OutgoingHttpHeaders, options: Omit<ClientSessionRequestOptions, "signal">): Promise<ClientHttp2Stream> {
    const stream = await super.request(method, path, headers, options);
    stream.session?.setLocalWindowSize(CONNECTION_WINDOW_BYTES);
    return stream;
  }
}
