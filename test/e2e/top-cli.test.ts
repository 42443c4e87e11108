/**
 * End to end, `hakuriver top` as a user runs it: on a real terminal (a pty
 * made by util-linux `script`) against a real Host and Runner, it shows the
 * runner and a running task, quits on q with exit 0 and gives the terminal
 * back; when the Host goes away it gives the terminal back and exits 1
 * with one line. Piped, it prints one plain snapshot.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { readFileSync, readlinkSync } from "node:fs";
import { join } from "node:path";
import { statusColour } from "../../src/cli/colour.js";
import { CLI, TestCluster, submittedIds, waitUntil } from "../helpers/cluster.js";

const LEAVE = "\x1b[?1049l\x1b[?25h";
const ENTER = "\x1b[?1049h";

const cluster = new TestCluster();
let sleeperId = "";
before(async () => {
  await cluster.startHost();
  await cluster.startRunner("topnode");
  const submit = await cluster.cli(["task", "submit", "--json", "--container", "NULL", "--", "sleep", "60"]);
  assert.equal(submit.code, 0, submit.stderr);
  [sleeperId = ""] = submittedIds(submit.stdout);
  await waitUntil(async () => (await cluster.client.getTask({ taskId: sleeperId })).task?.status === 3, 15_000, () => `task ${sleeperId} never ran`);
});
after(() => cluster.cleanup());

/** `hakuriver top` on a 120×30 pty; everything the terminal got is in output(). */
function topOnPty(env: Record<string, string> = {}): { child: ChildProcessWithoutNullStreams; output: () => string; exited: Promise<number | null>; pid: () => number } {
  const pidFile = join(cluster.dir, `top-${Math.random().toString(36).slice(2)}.pid`);
  // The shell's pid becomes top's at exec: the pid file names the process to signal.
  const line = `stty cols 120 rows 30; echo $$ > ${pidFile}; exec ${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} top`;
  const child = spawn("script", ["-qec", line, "/dev/null"], { env: { ...process.env, ...cluster.cliEnv(env), TERM: "xterm" } });
  let out = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("close", resolve));
  return { child, output: () => out, exited, pid: () => Number(readFileSync(pidFile, "utf8")) };
}

test("top piped prints one plain snapshot with the node and the running task, and exits 0", async () => {
  const result = await cluster.cli(["top"]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /^NODES\s+1 \(1 online\)$/m);
  assert.match(result.stdout, /^topnode\s+online\s/m);
  assert.match(result.stdout, new RegExp(`^${sleeperId}\\s+running\\s+topnode\\s.*sleep 60$`, "m"));
  assert.doesNotMatch(result.stdout, /\x1b/, "no escape codes into a pipe");
  const json = await cluster.cli(["top", "--json"]);
  assert.equal(json.code, 0, json.stderr);
  const parsed = JSON.parse(json.stdout) as { nodes: { name: string }[]; tasks: { taskId: string; status: string }[] };
  assert.deepEqual(parsed.nodes.map((n) => n.name), ["topnode"]);
  assert.deepEqual(parsed.tasks.map((t) => [t.taskId, t.status]), [[sleeperId, "running"]]);
});

test("top on a terminal shows the runner and a running task, fits a resize, quits on q with exit 0 and restores the terminal", async () => {
  const top = topOnPty();
  try {
    await waitUntil(() => top.output().includes(sleeperId) && top.output().includes("topnode"), 20_000, () => `screen: ${JSON.stringify(top.output())}`);
    assert.ok(top.output().includes(ENTER), "switched to the alternate screen");
    assert.ok(top.output().includes(statusColour("running", "running", true)), "running in its status colour on a terminal");
    // Every drawn line fits the 120 columns (one short of them, as top draws).
    const frame = top.output().slice(top.output().lastIndexOf("\x1b[H"));
    for (const line of frame.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, "").split(/\r*\n/)) assert.ok(line.length <= 119, `line too wide: ${line}`);
    // Resize the pty as a terminal window does (the kernel sends SIGWINCH): the next frame fits 60×12.
    const framesBefore = top.output().split("\x1b[H").length;
    execFileSync("stty", ["-F", readlinkSync(`/proc/${top.pid()}/fd/0`), "cols", "60", "rows", "12"]);
    await waitUntil(() => top.output().split("\x1b[H").length > framesBefore, 10_000, () => "no redraw after the resize");
    const resized = top.output().slice(top.output().lastIndexOf("\x1b[H")).replace(/\x1b\[[0-9;?]*[A-Za-z]/g, "").split(/\r*\n/);
    assert.ok(resized.length <= 12, `${resized.length} lines after the resize`);
    for (const line of resized) assert.ok(line.length <= 59, `line too wide after the resize: ${line}`);
    top.child.stdin.write("q");
    assert.equal(await top.exited, 0, top.output());
    assert.ok(top.output().trimEnd().endsWith(LEAVE), `terminal not restored at the end: ${JSON.stringify(top.output().slice(-80))}`);
  } finally {
    top.child.kill("SIGKILL");
  }
});

test("top with NO_COLOR set draws no colours", async () => {
  const top = topOnPty({ NO_COLOR: "1" });
  try {
    await waitUntil(() => top.output().includes(sleeperId), 20_000, () => `screen: ${JSON.stringify(top.output())}`);
    assert.doesNotMatch(top.output(), /\x1b\[(3\d|1|2|7)m/);
    top.child.stdin.write("\x03"); // Ctrl-C, as raw mode delivers it.
    assert.equal(await top.exited, 0, top.output());
    assert.ok(top.output().trimEnd().endsWith(LEAVE));
  } finally {
    top.child.kill("SIGKILL");
  }
});

test("SIGTERM ends top with 143 and the terminal restored", async () => {
  const top = topOnPty();
  try {
    await waitUntil(() => top.output().includes(sleeperId), 20_000, () => `screen: ${JSON.stringify(top.output())}`);
    process.kill(top.pid(), "SIGTERM");
    assert.equal(await top.exited, 143, top.output());
    assert.ok(top.output().trimEnd().endsWith(LEAVE), JSON.stringify(top.output().slice(-80)));
  } finally {
    top.child.kill("SIGKILL");
  }
});

// Last: it stops the Host.
test("top exits 1 with one line and a restored terminal when the Host goes away", async () => {
  const top = topOnPty();
  try {
    await waitUntil(() => top.output().includes(sleeperId), 20_000, () => `screen: ${JSON.stringify(top.output())}`);
    await cluster.kill(cluster.host!);
    const code = await Promise.race([top.exited, new Promise<string>((resolve) => setTimeout(() => resolve("still running"), 20_000))]);
    assert.equal(code, 1, top.output());
    const out = top.output();
    const restoredAt = out.lastIndexOf(LEAVE);
    assert.ok(restoredAt > out.lastIndexOf("\x1b[H"), "the terminal is restored after the last frame");
    const after = out.slice(restoredAt + LEAVE.length).trim();
    assert.match(after, /^error: lost the Host at 127\.0\.0\.1:\d+ \(.+\); top stopped$/, JSON.stringify(after));
  } finally {
    top.child.kill("SIGKILL");
  }
});
