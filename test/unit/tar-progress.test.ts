/** create-tar's progress lines: percent capped at 100, totals, the pacer's steady pace. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { formatSavedLine, formatSaveLine, SaveLinePacer, savePercent } from "../../src/cli/tar-progress.js";

const MiB = 1024 * 1024;

test("a save line names the total as an estimate and the percent, capped at 100", () => {
  assert.equal(formatSaveLine("saving x-1.tar", { bytes: 120 * MiB, estimatedTotalBytes: 300 * MiB, elapsedMs: 1000 }), "saving x-1.tar: 120 MiB of about 300 MiB (40 %)");
  assert.equal(savePercent({ bytes: 310 * MiB, estimatedTotalBytes: 300 * MiB }), 100);
  assert.equal(formatSaveLine("saving x-1.tar", { bytes: 5 * MiB, estimatedTotalBytes: 0, elapsedMs: 0 }), "saving x-1.tar: 5.0 MiB");
  assert.match(formatSaveLine("saving x-1.tar", { bytes: 50, estimatedTotalBytes: 100, elapsedMs: 0 }, 10), /\[#####-----\] 50 B of about 100 B \(50 %\)$/);
});

test("the saved line carries size and seconds; only the Host's saved report is final", () => {
  assert.equal(formatSavedLine("x-1.tar", 300 * MiB, 4210), "saved x-1.tar (300 MiB) in 4.2 s");
});

test("the pacer prints the first report, then one per interval or per 10 % step", () => {
  let now = 0;
  const pacer = new SaveLinePacer({ everyMs: 2000, now: () => now });
  const at = (ms: number, bytes: number) => {
    now = ms;
    return pacer.shouldPrint({ bytes, estimatedTotalBytes: 1000, elapsedMs: ms });
  };
  assert.equal(at(0, 0), true, "first");
  assert.equal(at(250, 20), false, "same step, too soon");
  assert.equal(at(500, 100), true, "reached 10 %");
  assert.equal(at(750, 150), false);
  assert.equal(at(2600, 160), true, "the interval passed");
  assert.equal(at(2700, 170), false);
  const unknown = new SaveLinePacer({ everyMs: 2000, now: () => now });
  now = 0;
  assert.equal(unknown.shouldPrint({ bytes: 1, estimatedTotalBytes: 0, elapsedMs: 0 }), true);
  now = 1000;
  assert.equal(unknown.shouldPrint({ bytes: 2, estimatedTotalBytes: 0, elapsedMs: 0 }), false, "without a total only time paces");
});
