import { test } from "node:test";
import assert from "node:assert/strict";
import { create } from "@bufbuild/protobuf";
import { TaskSchema, TaskStatus } from "../../gen/hakuriver/v1/types_pb.js";
import { failureExitCode, processExitCode, TIMEOUT_EXIT_CODE } from "../../src/cli/exit-codes.js";
import { exitCodeOfTasks } from "../../src/cli/wait-for-tasks.js";

test("a remote process's exit code passes on when a process could exit with it", () => {
  for (const code of [0, 1, 42, 255]) assert.equal(processExitCode(code), code);
  for (const code of [-1, 256, 1000, 1.5, Number.NaN]) assert.equal(processExitCode(code), 1, String(code));
});

test("a task that did not complete never exits 0", () => {
  assert.equal(failureExitCode(3), 3);
  assert.equal(failureExitCode(255), 255);
  for (const code of [0, -1, 256, undefined]) assert.equal(failureExitCode(code), 1, String(code));
});

test("--wait exits 124 for a task that ran out of time, whatever the stopped process's code", () => {
  const task = (status: TaskStatus, exitCode?: number) => create(TaskSchema, { status, exitCode });
  assert.equal(TIMEOUT_EXIT_CODE, 124);
  assert.equal(exitCodeOfTasks([task(TaskStatus.TIMEOUT, 143)]), 124);
  assert.equal(exitCodeOfTasks([task(TaskStatus.TIMEOUT)]), 124);
  assert.equal(exitCodeOfTasks([task(TaskStatus.COMPLETED, 0), task(TaskStatus.TIMEOUT, 137)]), 124, "the rest completed: the batch timed out");
  assert.equal(exitCodeOfTasks([task(TaskStatus.FAILED, 3), task(TaskStatus.TIMEOUT, 143)]), 1, "a failure besides the timeout is a plain failure");
  assert.equal(exitCodeOfTasks([task(TaskStatus.FAILED, 3)]), 3);
  assert.equal(exitCodeOfTasks([task(TaskStatus.KILLED, 143)]), 143);
  assert.equal(exitCodeOfTasks([task(TaskStatus.COMPLETED, 0), task(TaskStatus.COMPLETED, 0)]), 0);
});
