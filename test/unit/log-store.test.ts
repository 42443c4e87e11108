import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LogStore, logPath } from "../../src/host/logs/log-store.js";

function store() {
  const dir = mkdtempSync(join(tmpdir(), "logstore-"));
  const appended: number[] = [];
  return { dir, logs: new LogStore(dir, { onAppend: (id) => appended.push(id) }), appended, done: () => rmSync(dir, { recursive: true }) };
}

test("chunks are stored at their offsets; repeats are harmless; gaps are refused", () => {
  const { dir, logs, appended, done } = store();
  assert.equal(logs.append(7, "stdout", 0, Buffer.from("hello ")), true);
  assert.equal(logs.append(7, "stdout", 6, Buffer.from("world")), true);
  assert.equal(logs.append(7, "stdout", 3, Buffer.from("lo world!")), true, "overlap: only the new tail is written");
  assert.equal(logs.append(7, "stdout", 40, Buffer.from("gap")), false);
  assert.equal(readFileSync(logPath(dir, 7, "stdout"), "utf8"), "hello world!");
  assert.equal(logs.size(7, "stdout"), 12);
  assert.equal(Buffer.from(logs.read(7, "stdout", 6, 5)).toString(), "world");
  assert.equal(logs.read(7, "stdout", 12).length, 0);
  assert.equal(logs.size(7, "stderr"), 0);
  assert.deepEqual(appended, [7, 7, 7]);
  done();
});

test("a file the runner shares is not duplicated when the Host writes its chunks", () => {
  const { dir, logs, done } = store();
  const path = logPath(dir, 9, "stdout");
  writeFileSync(path, "abc");
  // The runner has already written "abc" and then "def" to the same file.
  writeFileSync(path, "abcdef");
  const fresh = new LogStore(dir);
  assert.equal(fresh.append(9, "stdout", 0, Buffer.from("abc")), true);
  assert.equal(fresh.append(9, "stdout", 3, Buffer.from("def")), true);
  assert.equal(readFileSync(path, "utf8"), "abcdef");
  void logs;
  done();
});
