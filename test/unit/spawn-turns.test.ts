/**
 * spawnTurn: a burst of native task starts takes one turn of the event loop
 * each, so the control stream's I/O (HTTP/2 pings, heartbeats) runs between
 * spawns instead of after the whole burst.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { spawnTurn } from "../../src/runner/executors/spawn-turns.js";

test("a burst of spawn turns lets other callbacks run between them, in the callers' order", async () => {
  const order: string[] = [];
  // Another source of work, as socket reads are: one callback per turn.
  let ticks = 0;
  let ticking = true;
  const tick = (): void => {
    ticks++;
    if (ticking) setImmediate(tick);
  };
  setImmediate(tick);
  await Promise.all(
    Array.from({ length: 50 }, (_, i) =>
      spawnTurn().then(() => {
        order.push(`spawn ${i} after tick ${ticks}`);
      }),
    ),
  );
  ticking = false;
  assert.equal(order.length, 50);
  assert.deepEqual(
    order.map((line) => Number(/spawn (\d+)/.exec(line)![1])),
    Array.from({ length: 50 }, (_, i) => i),
    "turns are granted in the order asked",
  );
  const tickAt = order.map((line) => Number(/tick (\d+)/.exec(line)![1]));
  // Every spawn had a turn of its own: the other work advanced between any two.
  for (let i = 1; i < tickAt.length; i++) assert.ok(tickAt[i]! > tickAt[i - 1]!, `no tick between spawn ${i - 1} and spawn ${i}: ${order.join("; ")}`);
});
