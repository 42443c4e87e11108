/**
 * Time limits on the runner, over a manual clock: the watch counts running
 * time only (not paused), long limits wait in steps, and the supervisor
 * stops a task at its limit (as a kill does) and reports it `timeout`, a
 * pause does not count, and a re-adopted task keeps its count.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import type { TaskSpec } from "../../gen/hakuriver/v1/runner_pb.js";
import { StateFile } from "../../src/runner/state-file.js";
import { Supervisor } from "../../src/runner/supervisor.js";
import type { TaskReport } from "../../src/runner/tasks/task-table.js";
import { finalStatus } from "../../src/runner/tasks/task-table.js";
import { MAX_TIMER_MS, TimeLimitWatch } from "../../src/runner/tasks/time-limit-watch.js";
import { FakeExecutor } from "../helpers/fake-executor.js";
import { ManualClock, settle } from "../helpers/manual-clock.js";

function spec(taskId: string, timeLimitMs: number): TaskSpec {
  return { taskId, command: "sleep", args: ["30"], timeLimitMs: BigInt(timeLimitMs) } as unknown as TaskSpec;
}

function withDir(fn: (dir: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), "time-limit-unit-"));
    try {
      await fn(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

function rig(dir: string, executor = new FakeExecutor(), clock = new ManualClock()) {
  const reports: TaskReport[] = [];
  const state = new StateFile(dir, "unit");
  const supervisor = new Supervisor({
    executorFor: () => executor,
    executors: [executor],
    sharedDir: dir,
    localTempDir: dir,
    state,
    log: pino({ level: "silent" }),
    reporter: { report: (report) => reports.push(report) },
    clock,
  });
  return { supervisor, executor, clock, state, reports, statuses: (id: string) => reports.filter((r) => r.taskId === id).map((r) => r.status) };
}

test("the watch fires once, when the running time reaches the limit, and not while paused", async () => {
  const clock = new ManualClock();
  let fired = 0;
  const watch = new TimeLimitWatch(3000, clock, () => (fired += 1));
  watch.run();
  await clock.advance(1000);
  watch.pause();
  await clock.advance(10_000);
  assert.equal(fired, 0, "paused time does not count");
  assert.equal(watch.usedMs(), 1000);
  assert.deepEqual(watch.state(), { limitMs: 3000, usedMs: 1000, runningSince: null });
  watch.run();
  await clock.advance(1999);
  assert.equal(fired, 0);
  await clock.advance(1);
  assert.equal(fired, 1);
  await clock.advance(60_000);
  watch.run();
  await clock.advance(60_000);
  assert.equal(fired, 1, "it fires once");
});

test("the watch never fires after stop, and a limit longer than one timer waits in steps", async () => {
  const clock = new ManualClock();
  let fired = 0;
  const stopped = new TimeLimitWatch(1000, clock, () => (fired += 1));
  stopped.run();
  stopped.stop();
  await clock.advance(5000);
  assert.equal(fired, 0);

  const long = new TimeLimitWatch(30 * 86_400_000, clock, () => (fired += 1));
  long.run();
  assert.deepEqual(clock.pending(), [MAX_TIMER_MS], "Node fires a longer setTimeout at once, so the wait is cut");
  await clock.advance(30 * 86_400_000 - 1);
  assert.equal(fired, 0);
  await clock.advance(1);
  assert.equal(fired, 1);
});

test("a watch from a recorded state counts the time the runner was away while the task ran", () => {
  const clock = new ManualClock(100_000);
  const running = TimeLimitWatch.fromState({ limitMs: 10_000, usedMs: 2000, runningSince: 97_000 }, clock, () => {});
  assert.equal(running.usedMs(), 5000);
  const paused = TimeLimitWatch.fromState({ limitMs: 10_000, usedMs: 2000, runningSince: null }, clock, () => {});
  assert.equal(paused.usedMs(), 2000);
});

test("finalStatus: a task stopped at its limit ends timeout with the limit in its message, even if a kill came after", () => {
  assert.deepEqual(finalStatus({ exitCode: 143, oomKilled: false, detail: "killed by SIGTERM" }, false, 2000), { status: "timeout", message: "time limit 2s reached" });
  assert.deepEqual(finalStatus({ exitCode: 137, oomKilled: false }, true, 9_000_000), { status: "timeout", message: "time limit 2h30m reached" });
  assert.equal(finalStatus({ exitCode: 137, oomKilled: true }, false, 2000).status, "killed_oom", "the memory limit ended it first");
  assert.equal(finalStatus({ exitCode: 143, oomKilled: false }, true).status, "killed");
});

test("the supervisor stops a task at its limit as a kill does, reports timeout, and records it", withDir(async (dir) => {
  const r = rig(dir);
  await r.supervisor.run(spec("1", 2000));
  await r.supervisor.run(spec("2", 0));
  await r.clock.advance(1999);
  assert.deepEqual(r.executor.task("1").actions, []);
  await r.clock.advance(1);
  await settle();
  assert.deepEqual(r.executor.task("1").actions, ["kill"]);
  assert.deepEqual(r.statuses("1"), ["running", "timeout"]);
  const ended = r.reports.at(-1)!;
  assert.deepEqual([ended.exitCode, ended.message.split("; ")[0]], [137, "time limit 2s reached"]);
  assert.equal(r.state.recorded().find((t) => t.taskId === "1")!.end?.status, "timeout");
  await r.clock.advance(3_600_000);
  assert.deepEqual(r.executor.task("2").actions, [], "a task without a limit runs on");
  assert.deepEqual(r.supervisor.activeIds(), ["2"]);
}));

test("paused time does not count toward the limit, and the clock is recorded at each pause and resume", withDir(async (dir) => {
  const r = rig(dir);
  await r.supervisor.run(spec("p", 3000));
  await r.clock.advance(1000);
  await r.supervisor.pause("p");
  assert.deepEqual(r.state.recorded()[0]!.timeLimit, { limitMs: 3000, usedMs: 1000, runningSince: null });
  await r.clock.advance(2000);
  await r.supervisor.resume("p");
  assert.deepEqual(r.state.recorded()[0]!.timeLimit, { limitMs: 3000, usedMs: 1000, runningSince: r.clock.now() });
  await r.clock.advance(1500);
  assert.deepEqual(r.statuses("p"), ["running", "paused", "running"], "4.5 s after the start, 2.5 s of it running: not yet");
  await r.clock.advance(500);
  await settle();
  assert.deepEqual(r.statuses("p"), ["running", "paused", "running", "timeout"]);
}));

test("a user's kill before the limit ends the task killed; the limit never fires after the end", withDir(async (dir) => {
  const r = rig(dir);
  await r.supervisor.run(spec("k", 2000));
  await r.clock.advance(500);
  await r.supervisor.kill("k");
  await settle();
  await r.clock.advance(5000);
  assert.deepEqual(r.statuses("k"), ["running", "killed"]);
  assert.deepEqual(r.executor.task("k").actions, ["kill"]);
}));

test("a re-adopted task keeps counting its limit from the state file", withDir(async (dir) => {
  const clock = new ManualClock(50_000);
  const before = new StateFile(dir, "unit");
  before.record({ taskId: "c", executor: "docker", ref: "c1", timeLimit: { limitMs: 10_000, usedMs: 4000, runningSince: 48_000 } });
  before.record({ taskId: "q", executor: "docker", ref: "c2", timeLimit: { limitMs: 10_000, usedMs: 4000, runningSince: null } });
  const docker = new FakeExecutor({ name: "docker", survivesRunnerRestart: true });
  docker.recoveries.set("c", "adopt");
  docker.recoveries.set("q", "adopt-paused");
  const r = rig(dir, docker, clock);
  await r.supervisor.recover();
  // c: 4 s before, 2 s while the runner was away: 4 s left.
  await clock.advance(3999);
  assert.deepEqual(docker.task("c").actions, []);
  await clock.advance(1);
  await settle();
  assert.deepEqual(r.statuses("c"), ["timeout"]);
  // q stays paused, its clock stopped; resumed, it has 6 s left.
  await clock.advance(60_000);
  assert.deepEqual(docker.task("q").actions, []);
  await r.supervisor.resume("q");
  await clock.advance(6000);
  await settle();
  assert.deepEqual(r.statuses("q"), ["running", "timeout"]);
}));
