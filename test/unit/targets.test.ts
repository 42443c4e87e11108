import { test } from "node:test";
import assert from "node:assert/strict";
import { DomainError } from "../../src/shared/errors.js";
import { formatTarget, isValidNodeName, parseTarget } from "../../src/shared/targets.js";

test("parseTarget: node, node:NUMA, node::GPU[,GPU], node:NUMA::GPU", () => {
  assert.deepEqual(parseTarget("alpha"), { node: "alpha", numaNode: null, gpus: [] });
  assert.deepEqual(parseTarget("alpha:1"), { node: "alpha", numaNode: 1, gpus: [] });
  assert.deepEqual(parseTarget("alpha::0"), { node: "alpha", numaNode: null, gpus: [0] });
  assert.deepEqual(parseTarget("alpha::0,3, 2"), { node: "alpha", numaNode: null, gpus: [0, 3, 2] });
  assert.deepEqual(parseTarget("gpu-box.lab:0::1,2"), { node: "gpu-box.lab", numaNode: 0, gpus: [1, 2] });
  assert.deepEqual(parseTarget("  beta  "), { node: "beta", numaNode: null, gpus: [] });
});

test("formatTarget round-trips every form", () => {
  for (const text of ["alpha", "alpha:1", "alpha::0,3", "alpha:0::1,2"]) assert.equal(formatTarget(parseTarget(text)), text);
});

/** Asserts INVALID_ARGUMENT whose message matches. */
function rejects(text: string, message: RegExp): void {
  assert.throws(
    () => parseTarget(text),
    (error: unknown) => error instanceof DomainError && error.kind === "invalid_argument" && message.test(error.message),
    `"${text}" should be rejected with ${message}`,
  );
}

test("parseTarget: precise errors naming the bad part", () => {
  rejects("", /empty target/);
  rejects("   ", /empty target/);
  rejects(":1", /names no node/);
  rejects("::0", /names no node/);
  rejects("al pha", /"al pha" is not a valid node name/);
  rejects("-alpha", /not a valid node name/);
  rejects("alpha:", /NUMA id "" is not a non-negative integer/);
  rejects("alpha:-1", /NUMA id "-1" is not a non-negative integer/);
  rejects("alpha:x", /NUMA id "x"/);
  rejects("alpha:1.5", /NUMA id "1.5"/);
  rejects("alpha:0:1", /too many ":"/);
  rejects("alpha::", /empty GPU list/);
  rejects("alpha::1,", /GPU index ""/);
  rejects("alpha::a", /GPU index "a"/);
  rejects("alpha::-1", /GPU index "-1"/);
  rejects("alpha::1,1", /names a GPU twice/);
  rejects("alpha::1::2", /more than one "::"/);
  rejects("alpha:99999999999", /NUMA id 99999999999 is out of range/);
  rejects("alpha::4294967296", /GPU index 4294967296 is out of range/);
});

test("isValidNodeName: letters, digits, . _ -, not leading punctuation, at most 253", () => {
  assert.ok(isValidNodeName("node-1.lab_a"));
  assert.ok(!isValidNodeName(".hidden"));
  assert.ok(!isValidNodeName("a/b"));
  assert.ok(!isValidNodeName("a".repeat(254)));
});
