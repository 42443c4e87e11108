/**
 * Time limits as typed and as printed: `2h30m`, `90s`, `1d`, `1h30m15s`;
 * malformed, zero and negative ones refused with INVALID_TIME_LIMIT.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { DomainError } from "../../src/shared/errors.js";
import { ErrorReason } from "../../src/shared/error-reasons.js";
import { formatTimeLimit, MAX_TIME_LIMIT_MS, optionalTimeLimit, parseTimeLimit, timeLimitReachedMessage } from "../../src/shared/time-limit.js";

test("parseTimeLimit reads d, h, m, s and ms parts, added up", () => {
  assert.equal(parseTimeLimit("2h30m"), 9_000_000);
  assert.equal(parseTimeLimit("90s"), 90_000);
  assert.equal(parseTimeLimit("1d"), 86_400_000);
  assert.equal(parseTimeLimit("45m"), 2_700_000);
  assert.equal(parseTimeLimit("1h30m15s"), 5_415_000);
  assert.equal(parseTimeLimit("500ms"), 500);
  assert.equal(parseTimeLimit("1m500ms"), 60_500, "m followed by ms is minutes then milliseconds");
  assert.equal(parseTimeLimit(" 2S "), 2000, "case and surrounding blanks do not matter");
  assert.equal(parseTimeLimit("1.5h"), 5_400_000);
});

test("parseTimeLimit refuses malformed, zero, negative and huge limits with INVALID_TIME_LIMIT", () => {
  for (const bad of ["2x", "-1h", "0s", "0", "5", "", "   ", "h", "1h-30m", "1 h", "2h30", "0ms", "0.0001ms", "1e3s", "+1h", `${MAX_TIME_LIMIT_MS + 1}ms`]) {
    assert.throws(
      () => parseTimeLimit(bad),
      (error: unknown) =>
        error instanceof DomainError &&
        error.kind === "invalid_argument" &&
        error.details.reason === ErrorReason.INVALID_TIME_LIMIT &&
        /90s, 45m, 2h30m or 1d/.test(error.details.fieldViolations?.[0]?.description ?? "") &&
        error.message.includes(`"${bad}"`),
      JSON.stringify(bad),
    );
  }
});

test("optionalTimeLimit: empty means no limit (0); anything else must be a limit", () => {
  assert.equal(optionalTimeLimit(""), 0);
  assert.equal(optionalTimeLimit("  "), 0);
  assert.equal(optionalTimeLimit("10m"), 600_000);
  assert.throws(() => optionalTimeLimit("0s"), /zero/);
});

test("formatTimeLimit writes what parseTimeLimit reads back, largest units first", () => {
  assert.equal(formatTimeLimit(9_000_000), "2h30m");
  assert.equal(formatTimeLimit(2000), "2s");
  assert.equal(formatTimeLimit(86_400_000), "1d");
  assert.equal(formatTimeLimit(5_415_000), "1h30m15s");
  assert.equal(formatTimeLimit(1500), "1s500ms");
  assert.equal(formatTimeLimit(0), "none");
  for (const ms of [1, 999, 60_000, 90_061_001, 7 * 86_400_000]) assert.equal(parseTimeLimit(formatTimeLimit(ms)), ms, String(ms));
  assert.equal(timeLimitReachedMessage(2000), "time limit 2s reached");
});
