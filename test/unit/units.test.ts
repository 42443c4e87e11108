import { test } from "node:test";
import assert from "node:assert/strict";
import { DomainError } from "../../src/shared/errors.js";
import { formatBytes, formatCores, formatDuration, parseDuration, parseSize } from "../../src/shared/units.js";

test("parseSize: 1000-based K/M/G, 1024-based Ki/Mi/Gi, decimals, bytes", () => {
  assert.equal(parseSize("512M"), 512_000_000);
  assert.equal(parseSize("4G"), 4_000_000_000);
  assert.equal(parseSize("1.5G"), 1_500_000_000);
  assert.equal(parseSize("256Mi"), 256 * 1024 * 1024);
  assert.equal(parseSize("2Gi"), 2 * 1024 ** 3);
  assert.equal(parseSize("1ki"), 1024);
  assert.equal(parseSize("100"), 100);
  assert.equal(parseSize(" 32m "), 32_000_000);
  assert.equal(parseSize("10KB"), 10_000);
});

test("parseSize: malformed sizes are INVALID_ARGUMENT with the accepted forms", () => {
  for (const bad of ["12X", "", "M", "-1G", "1.2.3M", "4 G B", "1e3"]) {
    assert.throws(
      () => parseSize(bad),
      (error: unknown) => error instanceof DomainError && error.kind === "invalid_argument" && /512M, 4G/.test(error.message),
      bad,
    );
  }
});

test("formatBytes and formatDuration render for people", () => {
  assert.equal(formatBytes(900), "900 B");
  assert.equal(formatBytes(1536), "1.5 KiB");
  assert.equal(formatBytes(24 * 1024 ** 3), "24 GiB");
  assert.equal(formatDuration(850), "850ms");
  assert.equal(formatDuration(12_300), "12.3s");
  assert.equal(formatDuration(245_000), "4m05s");
});

test("formatCores: at most two decimals, no trailing zeros", () => {
  assert.equal(formatCores(0.1 + 0.2), "0.3");
  assert.equal(formatCores(2.0000000000000004), "2");
  assert.equal(formatCores(0.5), "0.5");
  assert.equal(formatCores(1 / 3), "0.33");
  assert.equal(formatCores(0), "0");
});

test("parseDuration: s, m, h, d, w and ms, decimals, parts added up", () => {
  assert.equal(parseDuration("90s"), 90_000);
  assert.equal(parseDuration("10m"), 600_000);
  assert.equal(parseDuration("12h"), 12 * 3_600_000);
  assert.equal(parseDuration("30d"), 30 * 86_400_000);
  assert.equal(parseDuration("1w"), 7 * 86_400_000);
  assert.equal(parseDuration("250ms"), 250);
  assert.equal(parseDuration("1.5h"), 90 * 60_000);
  assert.equal(parseDuration("1h30m"), 90 * 60_000);
  assert.equal(parseDuration("1d12h"), 36 * 3_600_000);
  assert.equal(parseDuration(" 2H "), 2 * 3_600_000);
  assert.equal(parseDuration("0s"), 0);
});

test("parseDuration: a bare number, an unknown unit or junk is INVALID_ARGUMENT with the accepted forms", () => {
  for (const bad of ["", "30", "10x", "h", "-5m", "1h 30m", "1.2.3s", "5 minutes", "1e3s", "10m!"]) {
    assert.throws(
      () => parseDuration(bad),
      (error: unknown) => error instanceof DomainError && error.kind === "invalid_argument" && /90s, 10m, 12h, 30d/.test(error.message),
      bad,
    );
  }
  assert.throws(() => parseDuration(`${"9".repeat(20)}w`), /too long/);
});
