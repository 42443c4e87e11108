/**
 * A server stream whose handler returns when its deadline aborts the call
 * must end DEADLINE_EXCEEDED: Connect itself would send OK, and a client
 * racing its own deadline timer (grpc-js) then saw a clean end.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { Code, ConnectError, type StreamResponse } from "@connectrpc/connect";
import { errorMapping } from "../../src/host/services/interceptors.js";

type Next = Parameters<typeof errorMapping>[0];

function streamCall(signal: AbortSignal, messages: AsyncIterable<unknown>): Promise<StreamResponse> {
  const next = (async () => ({ stream: true, message: messages })) as unknown as Next;
  return errorMapping(next)({ signal, stream: false } as never) as Promise<StreamResponse>;
}

async function drain(stream: AsyncIterable<unknown>): Promise<unknown[]> {
  const seen: unknown[] = [];
  for await (const each of stream) seen.push(each);
  return seen;
}

test("a stream that returns after its deadline aborted the call ends DEADLINE_EXCEEDED", async () => {
  const deadline = new AbortController();
  async function* handler() {
    yield "first";
    deadline.abort(new ConnectError("the operation timed out", Code.DeadlineExceeded));
  }
  const response = await streamCall(deadline.signal, handler());
  const seen: unknown[] = [];
  await assert.rejects(
    (async () => {
      for await (const each of response.message) seen.push(each);
    })(),
    (error: unknown) => error instanceof ConnectError && error.code === Code.DeadlineExceeded,
  );
  assert.deepEqual(seen, ["first"], "what came before the deadline still reaches the client");
});

test("a stream that ends by itself, or whose caller went away, ends as it did", async () => {
  async function* handler() {
    yield "only";
  }
  assert.deepEqual(await drain((await streamCall(new AbortController().signal, handler())).message), ["only"]);
  const cancelled = new AbortController();
  cancelled.abort();
  assert.deepEqual(await drain((await streamCall(cancelled.signal, handler())).message), ["only"], "a plain abort (the client or a shutdown) is not turned into an error here");
});
