import { test } from "node:test";
import assert from "node:assert/strict";
import { LoginThrottle } from "../../src/host/auth/login-throttle.js";

test("an address is locked out after maxFailures within the window, for lockoutMs, and others are not", () => {
  let now = 0;
  const throttle = new LoginThrottle({ maxFailures: 3, windowMs: 1000, lockoutMs: 5000 }, () => now);
  assert.equal(throttle.fail("a"), false);
  now = 2000; // the first failure left the window
  assert.equal(throttle.fail("a"), false);
  assert.equal(throttle.fail("a"), false);
  assert.equal(throttle.lockedFor("a"), 0, "two failures in the window lock nothing");
  assert.equal(throttle.fail("a"), true, "the third in the window locks");
  assert.equal(throttle.lockedFor("a"), 5000);
  assert.equal(throttle.lockedFor("b"), 0, "another address is not affected");
  now = 7000;
  assert.equal(throttle.lockedFor("a"), 0, "the lockout ends");
  throttle.prune();
  assert.equal(throttle.lockedFor("a"), 0);
});
