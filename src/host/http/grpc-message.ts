/**
 * The `grpc-message` trailer as the gRPC spec writes it. connect-es encodes
 * it with `encodeURIComponent`, which also escapes `: , ; / ? # & = + $ @`;
 * the spec (PROTOCOL-HTTP2.md, Status-Message) percent-encodes only bytes
 * outside 0x20–0x7E and `%` itself, and @grpc/grpc-js decodes with
 * `decodeURI`, so its users saw "credential%3A run …". Re-encoding here keeps
 * every decoder (grpc-js, grpcio, grpc-go, connect) reading the same text.
 */
import type { UniversalServerResponse } from "@connectrpc/connect/protocol";

const HEADER = "grpc-message";

/** Percent-encodes `text` as the gRPC spec says: UTF-8 bytes outside 0x20–0x7E, and `%`. */
export function encodeGrpcMessage(text: string): string {
  let out = "";
  for (const byte of Buffer.from(text, "utf8")) {
    out += byte >= 0x20 && byte <= 0x7e && byte !== 0x25 ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/** connect's encodeURIComponent form back to text; a value it did not make is kept as is. */
function decodeConnectMessage(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value; // not percent-encoding connect made: leave the caller's bytes alone
  }
}

function respec(headers: Headers): Headers {
  const value = headers.get(HEADER);
  if (value !== null) headers.set(HEADER, encodeGrpcMessage(decodeConnectMessage(value)));
  return headers;
}

/**
 * The response with its `grpc-message` (in the trailer, read once the body is
 * done, as the handler sets it while streaming; or in the header) spec-encoded.
 */
export function withSpecGrpcMessage(answer: UniversalServerResponse): UniversalServerResponse {
  return {
    status: answer.status,
    header: answer.header ? respec(answer.header) : answer.header,
    body: answer.body,
    get trailer() {
      return answer.trailer ? respec(answer.trailer) : answer.trailer;
    },
  };
}
