import { test } from "node:test";
import assert from "node:assert/strict";
import { appendFileSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ARRIVAL_ENTRY_BYTES, arrivalIndexPath, arrivalOf, entryHolding, firstOffsetSince, readArrivals } from "../../src/host/logs/arrival-index.js";
import { LogStore, logPath } from "../../src/host/logs/log-store.js";
import { tailStartOffset } from "../../src/host/logs/log-tail.js";

function store(clock: { ms: number }) {
  const dir = mkdtempSync(join(tmpdir(), "arrivals-"));
  return { dir, logs: new LogStore(dir, { now: () => clock.ms }), done: () => rmSync(dir, { recursive: true }) };
}

test("each chunk's arrival is indexed at the first new byte; repeats and same-millisecond chunks add nothing", () => {
  const clock = { ms: 1_000 };
  const { logs, dir, done } = store(clock);
  logs.append(3, "stdout", 0, Buffer.from("one\n"));
  logs.append(3, "stdout", 4, Buffer.from("two\n")); // Same millisecond: folded into the entry above.
  clock.ms = 2_000;
  logs.append(3, "stdout", 0, Buffer.from("one\n")); // A re-sent chunk: nothing new arrived.
  logs.append(3, "stdout", 6, Buffer.from("o\nthree\n")); // Overlaps: new bytes start at 8.
  clock.ms = 3_500;
  logs.append(3, "stderr", 0, Buffer.from("oops\n"));
  assert.deepEqual(logs.arrivals(3, "stdout"), [
    { offset: 0, atMs: 1_000 },
    { offset: 8, atMs: 2_000 },
  ]);
  assert.deepEqual(logs.arrivals(3, "stderr"), [{ offset: 0, atMs: 3_500 }]);
  assert.deepEqual(logs.arrivals(3, "stdout", 1), [{ offset: 8, atMs: 2_000 }], "read from an entry on");
  assert.equal(statSync(arrivalIndexPath(logPath(dir, 3, "stdout"))).size, 2 * ARRIVAL_ENTRY_BYTES, "16 bytes an entry");
  done();
});

test("the index survives a restart (a new store over the same directory) and a torn last entry is ignored", () => {
  const clock = { ms: 10_000 };
  const { logs, dir, done } = store(clock);
  logs.append(5, "stdout", 0, Buffer.from("a\n"));
  clock.ms = 20_000;
  logs.append(5, "stdout", 2, Buffer.from("b\n"));
  appendFileSync(arrivalIndexPath(logPath(dir, 5, "stdout")), Buffer.alloc(7)); // A crash mid-write.
  const restarted = new LogStore(dir, { now: () => 30_000 });
  assert.deepEqual(restarted.arrivals(5, "stdout"), [
    { offset: 0, atMs: 10_000 },
    { offset: 2, atMs: 20_000 },
  ]);
  assert.equal(readArrivals(join(dir, "no-such.times")).length, 0);
  done();
});

test("arrival lookups: the entry holding an offset, times before the first entry, and since", () => {
  const entries = [
    { offset: 10, atMs: 100 },
    { offset: 20, atMs: 200 },
    { offset: 35, atMs: 300 },
  ];
  assert.equal(entryHolding(entries, 5), -1);
  assert.equal(entryHolding(entries, 10), 0);
  assert.equal(entryHolding(entries, 34), 1);
  assert.equal(entryHolding(entries, 99), 2);
  assert.equal(arrivalOf(entries, 0, 7), 100, "bytes before the first entry came no later than it");
  assert.equal(arrivalOf(entries, 25, 7), 200);
  assert.equal(arrivalOf([], 25, 7), 7, "no index: the file's last write");
  assert.equal(firstOffsetSince(entries, 50, 40, 0), 0);
  assert.equal(firstOffsetSince(entries, 150, 40, 0), 20);
  assert.equal(firstOffsetSince(entries, 300, 40, 0), 35);
  assert.equal(firstOffsetSince(entries, 301, 40, 0), 40, "nothing since: the end");
  assert.equal(firstOffsetSince([], 50, 40, 60), 0, "no index, written since: all of it");
  assert.equal(firstOffsetSince([], 50, 40, 40), 40, "no index, written before: none of it");
});

test("tail start: the last N lines, an unfinished last line counting as one", () => {
  const text = (s: string) => {
    const bytes = Buffer.from(s);
    return { read: (offset: number, length: number) => bytes.subarray(offset, offset + length), size: bytes.length };
  };
  const lines = text("a\nbb\nccc\n");
  assert.equal(tailStartOffset(lines.read, lines.size, 1), 5);
  assert.equal(tailStartOffset(lines.read, lines.size, 2), 2);
  assert.equal(tailStartOffset(lines.read, lines.size, 3), 0);
  assert.equal(tailStartOffset(lines.read, lines.size, 9), 0);
  assert.equal(tailStartOffset(lines.read, lines.size, 0), 9, "no lines: the end");
  const unfinished = text("a\nbb\ncc");
  assert.equal(tailStartOffset(unfinished.read, unfinished.size, 1), 5);
  assert.equal(tailStartOffset(unfinished.read, unfinished.size, 2), 2);
  const blank = text("a\n\n");
  assert.equal(tailStartOffset(blank.read, blank.size, 1), 2, "an empty last line is a line");
  assert.equal(tailStartOffset(text("").read, 0, 3), 0);
});

test("tail start across read blocks of a large log", () => {
  const clock = { ms: 1 };
  const { dir, logs, done } = store(clock);
  const body = Array.from({ length: 20_000 }, (_, i) => `line ${i} ${"x".repeat(i % 17)}\n`).join("");
  writeFileSync(logPath(dir, 8, "stdout"), body);
  const start = logs.tailStart(8, "stdout", 12_345);
  const tail = Buffer.from(logs.read(8, "stdout", start, body.length)).toString();
  assert.equal(tail.split("\n").length - 1, 12_345);
  assert.ok(tail.startsWith(`line ${20_000 - 12_345} `));
  done();
});
