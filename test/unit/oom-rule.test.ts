/**
 * The OOM rule: a task ends killed_oom only when the memory limit ended the
 * task itself; a task whose child the OOM killer took ends by its own exit,
 * and its message says a process in it was killed for memory.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { containerExit } from "../../src/runner/executors/docker.js";
import { oomWasFatal } from "../../src/runner/executors/native.js";
import { exactSize } from "../../src/runner/tasks/exact-size.js";
import { finalStatus } from "../../src/runner/tasks/task-table.js";

const MIB64 = 64 * 1024 * 1024;

test("native: only a SIGKILLed main process with an OOM kill counted is ended by the limit", () => {
  assert.equal(oomWasFatal(1, "SIGKILL"), true);
  assert.equal(oomWasFatal(0, "SIGKILL"), false, "a SIGKILL with no OOM kill is someone else's");
  assert.equal(oomWasFatal(1, null), false, "it exited by itself after a child was killed");
  assert.equal(oomWasFatal(2, "SIGTERM"), false);
  assert.equal(oomWasFatal(0, "SIGKILL", true), true, "a systemd scope's counter went away with it");
  assert.equal(oomWasFatal(0, null, true), false);
});

test("docker: OOMKilled with exit 137 is the task's own death; with another code it is a child's", () => {
  const own = containerExit({ ExitCode: 137, OOMKilled: true }, MIB64);
  assert.equal(own.oomKilled, true);
  assert.equal(own.processOomKilled, false);
  const child = containerExit({ ExitCode: 0, OOMKilled: true }, MIB64);
  assert.deepEqual([child.oomKilled, child.processOomKilled, child.exitCode], [false, true, 0]);
  const failedAfter = containerExit({ ExitCode: 3, OOMKilled: true, Error: "" }, MIB64);
  assert.deepEqual([failedAfter.oomKilled, failedAfter.processOomKilled, failedAfter.exitCode, failedAfter.detail], [false, true, 3, undefined]);
  const plainKill = containerExit({ ExitCode: 137, OOMKilled: false }, MIB64);
  assert.deepEqual([plainKill.oomKilled, plainKill.processOomKilled, plainKill.detail], [false, false, "killed by SIGKILL"]);
});

test("finalStatus: killed_oom names the limit; a child's kill keeps the task's own exit and says so", () => {
  assert.deepEqual(finalStatus({ exitCode: 137, oomKilled: true, memoryLimitBytes: MIB64 }, false), {
    status: "killed_oom",
    message: "killed by the out-of-memory killer (memory limit 64 MiB reached)",
  });
  assert.deepEqual(finalStatus({ exitCode: 0, oomKilled: false, processOomKilled: true, memoryLimitBytes: MIB64 }, false), {
    status: "completed",
    message: "a process in the task was killed for exceeding the memory limit (64 MiB); the task itself exited with code 0",
  });
  assert.deepEqual(finalStatus({ exitCode: 137, oomKilled: false, processOomKilled: true, memoryLimitBytes: 32_000_000 }, false), {
    status: "failed",
    message: "a process in the task was killed for exceeding the memory limit (32 MB); the task itself exited with code 137",
  });
  const signalled = finalStatus({ exitCode: 143, oomKilled: false, processOomKilled: true, memoryLimitBytes: MIB64, detail: "killed by SIGTERM" }, false);
  assert.equal(signalled.status, "failed");
  assert.match(signalled.message, /^a process in the task was killed .*; the task itself ended: killed by SIGTERM$/);
  assert.deepEqual(finalStatus({ exitCode: 0, oomKilled: false }, false), { status: "completed", message: "" });
  assert.equal(finalStatus({ exitCode: 137, oomKilled: false, processOomKilled: true, memoryLimitBytes: MIB64 }, true).status, "killed");
});

test("exactSize reads a limit back as it was typed", () => {
  assert.equal(exactSize(MIB64), "64 MiB");
  assert.equal(exactSize(32_000_000), "32 MB");
  assert.equal(exactSize(4 * 1024 ** 3), "4 GiB");
  assert.equal(exactSize(1_500_000_000), "1500 MB");
  assert.equal(exactSize(1000), "1 KB");
  assert.equal(exactSize(999), "999 B");
  assert.equal(exactSize(1_234_567), "1.2 MiB");
});
