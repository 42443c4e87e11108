/**
 * InterruptibleReader and the auth interceptor's endOnRevoke: a revocation
 * ends a stream at once, and a long-lived stream does not keep memory per
 * message (the Promise.race pattern they replace leaked a reaction per step
 * on a promise that never settles: about 2 KB per task on a runner's
 * control stream).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { pino } from "pino";
import { endOnRevoke } from "../../src/host/auth/auth-interceptor.js";
import { INTERRUPTED, InterruptibleReader } from "../../src/host/services/interruptible-reader.js";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

/** An endless stream whose steps resolve on a later turn, like a network stream's. */
async function* endless(): AsyncGenerator<number> {
  for (let i = 0; ; i++) {
    await new Promise((resolve) => setImmediate(resolve));
    yield i;
  }
}

/** A stream that never yields. */
async function* silent(): AsyncGenerator<number> {
  await new Promise(() => undefined);
  yield 0;
}

test("interrupt ends the step being waited for, and every later one", async () => {
  const reader = new InterruptibleReader(silent()[Symbol.asyncIterator]());
  const waiting = reader.next();
  reader.interrupt();
  assert.equal(await waiting, INTERRUPTED);
  assert.equal(await reader.next(), INTERRUPTED);
});

test("steps pass through until interrupted", async () => {
  const reader = new InterruptibleReader(endless()[Symbol.asyncIterator]());
  assert.deepEqual(await reader.next(), { value: 0, done: false });
  assert.deepEqual(await reader.next(), { value: 1, done: false });
});

test("a revoked token ends the stream with UNAUTHENTICATED and the reason", async () => {
  let revoke: ((reason: string) => void) | undefined;
  const store = { onRevoked: (_id: string, listener: (reason: string) => void) => ((revoke = listener), () => (revoke = undefined)) };
  let endedWith: unknown;
  const stream = endOnRevoke({ store, log: pino({ level: "silent" }) }, { kind: "user", user: "ann", role: "viewer", tokenId: "t1" }, silent(), (error) => (endedWith = error));
  const reading = stream.next();
  revoke!("token t1 was revoked by root");
  await assert.rejects(reading, /token t1 was revoked by root: this stream has ended/);
  assert.match(String(endedWith), /revoked/);
  assert.equal(revoke, undefined, "the revoke listener was removed");
});

test("a long stream through endOnRevoke keeps no memory per message", async () => {
  const store = { onRevoked: () => () => undefined };
  const stream = endOnRevoke({ store, log: pino({ level: "silent" }) }, { kind: "user", user: "ann", role: "viewer", tokenId: "t1" }, endless(), () => undefined);
  for (let i = 0; i < 1_000; i++) await stream.next();
  gc();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < 100_000; i++) await stream.next();
  gc();
  const grown = process.memoryUsage().heapUsed - before;
  await stream.return(undefined);
  // The leak it replaces kept about 150 bytes a message here (15 MB); allow noise.
  assert.ok(grown < 3_000_000, `heap grew ${(grown / 1e6).toFixed(1)} MB over 100,000 messages`);
});
