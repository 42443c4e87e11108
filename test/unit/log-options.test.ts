import { test } from "node:test";
import assert from "node:assert/strict";
import { tailLinesOf } from "../../src/cli/commands/logs.js";
import { LinePrefixer, timestampPrefix } from "../../src/cli/log-timestamps.js";
import { joinDashValues } from "../../src/cli/option-values.js";
import { logLevelOf, rollOptionsOf } from "../../src/shared/logger.js";
import { DomainError } from "../../src/shared/errors.js";

const settings = { logLevel: "", logFile: "/var/log/hakuriver/host.log", logMaxSize: "10Mi", logMaxFiles: 5 };

test("--tail takes a whole number of lines; anything else names the option", () => {
  assert.equal(tailLinesOf(undefined), undefined);
  assert.equal(tailLinesOf("0"), 0);
  assert.equal(tailLinesOf("25"), 25);
  for (const bad of ["-1", "2.5", "three", "", "99999999999"]) {
    assert.throws(() => tailLinesOf(bad), (error: unknown) => error instanceof DomainError && error.message.includes("--tail"), bad);
  }
  assert.deepEqual(joinDashValues(["logs", "7", "--tail", "-1", "--since", "-1h"]), ["logs", "7", "--tail=-1", "--since=-1h"], "a value starting with - reaches the check");
});

test("--timestamps prefixes each line once, with the time of the chunk its first byte came in", () => {
  const prefixer = new LinePrefixer();
  const t1 = Date.UTC(2026, 0, 2, 3, 4, 5, 678);
  const t2 = t1 + 1_000;
  const out = [prefixer.prefix(Buffer.from("one\ntw"), t1), prefixer.prefix(Buffer.from("o\nthree\n"), t2), prefixer.prefix(Buffer.from("four"), null)];
  assert.equal(
    Buffer.concat(out).toString(),
    "2026-01-02T03:04:05.678Z one\n2026-01-02T03:04:05.678Z two\n2026-01-02T03:04:06.678Z three\n------------------------ four",
  );
  assert.equal(timestampPrefix(t1).length, timestampPrefix(null).length, "an unknown time keeps the columns");
});

test("log level: logging.level, else HAKURIVER_LOG_LEVEL, else info; a bad one names where it came from", () => {
  assert.equal(logLevelOf("", {}), "info");
  assert.equal(logLevelOf("", { HAKURIVER_LOG_LEVEL: "warn" }), "warn");
  assert.equal(logLevelOf("DEBUG", { HAKURIVER_LOG_LEVEL: "warn" }), "debug");
  assert.throws(() => logLevelOf("loud", {}), /--log-level \(logging\.level\) must be one of .*info.*got loud/);
  assert.throws(() => logLevelOf("", { HAKURIVER_LOG_LEVEL: "loud" }), /HAKURIVER_LOG_LEVEL must be one of/);
});

test("rotation settings become pino-roll's options, in bytes; bad ones name the setting", () => {
  assert.deepEqual(rollOptionsOf(settings), {
    file: "/var/log/hakuriver/host.log",
    size: `${10 * 1024 * 1024}b`,
    limit: { count: 5, removeOtherLogFiles: true },
    mkdir: true,
    sync: true,
  });
  assert.equal(rollOptionsOf({ ...settings, logMaxSize: "500K" }).size, "500000b");
  assert.throws(() => rollOptionsOf({ ...settings, logMaxSize: "lots" }), /logging\.max_size must be a size/);
  assert.throws(() => rollOptionsOf({ ...settings, logMaxSize: "0" }), /logging\.max_size must be at least 1 byte/);
  assert.throws(() => rollOptionsOf({ ...settings, logMaxFiles: 0 }), /logging\.max_files must be a whole number/);
  assert.throws(() => rollOptionsOf({ ...settings, logMaxFiles: 1.5 }), /logging\.max_files/);
});
