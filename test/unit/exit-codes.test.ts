import { test } from "node:test";
import assert from "node:assert/strict";
import { failureExitCode, processExitCode } from "../../src/cli/exit-codes.js";

test("a remote process's exit code passes on when a process could exit with it", () => {
  for (const code of [0, 1, 42, 255]) assert.equal(processExitCode(code), code);
  for (const code of [-1, 256, 1000, 1.5, Number.NaN]) assert.equal(processExitCode(code), 1, String(code));
});

test("a task that did not complete never exits 0", () => {
  assert.equal(failureExitCode(3), 3);
  assert.equal(failureExitCode(255), 255);
  for (const code of [0, -1, 256, undefined]) assert.equal(failureExitCode(code), 1, String(code));
});
