/**
 * The runner's supervisor over a fake executor and a manual clock: status
 * changes go through the shared transition function (refusals logged),
 * kill/pause/resume reach the executor, recovery holds every recorded task,
 * and pruning runs on the injected clock.
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
import { KEEP_ENDED_MS, PRUNE_INTERVAL_MS } from "../../src/runner/tasks/pruning.js";
import { LOST_END } from "../../src/runner/tasks/recovery.js";
import type { TaskReport } from "../../src/runner/tasks/task-table.js";
import { FakeExecutor } from "../helpers/fake-executor.js";
import { ManualClock, settle } from "../helpers/manual-clock.js";

function spec(taskId: string): TaskSpec {
  return { taskId, command: "true", args: [] } as unknown as TaskSpec;
}

interface Rig {
  readonly supervisor: Supervisor;
  readonly executor: FakeExecutor;
  readonly reports: TaskReport[];
  readonly logs: Record<string, unknown>[];
  readonly clock: ManualClock;
  readonly state: StateFile;
  readonly dir: string;
  statuses(taskId: string): string[];
}

function rig(dir: string, executors: FakeExecutor[] = [new FakeExecutor()]): Rig {
  const reports: TaskReport[] = [];
  const logs: Record<string, unknown>[] = [];
  const clock = new ManualClock();
  const state = new StateFile(dir, "unit");
  const log = pino({ level: "debug" }, { write: (line: string) => logs.push(JSON.parse(line) as Record<string, unknown>) });
  const supervisor = new Supervisor({
    executorFor: () => executors[0]!,
    executors,
    sharedDir: dir,
    localTempDir: dir,
    state,
    log,
    reporter: { report: (report) => reports.push(report) },
    clock,
  });
  return { supervisor, executor: executors[0]!, reports, logs, clock, state, dir, statuses: (id) => reports.filter((r) => r.taskId === id).map((r) => r.status) };
}

function withDir(fn: (dir: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), "supervisor-unit-"));
    try {
      await fn(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

test("a task runs, and its exit code decides its final status", withDir(async (dir) => {
  const r = rig(dir);
  await r.supervisor.run(spec("1"));
  await r.supervisor.run(spec("2"));
  assert.deepEqual(r.supervisor.activeIds(), ["1", "2"]);
  r.executor.task("1").end(0);
  r.executor.task("2").end(3);
  await settle();
  assert.deepEqual(r.statuses("1"), ["running", "completed"]);
  assert.deepEqual(r.statuses("2"), ["running", "failed"]);
  const failed = r.reports.find((x) => x.taskId === "2" && x.status === "failed")!;
  assert.equal(failed.exitCode, 3);
  assert.match(failed.message, /exited with code 3; fake executor native/);
  assert.deepEqual(r.state.recorded().map((t) => [t.taskId, t.ref, t.end?.status]), [["1", "fake-1", "completed"], ["2", "fake-2", "failed"]]);
  assert.deepEqual(r.supervisor.activeIds(), []);
}));

test("a start that fails ends the task failed with the executor's words", withDir(async (dir) => {
  const r = rig(dir);
  r.executor.failStarts.set("9", "no such image");
  await r.supervisor.run(spec("9"));
  assert.deepEqual(r.statuses("9"), ["failed"]);
  assert.equal(r.reports[0]!.message, "no such image");
}));

test("kill, pause and resume reach the executor and are reported", withDir(async (dir) => {
  const r = rig(dir);
  await r.supervisor.run(spec("1"));
  await r.supervisor.pause("1");
  await r.supervisor.pause("1"); // already paused: nothing to do
  await r.supervisor.resume("1");
  await r.supervisor.kill("1");
  await settle();
  assert.deepEqual(r.executor.task("1").actions, ["pause", "resume", "kill"]);
  assert.deepEqual(r.statuses("1"), ["running", "paused", "running", "killed"]);
  assert.match(r.reports.at(-1)!.message, /^killed by user; fake executor native$/);
  await r.supervisor.kill("404");
  assert.deepEqual(r.reports.at(-1), { taskId: "404", status: "killed", exitCode: -9, message: "killed by user; this runner was not running it", stdoutSize: 0, stderrSize: 0 });
}));

test("a status change the transition function refuses is logged with task, from and to, and not applied", withDir(async (dir) => {
  const r = rig(dir);
  await r.supervisor.run(spec("1"));
  let open!: () => void;
  r.executor.task("1").pauseGate = new Promise((resolve) => (open = resolve));
  const pausing = r.supervisor.pause("1");
  // The task ends while its pause is in flight: "paused" must not overwrite "completed".
  r.executor.task("1").end(0);
  await settle();
  open();
  await pausing;
  assert.deepEqual(r.statuses("1"), ["running", "completed"]);
  assert.deepEqual(r.supervisor.inventory().map((t) => t.status), ["completed"]);
  const refusal = r.logs.find((l) => l.msg === "refused a task status change");
  assert.ok(refusal, "the refusal is logged");
  assert.equal(refusal.taskId, "1");
  assert.equal(refusal.from, "completed");
  assert.equal(refusal.to, "paused");
}));

test("killAll spares tasks whose executor outlives the runner; dropStale kills what the Host calls stale", withDir(async (dir) => {
  const native = new FakeExecutor();
  const docker = new FakeExecutor({ name: "docker", survivesRunnerRestart: true });
  const r = rig(dir, [native, docker]);
  const both = new Supervisor({ ...depsOf(r, [native, docker]), executorFor: (s) => (s.taskId.startsWith("d") ? docker : native) });
  await both.run(spec("n1"));
  await both.run(spec("d1"));
  await both.killAll();
  assert.deepEqual(native.task("n1").actions, ["kill"]);
  assert.deepEqual(docker.task("d1").actions, []);
  await both.dropStale(["d1", "unknown"]);
  assert.deepEqual(docker.task("d1").actions, ["kill"]);
}));

function depsOf(r: Rig, executors: FakeExecutor[]): ConstructorParameters<typeof Supervisor>[0] {
  return { executorFor: () => executors[0]!, executors, sharedDir: r.dir, localTempDir: r.dir, state: r.state, log: pino({ level: "silent" }), reporter: { report: (x) => r.reports.push(x) }, clock: r.clock };
}

test("recovery holds every recorded task: ended as recorded, adopted, ended while away, or lost and destroyed", withDir(async (dir) => {
  const before = new StateFile(dir, "unit");
  before.record({ taskId: "done", executor: "native", ref: "1:2" });
  before.finish("done", { status: "completed", exitCode: 0, message: "" });
  before.record({ taskId: "live", executor: "docker", ref: "c-live" });
  before.record({ taskId: "paused", executor: "docker", ref: "c-paused" });
  before.record({ taskId: "gone", executor: "docker", ref: "c-gone" });
  before.record({ taskId: "unstarted", executor: "docker", ref: "" });
  before.record({ taskId: "native", executor: "native", ref: "77:123" });
  const native = new FakeExecutor();
  const docker = new FakeExecutor({ name: "docker", survivesRunnerRestart: true });
  docker.recoveries.set("live", "adopt");
  docker.recoveries.set("paused", "adopt-paused");
  docker.recoveries.set("gone", { exitCode: null, oomKilled: false, detail: "its container vanished while the runner was away" });
  const r = rig(dir, [native, docker]);
  await r.supervisor.recover();

  assert.deepEqual(native.swept.map((s) => [...s]), [["native"]]);
  assert.deepEqual(docker.swept.map((s) => [...s].sort()), [["gone", "live", "paused", "unstarted"]]);
  assert.deepEqual(docker.destroyed, [{ taskId: "gone", ref: "c-gone" }, { taskId: "unstarted", ref: "" }]);
  assert.deepEqual(native.destroyed, [{ taskId: "native", ref: "77:123" }]);
  const held = new Map(r.supervisor.inventory().map((t) => [t.taskId, t]));
  assert.deepEqual([...held.keys()].sort(), ["done", "gone", "live", "native", "paused", "unstarted"]);
  assert.equal(held.get("done")!.status, "completed");
  assert.equal(held.get("live")!.status, "running");
  assert.equal(held.get("paused")!.status, "paused");
  assert.deepEqual([held.get("gone")!.status, held.get("gone")!.message], ["failed", "its container vanished while the runner was away"]);
  assert.deepEqual([held.get("unstarted")!.status, held.get("unstarted")!.message], ["lost", LOST_END.message]);
  assert.equal(held.get("native")!.status, "lost");
  const recorded = new Map(r.state.recorded().map((t) => [t.taskId, t.end?.status]));
  assert.deepEqual(Object.fromEntries(recorded), { done: "completed", live: undefined, paused: undefined, gone: "failed", unstarted: "lost", native: "lost" });

  // An adopted task ends with its real exit, and that end is recorded.
  docker.task("live").end(5);
  await settle();
  assert.deepEqual(r.statuses("live"), ["failed"]);
  assert.equal(r.state.recorded().find((t) => t.taskId === "live")!.end?.exitCode, 5);
}));

test("an executor that cannot look leaves its tasks recorded and unheld (the Host calls them lost)", withDir(async (dir) => {
  const before = new StateFile(dir, "unit");
  before.record({ taskId: "c", executor: "docker", ref: "c1" });
  const docker = new FakeExecutor({ name: "docker", survivesRunnerRestart: true });
  docker.recover = async () => {
    throw new Error("connect ENOENT /var/run/docker.sock");
  };
  const r = rig(dir, [docker]);
  await r.supervisor.recover();
  assert.equal(r.supervisor.size, 0);
  assert.equal(r.state.recorded()[0]!.end, undefined);
  assert.ok(r.logs.some((l) => l.msg === "could not recover a task" && l.taskId === "c"));
}));

test("pruning runs on the injected clock, only while connected and once the Host has the end", withDir(async (dir) => {
  const r = rig(dir);
  const stop = r.supervisor.startPruning();
  r.supervisor.attach(() => true);
  await r.supervisor.run(spec("1"));
  r.executor.task("1").end(0);
  await settle();
  await r.clock.advance(PRUNE_INTERVAL_MS);
  assert.equal(r.supervisor.size, 1, "too recent to forget");
  await r.clock.advance(KEEP_ENDED_MS);
  assert.equal(r.supervisor.size, 0, "forgotten by the interval timer");
  assert.deepEqual(r.state.recorded(), []);

  // Ended while disconnected: held until a welcome says the Host has it.
  r.supervisor.attach(undefined);
  await r.supervisor.run(spec("2"));
  r.executor.task("2").end(0);
  await settle();
  await r.clock.advance(KEEP_ENDED_MS + PRUNE_INTERVAL_MS);
  assert.equal(r.supervisor.size, 1);
  r.supervisor.attach(() => true);
  await r.clock.advance(PRUNE_INTERVAL_MS);
  assert.equal(r.supervisor.size, 0);
  stop();
  assert.deepEqual(r.clock.pending(), []);
}));
