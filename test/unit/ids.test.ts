import { test } from "node:test";
import assert from "node:assert/strict";
import { createIdGenerator, parseTaskId } from "../../src/host/tasks/ids.js";

test("ids strictly increase, even when the clock stalls or steps back", () => {
  let now = Date.UTC(2026, 10, 30);
  const ids = createIdGenerator(() => now);
  const seen: number[] = [];
  for (let i = 0; i < 5000; i++) seen.push(ids.next());
  now -= 10_000;
  seen.push(ids.next());
  now += 20_000;
  seen.push(ids.next());
  for (let i = 1; i < seen.length; i++) assert.ok(seen[i]! > seen[i - 1]!, `id ${i} not increasing`);
  assert.ok(seen.every(Number.isSafeInteger));
});

test("ids sort by time and stay exact as decimal strings", () => {
  const a = createIdGenerator(() => Date.UTC(2026, 0, 1)).next();
  const b = createIdGenerator(() => Date.UTC(2026, 0, 2)).next();
  assert.ok(b > a);
  assert.equal(parseTaskId(String(a)), a);
  assert.equal(parseTaskId("12x"), undefined);
  assert.equal(parseTaskId("-5"), undefined);
  assert.equal(parseTaskId("99999999999999999"), undefined);
});

test("a restarted Host continues above the largest stored id", () => {
  const ids = createIdGenerator(() => 0, 1_000_000);
  assert.equal(ids.next(), 1_000_001);
});
