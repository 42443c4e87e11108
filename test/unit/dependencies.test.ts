/**
 * The pure parts of task dependencies: reading `after` / `after_ok`, the
 * waiting message, and the verdict on a waiting task.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { DomainError } from "../../src/shared/errors.js";
import { ErrorReason } from "../../src/shared/error-reasons.js";
import {
  MAX_DEPENDENCIES,
  dependencyFields,
  dependencyVerdict,
  parseDependencyIds,
  waitingMessage,
  type DependencyState,
  type TaskDependency,
} from "../../src/host/tasks/dependencies.js";
import { dependencyIds } from "../../src/cli/dependency-options.js";

function refusal(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof DomainError, String(error));
    return error;
  }
  assert.fail("expected a refusal");
}

test("ids are parsed, deduplicated, and an id in both lists counts as after_ok", () => {
  assert.deepEqual(parseDependencyIds(["5", " 7 ", "5"], ["7", "9"]), [
    { id: 5, requireOk: false, field: "after[0]" },
    { id: 7, requireOk: true, field: "after_ok[0]" },
    { id: 9, requireOk: true, field: "after_ok[1]" },
  ]);
  assert.deepEqual(parseDependencyIds([], []), []);
});

test("a malformed id is INVALID_ARGUMENT naming its field", () => {
  for (const [after, afterOk, field] of [[["12", "x1"], [], "after[1]"], [[], [""], "after_ok[0]"], [["-3"], [], "after[0]"], [["1.5"], [], "after[0]"]] as const) {
    const error = refusal(() => parseDependencyIds(after, afterOk));
    assert.equal(error.kind, "invalid_argument");
    assert.equal(error.details.reason, ErrorReason.INVALID_DEPENDENCY);
    assert.equal(error.details.fieldViolations?.[0]?.field, field);
  }
  const tooMany = refusal(() => parseDependencyIds(Array.from({ length: MAX_DEPENDENCIES + 1 }, (_, i) => String(i + 1)), []));
  assert.equal(tooMany.details.reason, ErrorReason.TOO_MANY_DEPENDENCIES);
  assert.equal(tooMany.details.fieldViolations?.[0]?.field, "after");
});

test("the waiting message names tasks and batches as a person reads them", () => {
  const task = (onId: number): TaskDependency => ({ onId, batch: false, requireOk: false });
  const batch = (onId: number): TaskDependency => ({ onId, batch: true, requireOk: true });
  assert.equal(waitingMessage([task(123)]), "waiting: after task 123");
  assert.equal(waitingMessage([task(1), task(2)]), "waiting: after tasks 1, 2");
  assert.equal(waitingMessage([batch(7)]), "waiting: after batch 7");
  assert.equal(waitingMessage([task(1), batch(7), batch(8)]), "waiting: after task 1 and batches 7, 8");
  assert.deepEqual(dependencyFields([task(1), batch(7), task(2)]), { after: ["1", "2"], afterOk: ["7"] });
});

test("the verdict: fail at the first failed after_ok, ready once all ended, else wait", () => {
  const states = new Map<number, DependencyState>([
    [1, { ended: false }],
    [2, { ended: true }],
    [3, { ended: true, failure: { taskId: 3, status: "failed" } }],
    [4, { ended: false, failure: { taskId: 41, status: "killed" } }],
  ]);
  const stateOf = (d: TaskDependency) => states.get(d.onId)!;
  const after = (onId: number): TaskDependency => ({ onId, batch: false, requireOk: false });
  const afterOk = (onId: number, batch = false): TaskDependency => ({ onId, batch, requireOk: true });
  assert.deepEqual(dependencyVerdict([after(1), afterOk(2)], stateOf), { kind: "wait" });
  assert.deepEqual(dependencyVerdict([after(2), afterOk(2)], stateOf), { kind: "ready" });
  assert.deepEqual(dependencyVerdict([after(3)], stateOf), { kind: "ready" }, "after: a failed dependency has ended, which is all it needs");
  const failed = dependencyVerdict([after(1), afterOk(3)], stateOf);
  assert.equal(failed.kind, "fail");
  assert.match(failed.kind === "fail" ? failed.message : "", /^dependency task 3 failed/);
  const batchFailed = dependencyVerdict([afterOk(4, true)], stateOf);
  assert.match(batchFailed.kind === "fail" ? batchFailed.message : "", /^dependency task 41 \(of batch 4\) ended killed/, "a batch fails its after_ok at its first failure, before it has ended");
  assert.deepEqual(dependencyVerdict([after(4)], stateOf), { kind: "wait" }, "after a batch: every task must end first");
});

test("the CLI splits comma lists and keeps empty parts for the Host to refuse by name", () => {
  assert.deepEqual(dependencyIds(["1,2", "3", 4]), ["1", "2", "3", "4"]);
  assert.deepEqual(dependencyIds(["1,,2"]), ["1", "", "2"]);
  assert.deepEqual(dependencyIds(undefined), []);
});
