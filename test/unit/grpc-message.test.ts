/**
 * The Host's grpc-message trailer follows the gRPC spec's percent-encoding,
 * so grpc-js (decodeURI), grpcio and connect all read the same text.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { encodeGrpcMessage, withSpecGrpcMessage } from "../../src/host/http/grpc-message.js";

test("only bytes outside printable ASCII and % are escaped", () => {
  assert.equal(encodeGrpcMessage("needs role user; v is viewer: run a/b?c#d&e=f+g$h@i, ok"), "needs role user; v is viewer: run a/b?c#d&e=f+g$h@i, ok");
  assert.equal(encodeGrpcMessage("100% café\nnext"), "100%25 caf%C3%A9%0Anext");
  assert.equal(decodeURI(encodeGrpcMessage("a: b; c")), "a: b; c", "grpc-js's decodeURI reads it back");
  assert.equal(decodeURIComponent(encodeGrpcMessage("100% café: x")), "100% café: x", "connect's decodeURIComponent reads it back");
});

test("connect's encodeURIComponent trailer is rewritten once the body is done", async () => {
  const trailer = new Headers();
  async function* body(): AsyncIterable<Uint8Array> {
    yield new Uint8Array([0]);
    trailer.set("grpc-status", "3");
    trailer.set("grpc-message", encodeURIComponent("bad memory: use 512M; or 4G"));
  }
  const answer = withSpecGrpcMessage({ status: 200, header: new Headers(), body: body(), trailer });
  for await (const chunk of answer.body!) assert.equal(chunk.length, 1);
  assert.equal(answer.trailer?.get("grpc-message"), "bad memory: use 512M; or 4G");
  assert.equal(answer.trailer?.get("grpc-status"), "3");
});

test("a value that is not valid percent-encoding is kept, escaped, rather than thrown on", () => {
  const trailer = new Headers({ "grpc-message": "50%off" });
  const answer = withSpecGrpcMessage({ status: 200, trailer });
  assert.equal(answer.trailer?.get("grpc-message"), "50%25off");
});
