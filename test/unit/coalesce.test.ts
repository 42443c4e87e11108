import { test } from "node:test";
import assert from "node:assert/strict";
import { AsyncQueue } from "../../src/shared/async-queue.js";
import { COALESCE_MAX_BYTES, coalesceData } from "../../src/shared/coalesce.js";

type Message = { message: { case: "data"; value: Uint8Array } | { case: "close"; value: { reason: string } } };
const data = (text: string): Message => ({ message: { case: "data", value: Buffer.from(text) } });

test("queued data messages merge into one, in order, stopping at a non-data message", () => {
  const queue = new AsyncQueue<Message>();
  queue.push(data("b"));
  queue.push(data("c"));
  queue.push({ message: { case: "close", value: { reason: "" } } });
  queue.push(data("d"));
  const merged = coalesceData(data("a"), queue);
  assert.equal(Buffer.from(merged!).toString(), "abc");
  assert.equal(queue.length, 2, "the close and what follows it stay queued");
  assert.equal(coalesceData({ message: { case: "close", value: { reason: "" } } }, queue), undefined);
});

test("a merged chunk never exceeds the limit", () => {
  const queue = new AsyncQueue<Message>();
  // Two of these fit under the limit, a third would not.
  const big = "x".repeat(Math.floor(COALESCE_MAX_BYTES * 0.4));
  for (let i = 0; i < 4; i++) queue.push(data(big));
  const merged = coalesceData(data(big), queue)!;
  assert.ok(merged.length <= COALESCE_MAX_BYTES);
  assert.equal(merged.length, 2 * big.length);
  assert.equal(queue.length, 3);
});
