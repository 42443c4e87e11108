/**
 * End to end, through the CLI as typed: the OOM rule. A task ends
 * `killed_oom` only when the memory limit ended the task itself (its main
 * process); when the OOM killer took only a child and the task went on to
 * exit by itself, the task ends by that exit and its message says a process
 * in it was killed for memory. Native (the task's own cgroup on this
 * machine) and Docker tasks alike.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { FAST_TIMING, TestCluster } from "../helpers/cluster.js";
import { removeTestDockerState } from "../helpers/docker.js";

const suffix = `${process.pid}${Date.now().toString(36)}`;
const ENV = `envoom${suffix}`;
const RUNNER = `oom${suffix}`;
/** A child (tail, buffering a line that never ends) outgrows the limit; the shell survives it. */
const CHILD_HOG = "head -c 300000000 /dev/zero | tail >/dev/null; echo survived";
const CHILD_KILLED = /^a process in the task was killed for exceeding the memory limit \(64 MiB\); the task itself exited with code 0$/;

describe("the OOM rule end to end", { timeout: 240_000 }, () => {
  const cluster = new TestCluster({ ...FAST_TIMING, HAKURIVER_TIMING_HEARTBEAT_TIMEOUT_FACTOR: "50" });

  before(async () => {
    await cluster.startHost();
    await cluster.startRunner(RUNNER);
    assert.equal((await cluster.cli(["docker", "create-container", "hakuriver-test/busybox:latest", ENV])).code, 0);
    assert.equal((await cluster.cli(["docker", "create-tar", ENV])).code, 0);
  });

  after(async () => {
    await cluster.cleanup();
    removeTestDockerState(RUNNER, ENV);
  });

  /** `hakuriver task submit --wait --target RUNNER ARGS...` as typed; the CLI's exit code, its summary line, and the task's log. */
  async function submitWait(args: string[]): Promise<{ code: number; line: string; log: string }> {
    const result = await cluster.cli(["task", "submit", "--wait", "--target", RUNNER, ...args]);
    const line = result.stdout.trim().split("\n").at(-1) ?? "";
    const id = /^Task (\S+) /.exec(line)?.[1];
    assert.ok(id, `no task line in: ${result.stdout} ${result.stderr}`);
    const logs = await cluster.cli(["logs", id]);
    assert.equal(logs.code, 0, logs.stderr);
    return { code: result.code, line, log: logs.stdout };
  }

  for (const [kind, container] of [
    ["native", "NULL"],
    ["docker", ENV],
  ] as const) {
    test(`${kind}: a child killed for memory, the task exiting 0 by itself, is completed with exit 0 and says so`, async () => {
      const { code, line, log } = await submitWait(["--container", container, "--memory", "64Mi", "--", "sh", "-c", CHILD_HOG]);
      assert.equal(code, 0, line);
      const [, status, exitCode, message] = /^Task \S+ (\S+) \(exit code (\S+)\): (.*)$/.exec(line) ?? [];
      assert.equal(status, "completed", line);
      assert.equal(exitCode, "0", line);
      assert.match(message ?? "", CHILD_KILLED);
      assert.equal(log, "survived\n");
    });

    test(`${kind}: a child killed for memory, the task then failing, is failed with the task's own code`, async () => {
      const { code, line } = await submitWait(["--container", container, "--memory", "64Mi", "--", "sh", "-c", "head -c 300000000 /dev/zero | tail >/dev/null; exit 3"]);
      assert.equal(code, 3, line);
      assert.match(line, /^Task \S+ failed \(exit code 3\): a process in the task was killed for exceeding the memory limit \(64 MiB\); the task itself exited with code 3$/);
    });

    test(`${kind}: a main process that outgrows the limit itself ends killed_oom`, async () => {
      const { code, line, log } = await submitWait(["--container", container, "--memory", "64Mi", "--", "tail", "/dev/zero"]);
      assert.equal(code, 137, line);
      assert.match(line, /^Task \S+ killed_oom \(exit code 137\): killed by the out-of-memory killer \(memory limit 64 MiB reached\)$/);
      assert.equal(log, "");
    });
  }
});
