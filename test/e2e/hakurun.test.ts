import { after, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HAKURUN, type CliResult } from "../helpers/cluster.js";
import { runHakurun } from "../helpers/hakurun.js";

const dir = mkdtempSync(join(tmpdir(), "hakurun-test-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Runs any program (argv, no shell) and collects its output. */
function runProgram(file: string, args: readonly string[]): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.once("error", reject);
    child.once("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** A script that logs `start|end <combo> <ns>` lines into `$LOG` around a sleep. */
const TIMED = 'echo "start $0-$1 $(date +%s%N)" >> "$LOG"; sleep 0.4; echo "end $0-$1 $(date +%s%N)" >> "$LOG"; echo "did $0 $1"';

interface Interval {
  readonly name: string;
  readonly start: bigint;
  readonly end: bigint;
}

function intervals(logFile: string): Interval[] {
  const events = readFileSync(logFile, "utf8").trim().split("\n").map((line) => line.split(" "));
  const starts = new Map(events.filter((e) => e[0] === "start").map((e) => [e[1]!, BigInt(e[2]!)]));
  return events.filter((e) => e[0] === "end").map((e) => ({ name: e[1]!, start: starts.get(e[1]!)!, end: BigInt(e[2]!) }));
}

/** The most intervals that were running at the same moment. */
function maxOverlap(runs: readonly Interval[]): number {
  return Math.max(...runs.map((run) => runs.filter((other) => other.start <= run.start && run.start < other.end).length));
}

test("sequential: every combination runs in sweep order, one at a time, output prefixed", async () => {
  const log = join(dir, "sequential.log");
  const result = await runHakurun(["sh", "-c", TIMED, "span:{1..2}", "span:[a, b]"], { env: { LOG: log } });
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(result.stdout.trim().split("\n"), ["[1 a] did 1 a", "[1 b] did 1 b", "[2 a] did 2 a", "[2 b] did 2 b"]);
  const runs = intervals(log);
  assert.deepEqual(runs.map((r) => r.name), ["1-a", "1-b", "2-a", "2-b"]);
  assert.equal(maxOverlap(runs), 1, "sequential runs never overlap");
  assert.match(result.stderr, /4 runs: 4 ok, 0 failed/);
});

test("--parallel 2 runs at most two at once, and all of them", async () => {
  const log = join(dir, "parallel.log");
  const result = await runHakurun(["--parallel", "2", "sh", "-c", TIMED, "span:{1..3}", "span:[a,b]"], { env: { LOG: log } });
  assert.equal(result.code, 0, result.stderr);
  const runs = intervals(log);
  assert.deepEqual(runs.map((r) => r.name).sort(), ["1-a", "1-b", "2-a", "2-b", "3-a", "3-b"]);
  assert.equal(maxOverlap(runs), 2, "two at once, never three");
  const lines = result.stdout.trim().split("\n").sort();
  assert.deepEqual(lines, ["[1 a] did 1 a", "[1 b] did 1 b", "[2 a] did 2 a", "[2 b] did 2 b", "[3 a] did 3 a", "[3 b] did 3 b"]);
});

test("a failing combination makes the exit non-zero and is listed in the summary", async () => {
  const result = await runHakurun(["--parallel", "3", "sh", "-c", 'echo "out $0"; echo "err $0" >&2; [ "$0" != 2 ] || exit 5', "span:{1..3}"]);
  assert.equal(result.code, 1);
  assert.match(result.stdout, /^\[2\] out 2$/m);
  assert.match(result.stderr, /^\[2\] err 2$/m, "stderr lines are prefixed too");
  assert.match(result.stderr, /3 runs: 2 ok, 1 failed/);
  assert.match(result.stderr, /^ {2}\[2\] exit code 5: sh -c .* 2$/m);
  assert.doesNotMatch(result.stderr, /^ {2}\[[13]\]/m, "successful runs are not listed as failures");
});

test("a single run's exit code is hakurun's exit code", async () => {
  assert.equal((await runHakurun(["sh", "-c", "exit $0", "span:[7]"])).code, 7);
  const plain = await runHakurun(["sh", "-c", "echo plain; exit 3"]);
  assert.equal(plain.code, 3);
  assert.equal(plain.stdout, "plain\n", "without spans the output is passed through untouched");
});

test("a command that cannot start fails its runs with 127", async () => {
  const result = await runHakurun(["hakurun-no-such-command", "span:[1,2]"]);
  assert.equal(result.code, 1);
  assert.match(result.stderr, /2 runs: 0 ok, 2 failed/);
  assert.match(result.stderr, /^\[1\] hakurun: hakurun-no-such-command: command not found$/m, "each run says why, prefixed");
  assert.match(result.stderr, /^ {2}\[2\] command not found: hakurun-no-such-command 2$/m);
  const single = await runHakurun(["hakurun-no-such-command", "span:[1]"]);
  assert.equal(single.code, 127);
});

test("hakurun nosuchcmd exits 127 and says the command was not found, in one line", async () => {
  const result = await runHakurun(["nosuchcmd"]);
  assert.equal(result.code, 127);
  assert.equal(result.stderr, "hakurun: nosuchcmd: command not found\n");
  assert.equal(result.stdout, "");
});

test("hakurun nosuchcmd typed at a terminal prints the reason there and exits 127", async () => {
  // script(1) gives hakurun a real terminal, as a user typing it has; -e passes its exit code on.
  const typed = await runProgram("script", ["-qec", `${process.execPath} ${HAKURUN} nosuchcmd`, "/dev/null"]);
  assert.equal(typed.code, 127, typed.stdout);
  assert.match(typed.stdout, /^hakurun: nosuchcmd: command not found\r?$/m);
});

test("a file that is not executable exits 126 and says so; a missing path says no such file", async () => {
  const script = join(dir, "not-executable.sh");
  writeFileSync(script, "#!/bin/sh\necho ran\n");
  chmodSync(script, 0o644);
  const result = await runHakurun([script]);
  assert.equal(result.code, 126);
  assert.equal(result.stderr, `hakurun: ${script}: permission denied (not an executable file)\n`);
  assert.equal(result.stdout, "", "nothing ran");
  const missing = await runHakurun([join(dir, "no-such-file")]);
  assert.equal(missing.code, 127);
  assert.equal(missing.stderr, `hakurun: ${join(dir, "no-such-file")}: no such file\n`);
  const orphan = join(dir, "bad-interpreter.sh");
  writeFileSync(orphan, "#!/no/such/interpreter\necho ran\n");
  chmodSync(orphan, 0o755);
  const bad = await runHakurun([orphan]);
  assert.equal(bad.code, 126);
  assert.match(bad.stderr, /#! interpreter was not found/);
});

test("--dry-run prints the shell-quoted command lines and runs nothing", async () => {
  const marker = join(dir, "dry-run-marker");
  const result = await runHakurun(["--dry-run", "sh", "-c", `touch ${marker}; echo "$0"`, "span:{3..1..2}", "--lr", "span:[0.1, a b]"]);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(
    result.stdout,
    [
      `sh -c 'touch ${marker}; echo "$0"' 3 --lr 0.1`,
      `sh -c 'touch ${marker}; echo "$0"' 3 --lr 'a b'`,
      `sh -c 'touch ${marker}; echo "$0"' 1 --lr 0.1`,
      `sh -c 'touch ${marker}; echo "$0"' 1 --lr 'a b'`,
      "",
    ].join("\n"),
  );
  assert.equal(result.stderr, "");
  assert.equal(existsSync(marker), false, "nothing ran");
});

test("the options stop at CMD: later look-alikes belong to the command", async () => {
  const result = await runHakurun(["echo", "--dry-run", "span:[x]"]);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, "[dry-run=x] --dry-run x\n", "a span after an option is labelled with its name");
});

for (const [span, message] of [
  ["span:{1..x}", /malformed span "span:\{1\.\.x\}"/],
  ["span:[a,b", /malformed span "span:\[a,b": missing closing "\]"/],
  ["span:{1..3", /missing closing "\}"/],
] as const) {
  test(`a malformed span (${span}) exits 2 with one line and runs nothing`, async () => {
    const marker = join(dir, "malformed-marker");
    const result = await runHakurun(["sh", "-c", `touch ${marker}`, "span:[1,2]", span]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, message);
    assert.equal(result.stderr.trim().split("\n").length, 1, "one line, no stack trace");
    assert.doesNotMatch(result.stderr, /\n\s+at /);
    assert.equal(result.stdout, "");
    assert.equal(existsSync(marker), false, "nothing ran");
  });
}

test("usage errors exit 2 with a hint", async () => {
  const missing = await runHakurun(["--parallel", "2"]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /no command given/);
  const unknown = await runHakurun(["--frobnicate", "echo"]);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown option "--frobnicate"/);
  const help = await runHakurun(["--help"]);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /Usage: hakurun/);
});
