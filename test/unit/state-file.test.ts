import { test } from "node:test";
import assert from "node:assert/strict";
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { StateFile } from "../../src/runner/state-file.js";

function withDir(body: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), "state-file-"));
  try {
    body(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("the journal replays records, ends and forgets across a restart, skipping a torn last line", () => {
  withDir((dir) => {
    const first = new StateFile(dir, "n");
    first.record({ taskId: "1", executor: "native", ref: "" });
    first.record({ taskId: "1", executor: "native", ref: "42:7" });
    first.record({ taskId: "2", executor: "docker", ref: "" });
    first.finish("2", { status: "completed", exitCode: 0, message: "" });
    first.record({ taskId: "3", executor: "docker", ref: "abc" });
    first.forget("3");
    appendFileSync(join(dir, "runner-n.json"), '{"set":{"taskId":"9"'); // a crash mid-append
    const again = new StateFile(dir, "n");
    assert.deepEqual(
      again.recorded().sort((a, b) => a.taskId.localeCompare(b.taskId)),
      [
        { taskId: "1", executor: "native", ref: "42:7" },
        { taskId: "2", executor: "docker", ref: "", end: { status: "completed", exitCode: 0, message: "" } },
      ],
    );
  });
});

test("the whole-file form of earlier versions is read", () => {
  withDir((dir) => {
    writeFileSync(join(dir, "runner-n.json"), JSON.stringify({ tasks: [{ taskId: "5", executor: "docker", ref: "c5" }] }));
    assert.deepEqual(new StateFile(dir, "n").recorded(), [{ taskId: "5", executor: "docker", ref: "c5" }]);
  });
});

test("the journal is compacted: the file stays small under churn and keeps every live entry", () => {
  withDir((dir) => {
    const state = new StateFile(dir, "n");
    state.record({ taskId: "keep", executor: "native", ref: "1:1" });
    for (let i = 0; i < 5000; i++) {
      state.record({ taskId: `t${i}`, executor: "native", ref: "" });
      state.forget(`t${i}`);
    }
    const lines = readFileSync(join(dir, "runner-n.json"), "utf8").split("\n").filter(Boolean).length;
    assert.ok(lines <= 1001, `${lines} lines after compaction`);
    assert.deepEqual(new StateFile(dir, "n").recorded(), [{ taskId: "keep", executor: "native", ref: "1:1" }]);
  });
});
