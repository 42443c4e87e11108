/**
 * Tells HTTP/2 with prior knowledge (h2c) from HTTP/1.x on one plain-text
 * port by the connection's first bytes: an HTTP/2 client opens with a fixed
 * 24-byte preface, and no HTTP/1.x request starts with it. The decision is
 * made as soon as the bytes seen rule one protocol out, so an HTTP/1.1
 * request is handed on after its first byte or two, while a preface split
 * over several TCP chunks (even one byte at a time) is waited for in full.
 */
import type { Socket } from "node:net";

/** The client connection preface of HTTP/2 (RFC 9113, section 3.4). */
export const HTTP2_PREFACE = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "latin1");

/** What the first bytes of a connection say. */
export type SniffVerdict = "http2" | "http1" | "undecided";

/** The protocol `seen` (a connection's first bytes) can still be: pure, for the unit test. */
export function classifyPrefix(seen: Uint8Array): SniffVerdict {
  const length = Math.min(seen.length, HTTP2_PREFACE.length);
  for (let i = 0; i < length; i++) if (seen[i] !== HTTP2_PREFACE[i]) return "http1";
  return seen.length >= HTTP2_PREFACE.length ? "http2" : "undecided";
}

/**
 * Reads the socket's first bytes until {@link classifyPrefix} decides, puts
 * them back (`unshift`, so the server it is handed to reads them first) and
 * resolves with the protocol. Resolves undefined, having destroyed the
 * socket, when the peer closes (or half-closes) first or sends too little
 * for `timeoutMs`.
 */
export function sniffProtocol(socket: Socket, timeoutMs: number): Promise<"http2" | "http1" | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const finish = (verdict: "http2" | "http1" | undefined) => {
      clearTimeout(timer);
      socket.off("data", onData);
      socket.off("end", onClose);
      socket.off("close", onClose);
      socket.off("error", onClose);
      if (verdict === undefined) {
        socket.destroy();
      } else {
        socket.pause();
        socket.unshift(Buffer.concat(chunks));
      }
      resolve(verdict);
    };
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      const verdict = classifyPrefix(chunks.length === 1 ? chunk : Buffer.concat(chunks));
      if (verdict !== "undecided") finish(verdict);
    };
    const onClose = () => finish(undefined);
    const timer = setTimeout(() => finish(undefined), timeoutMs);
    socket.on("data", onData);
    // A peer that half-closes before its first bytes decide has nothing more to say.
    socket.once("end", onClose);
    socket.once("close", onClose);
    socket.once("error", onClose);
  });
}
