import { test } from "node:test";
import assert from "node:assert/strict";
import { fieldOfError } from "../../src/web/field-errors.js";
import { DomainError } from "../../src/shared/errors.js";
import { parseSize } from "../../src/shared/units.js";
import { parseTarget } from "../../src/shared/targets.js";
import { expandSweep } from "../../src/shared/spans.js";
import { parseTimeLimit } from "../../src/shared/time-limit.js";
import { vpsFieldOf } from "../../src/web/vps-errors.js";

/** The message a Host function throws, so the table follows the Host's real words. */
function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof DomainError);
    return error.message;
  }
  assert.fail("expected a throw");
}

test("Host errors map to the submit form's fields", () => {
  assert.equal(fieldOfError(messageOf(() => parseSize("12XB"))), "memory");
  assert.equal(fieldOfError(messageOf(() => parseSize("99999999999999999999T"))), "memory");
  assert.equal(fieldOfError(messageOf(() => parseTarget("a:b:c"))), "targets");
  assert.equal(fieldOfError(messageOf(() => parseTarget(""))), "targets");
  assert.equal(fieldOfError(messageOf(() => expandSweep(["echo", "span:{1..x}"]))), "command");
  assert.equal(fieldOfError("cores must be zero or more, got -1"), "cores");
  for (const bad of ["2x", "0s", "1000000w"]) {
    assert.equal(fieldOfError(messageOf(() => parseTimeLimit(bad))), "timeLimit", bad);
    assert.equal(vpsFieldOf(messageOf(() => parseTimeLimit(bad))), "timeLimit", bad);
  }
  assert.equal(fieldOfError('environment variable name "1X" is not valid (letters, digits and _, not starting with a digit)'), "env");
  assert.equal(fieldOfError('mount "x" must look like HOST_PATH:/container/path[:ro|:rw]'), "mounts");
  assert.equal(fieldOfError('"Bad Name" is not a valid environment name: use 2 to 63 lowercase letters'), "container");
  assert.equal(fieldOfError("empty command: put the command after --, for example: hakuriver task submit -- echo hello"), "command");
  assert.equal(fieldOfError("unknown node gamma"), "targets");
});

test("placement reasons that name a node go to the resource they are about", () => {
  assert.equal(fieldOfError("node alpha has 4 cores, the task asks for 8"), "cores");
  assert.equal(fieldOfError("node alpha has 1.0 GiB of memory, the task asks for 2.0 GiB"), "memory");
  assert.equal(fieldOfError("node alpha has no GPU 3 (GPUs: 0, 1)"), "targets");
  assert.equal(fieldOfError("gpu_count must be a whole number of GPUs, 1 or more, got 0 (leave it out to ask for none)"), "gpuCount");
  assert.equal(fieldOfError("node beta has no GPUs, the task asks for 1"), "gpuCount");
  assert.equal(fieldOfError("node alpha has 4 GPUs, the task asks for 5"), "gpuCount");
  assert.equal(fieldOfError("no node can ever fit 1 cores, 0 B of memory and 5 GPUs: node alpha has 4 GPUs, the task asks for 5"), "gpuCount");
  assert.equal(fieldOfError("no node has room now (node alpha is drained) (submitted with --no-queue; drop it to queue instead)"), "noQueue");
});

test("anything else is a form-level error", () => {
  assert.equal(fieldOfError("permission denied: viewers cannot submit tasks"), "form");
  assert.equal(fieldOfError(""), "form");
});
