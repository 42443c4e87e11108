/**
 * A watcher's pending changes: one entry per task or node however often it
 * changes (memory bounded for a slow reader), due one window after the first.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { PendingChanges } from "../../src/host/watch/pending-changes.js";
import { ManualClock } from "../helpers/manual-clock.js";

test("10,000 changes of one task and one node leave two entries", () => {
  const pending = new PendingChanges();
  for (let i = 0; i < 10_000; i++) {
    pending.add({ kind: "task", taskId: 7 });
    pending.add({ kind: "node", name: "a", holdings: i % 2 === 0 });
  }
  const taken = pending.take();
  assert.deepEqual([[...taken.taskIds], [...taken.nodeNames]], [[7], ["a"]]);
  assert.equal(pending.empty, true);
});

test("due resolves one window after the first change, not before, and at once on abort", async () => {
  const clock = new ManualClock();
  const pending = new PendingChanges();
  let due = false;
  const waiting = pending.due(25, clock, new AbortController().signal).then(() => (due = true));
  await clock.advance(100);
  await Promise.resolve();
  assert.equal(due, false, "due with nothing pending");
  pending.add({ kind: "task", taskId: 1 });
  await clock.advance(24);
  await Promise.resolve();
  assert.equal(due, false, "due before the window passed");
  pending.add({ kind: "task", taskId: 2 });
  await clock.advance(1);
  await waiting;
  assert.deepEqual([...pending.take().taskIds], [1, 2]);
  const abort = new AbortController();
  const aborted = pending.due(25, clock, abort.signal);
  abort.abort();
  await aborted;
});
