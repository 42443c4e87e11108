import { test } from "node:test";
import assert from "node:assert/strict";
import { every } from "../../src/shared/periodic.js";

test("every: passes run on the interval, one at a time; failures reach onError; stop ends it", async () => {
  let passes = 0;
  let concurrent = 0;
  let maxConcurrent = 0;
  const errors: unknown[] = [];
  const stop = every(
    5,
    async () => {
      passes += 1;
      concurrent += 1;
      maxConcurrent = Math.max(maxConcurrent, concurrent);
      await new Promise((resolve) => setTimeout(resolve, 20));
      concurrent -= 1;
      if (passes === 2) throw new Error("second pass failed");
    },
    (error) => errors.push(error),
  );
  await new Promise((resolve) => setTimeout(resolve, 150));
  stop();
  const after = passes;
  await new Promise((resolve) => setTimeout(resolve, 60));
  assert.ok(after >= 3, `only ${after} passes`);
  assert.equal(maxConcurrent, 1, "passes overlapped");
  assert.equal(errors.length, 1);
  assert.match(String(errors[0]), /second pass failed/);
  assert.ok(passes <= after + 1, "passes went on after stop");
});
