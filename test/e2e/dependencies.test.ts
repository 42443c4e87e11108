/**
 * End to end: `--after` and `--after-ok` with a real Host, a real runner,
 * native processes and the CLI as a user types it: a task runs after its
 * dependency succeeds; after a failure it fails without running (and so
 * does its own dependant), while a plain `--after` runs; `--after BATCH`
 * waits for the whole batch; the wait survives a Host restart; bad input is
 * refused by field with nothing submitted.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { timestampMs } from "@bufbuild/protobuf/wkt";
import { TaskStatus, type Task } from "../../gen/hakuriver/v1/types_pb.js";
import { FAST_TIMING, TestCluster, submittedIds, waitUntil } from "../helpers/cluster.js";

describe("task dependencies end to end", { timeout: 240_000 }, () => {
  // A node is lost after 10 s of silence, not 1.5 s: the Host restart below must not lose the running dependency
  // while its runner reconnects on a busy machine (that would fail the waiting task, rightly, but it is not the point).
  const cluster = new TestCluster({ ...FAST_TIMING, HAKURIVER_TIMING_HEARTBEAT_TIMEOUT_FACTOR: "50" });
  const work = join(cluster.dir, "work");

  before(async () => {
    mkdirSync(work, { recursive: true });
    await cluster.startHost();
    await cluster.startRunner("alpha");
  });

  after(() => cluster.cleanup());

  async function submit(args: string[]): Promise<{ batchId: string; ids: string[] }> {
    const result = await cluster.cli(["task", "submit", "--json", "--container", "NULL", "--cores", "0", ...args]);
    assert.equal(result.code, 0, `submit ${args.join(" ")} failed: ${result.stderr}`);
    return { batchId: (JSON.parse(result.stdout) as { batchId: string }).batchId, ids: submittedIds(result.stdout) };
  }

  async function one(args: string[]): Promise<string> {
    return (await submit(args)).ids[0]!;
  }

  /** The task as `task status --json` prints it. */
  async function statusJson(taskId: string): Promise<{ status: string; message: string; after: string[]; afterOk: string[]; assignedNode: string; startedAt: string | null }> {
    const result = await cluster.cli(["task", "status", taskId, "--json"]);
    assert.equal(result.code, 0, result.stderr);
    return JSON.parse(result.stdout) as never;
  }

  async function task(taskId: string): Promise<Task> {
    return (await cluster.client.getTask({ taskId })).task!;
  }

  async function waitStatus(taskId: string, status: TaskStatus, timeoutMs = 30_000): Promise<Task> {
    let last: Task | undefined;
    await waitUntil(async () => (last = await task(taskId)).status === status, timeoutMs, () => `task ${taskId} never reached ${TaskStatus[status]}: ${TaskStatus[last?.status ?? 0]} ${last?.message}`);
    return last!;
  }

  async function stdoutOf(taskId: string): Promise<string> {
    const result = await cluster.cli(["logs", taskId]);
    assert.equal(result.code, 0, result.stderr);
    return result.stdout;
  }

  /** A command that runs until `file` exists, then exits with `code`. */
  function blocker(file: string, code = 0): string[] {
    return ["--", "sh", "-c", `while [ ! -e "$0" ]; do sleep 0.1; done; exit ${code}`, file];
  }

  test("--after-ok waits (shown in list and status) and runs once its dependency completed", async () => {
    const gate = join(work, "ok-gate");
    const first = await one(blocker(gate));
    const second = await one(["--after-ok", first, "--", "sh", "-c", "echo second ran"]);
    const waiting = await statusJson(second);
    assert.equal(waiting.status, "pending");
    assert.equal(waiting.message, `waiting: after task ${first}`);
    assert.deepEqual([waiting.after, waiting.afterOk], [[], [first]]);
    assert.equal(waiting.assignedNode, "", "it holds no node while it waits");
    const list = await cluster.cli(["task", "list"]);
    assert.match(list.stdout, new RegExp(`${second}\\s+pending \\(after task ${first}\\)`), list.stdout);
    const details = await cluster.cli(["task", "status", second]);
    assert.match(details.stdout, new RegExp(`Depends on:\\s+after-ok ${first}`), details.stdout);
    writeFileSync(gate, "");
    const done = await waitStatus(first, TaskStatus.COMPLETED);
    const ran = await waitStatus(second, TaskStatus.COMPLETED);
    assert.ok(timestampMs(ran.startedAt!) >= timestampMs(done.completedAt!), "it started only after its dependency ended");
    assert.equal(await stdoutOf(second), "second ran\n");
  });

  test("after a failure --after-ok fails without running, its dependant too; --after runs", async () => {
    const gate = join(work, "fail-gate");
    const marker = join(work, "must-not-exist");
    const failing = await one(blocker(gate, 3));
    const needsOk = await one(["--after-ok", failing, "--", "sh", "-c", 'echo ran > "$0"', marker]);
    const chained = await one(["--after-ok", needsOk, "--", "sh", "-c", 'echo ran > "$0"', marker]);
    const anyEnd = await one(["--after", failing, "--", "echo", "cleanup ran"]);
    writeFileSync(gate, "");
    const failed = await waitStatus(failing, TaskStatus.FAILED);
    assert.equal(failed.exitCode, 3);
    const skipped = await waitStatus(needsOk, TaskStatus.FAILED);
    assert.match(skipped.message, new RegExp(`^dependency task ${failing} failed`));
    assert.equal(skipped.startedAt, undefined, "it never started");
    assert.equal(skipped.assignedNode, "", "it was never placed");
    const skippedToo = await waitStatus(chained, TaskStatus.FAILED);
    assert.match(skippedToo.message, new RegExp(`^dependency task ${needsOk} failed`));
    assert.equal(await stdoutOf(needsOk), "", "no output: it never ran");
    await waitStatus(anyEnd, TaskStatus.COMPLETED);
    assert.equal(await stdoutOf(anyEnd), "cleanup ran\n");
    assert.equal(existsSync(marker), false, "neither after_ok task ran its command");
  });

  test("--after BATCH waits for every task of the batch; comma lists and repeated flags combine", async () => {
    const gate = join(work, "batch-gate");
    const { batchId, ids } = await submit(["--sweep", "--", "sh", "-c", 'while [ ! -e "$0.$1" ]; do sleep 0.1; done', gate, "span:{1..2}"]);
    assert.equal(ids.length, 2);
    const other = await one(["--", "true"]);
    await waitStatus(other, TaskStatus.COMPLETED);
    const afterBatch = await one(["--after", batchId, "--", "echo", "after the batch"]);
    const combined = await one(["--after", `${other},${ids[1]}`, "--after-ok", batchId, "--", "echo", "combined"]);
    assert.equal((await statusJson(afterBatch)).message, `waiting: after batch ${batchId}`);
    assert.deepEqual([(await statusJson(combined)).after, (await statusJson(combined)).afterOk], [[other, ids[1]], [batchId]]);
    writeFileSync(`${gate}.1`, "");
    await waitStatus(ids[0]!, TaskStatus.COMPLETED);
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal((await task(afterBatch)).status, TaskStatus.PENDING, "one task of the batch still runs");
    writeFileSync(`${gate}.2`, "");
    await waitStatus(afterBatch, TaskStatus.COMPLETED);
    await waitStatus(combined, TaskStatus.COMPLETED);
    assert.equal(await stdoutOf(afterBatch), "after the batch\n");
  });

  test("a waiting task survives a Host restart and runs when its dependency ends", async () => {
    const gate = join(work, "restart-gate");
    const first = await one(blocker(gate));
    await waitStatus(first, TaskStatus.RUNNING);
    const second = await one(["--after-ok", first, "--", "echo", "after the restart"]);
    const port = cluster.port;
    await cluster.kill(cluster.host!, "SIGTERM");
    await cluster.startHost(port);
    await cluster.waitForNode("alpha", "online", 15_000);
    assert.equal((await statusJson(second)).message, `waiting: after task ${first}`);
    writeFileSync(gate, "");
    await waitStatus(first, TaskStatus.COMPLETED);
    await waitStatus(second, TaskStatus.COMPLETED);
    assert.equal(await stdoutOf(second), "after the restart\n");
  });

  test("bad dependencies are refused by field, with one clear line and nothing submitted", async () => {
    const known = await one(["--", "true"]);
    const count = async () => (JSON.parse((await cluster.cli(["task", "list", "--json"])).stdout) as unknown[]).length;
    const before = await count();
    const cases: [string[], RegExp][] = [
      [["--after", "999999999"], /after 999999999: no task or batch has this id/],
      [["--after-ok", `${known},12x`], /after_ok "12x" is not a task or batch id/],
      [["--after", `${known},`], /after "" is not a task or batch id/],
      [["--after", known, "--no-queue"], /a task that waits for others must queue/],
    ];
    for (const [flags, expected] of cases) {
      const result = await cluster.cli(["task", "submit", "--container", "NULL", ...flags, "--", "echo", "never"]);
      assert.notEqual(result.code, 0, `hakuriver task submit ${flags.join(" ")} should fail`);
      assert.match(result.stderr, expected);
      assert.match(result.stderr, /after/);
      assert.doesNotMatch(result.stderr, /\n\s+at /, "no stack trace");
      assert.equal(result.stdout, "");
    }
    assert.equal(await count(), before, "nothing was submitted");
    const help = await cluster.cli(["vps", "submit", "--help"]);
    assert.match(help.stdout, /--after-ok/, "vps submit takes the same options");
  });
});
