import { test } from "node:test";
import assert from "node:assert/strict";
import { sinceMs, ttlSecondsOf } from "../../src/cli/time-options.js";
import { DomainError } from "../../src/shared/errors.js";

const isInvalid = (flag: string) => (error: unknown) => error instanceof DomainError && error.kind === "invalid_argument" && error.message.includes(flag);

test("--expires: a duration in whole seconds; absent, never or 0 is no expiry", () => {
  assert.equal(ttlSecondsOf("12h"), 43_200n);
  assert.equal(ttlSecondsOf("30d"), 2_592_000n);
  assert.equal(ttlSecondsOf("90s"), 90n);
  assert.equal(ttlSecondsOf(undefined), 0n);
  assert.equal(ttlSecondsOf("never"), 0n);
  assert.equal(ttlSecondsOf("0"), 0n);
  for (const bad of ["30", "soon", "500ms", "-1d"]) assert.throws(() => ttlSecondsOf(bad), isInvalid("--expires"), bad);
});

test("--since: a duration back from now, or an ISO date or time", () => {
  const now = Date.parse("2026-03-04T05:06:07Z");
  assert.equal(sinceMs("10m", now), now - 600_000);
  assert.equal(sinceMs("2h", now), now - 7_200_000);
  assert.equal(sinceMs("2026-03-01T00:00:00Z", now), Date.parse("2026-03-01T00:00:00Z"));
  assert.equal(sinceMs("2026-03-01T01:00:00+01:00", now), Date.parse("2026-03-01T00:00:00Z"));
  // Without a zone, as the tables print times: local.
  assert.equal(sinceMs("2026-03-01", now), new Date(2026, 2, 1).getTime());
  assert.equal(sinceMs("2026-03-01 12:30", now), new Date(2026, 2, 1, 12, 30).getTime());
  for (const bad of ["yesterday", "10", "2026-13-45", "03/01/2026", ""]) assert.throws(() => sinceMs(bad, now), isInvalid("--since"), bad);
});
