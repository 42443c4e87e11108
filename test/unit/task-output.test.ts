/**
 * The runner's task output and the supervisor's hold on ended tasks: an
 * ended, fully shipped task keeps no descriptor, a reconnect can still
 * re-ship its output, and ended tasks are forgotten over time once the Host
 * has them.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readdirSync, readlinkSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import type { TaskSpec } from "../../gen/hakuriver/v1/runner_pb.js";
import type { Executor, ExitInfo, TaskHandle } from "../../src/runner/executors/executor.js";
import { StateFile } from "../../src/runner/state-file.js";
import { Supervisor } from "../../src/runner/supervisor.js";
import { KEEP_ENDED_MS } from "../../src/runner/tasks/pruning.js";
import type { TaskReport } from "../../src/runner/tasks/task-table.js";
import { TaskOutput, type ChunkSender } from "../../src/runner/task-output.js";

/** Descriptors of this process open on files under `dir`. */
function fdsUnder(dir: string): string[] {
  return readdirSync("/proc/self/fd")
    .map((fd) => {
      try {
        return readlinkSync(`/proc/self/fd/${fd}`);
      } catch {
        return "";
      }
    })
    .filter((target) => target.startsWith(dir));
}

function collector(): { send: ChunkSender; text: (stream: string) => string } {
  const chunks: { stream: string; offset: number; data: Uint8Array }[] = [];
  return {
    send: (_taskId, stream, offset, data) => {
      chunks.push({ stream, offset, data: Buffer.from(data) });
      return true;
    },
    text: (stream) => chunks.filter((c) => c.stream === stream).map((c) => Buffer.from(c.data).toString()).join(""),
  };
}

test("an ended task whose output is shipped holds no descriptor; a reconnect re-ships from the file", () => {
  const dir = mkdtempSync(join(tmpdir(), "task-output-"));
  try {
    const output = new TaskOutput("41", dir);
    const first = collector();
    output.attach(first.send);
    output.stdout(Buffer.from("hello "));
    output.stderr(Buffer.from("oops"));
    assert.equal(fdsUnder(dir).length, 2, "a running task writes through its two open files");
    output.stdout(Buffer.from("world"));
    output.end();
    assert.deepEqual(fdsUnder(dir), [], "ended and fully shipped: no descriptor left");
    assert.equal(first.text("stdout"), "hello world");

    // The stream dropped before the Host stored the tail: the new connection asks from offset 6.
    output.attach(undefined);
    const second = collector();
    output.attach(second.send, { stdout: 6, stderr: 0 });
    assert.equal(second.text("stdout"), "world");
    assert.equal(second.text("stderr"), "oops");
    assert.deepEqual(fdsUnder(dir), [], "re-shipped, then closed again");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("an ended task whose output waits on back-pressure keeps its files until shipped", () => {
  const dir = mkdtempSync(join(tmpdir(), "task-output-"));
  try {
    const output = new TaskOutput("42", dir);
    let open = false;
    const got: string[] = [];
    output.attach((_taskId, _stream, _offset, data) => {
      if (!open) return false;
      got.push(Buffer.from(data).toString());
      return true;
    });
    output.stdout(Buffer.from("late"));
    output.end();
    assert.equal(output.fullyShipped, false);
    assert.equal(fdsUnder(dir).length, 2, "bytes still to ship: the files stay open");
    open = true;
    output.pump();
    assert.deepEqual(got, ["late"]);
    assert.deepEqual(fdsUnder(dir), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** An executor whose tasks end when the test says so. */
function instantExecutor(): Executor {
  return {
    name: "native",
    start: async (): Promise<TaskHandle> => ({
      ref: "",
      wait: async (): Promise<ExitInfo> => ({ exitCode: 0, oomKilled: false }),
      kill: async () => {},
      pause: async () => {},
      resume: async () => {},
    }),
    recover: async () => ({ kind: "lost" }),
    destroy: async () => {},
    sweepOrphans: async () => {},
  };
}

test("ended tasks are pruned after KEEP_ENDED_MS once the Host has them, not only at a hello", async () => {
  const dir = mkdtempSync(join(tmpdir(), "supervisor-"));
  try {
    const executor = instantExecutor();
    const reports: TaskReport[] = [];
    const supervisor = new Supervisor({
      executorFor: () => executor,
      executors: [executor],
      sharedDir: dir,
      localTempDir: dir,
      state: new StateFile(dir, "unit"),
      log: pino({ level: "silent" }),
      reporter: { report: (report) => reports.push(report) },
    });
    // Disconnected while task 1 ends: the Host has not heard of its end yet.
    await supervisor.run({ taskId: "1", command: "true", args: [] } as unknown as TaskSpec);
    await new Promise((resolve) => setImmediate(resolve));
    const later = Date.now() + KEEP_ENDED_MS + 1000;
    assert.deepEqual(supervisor.prune(later), [], "not pruned: its end is known only here");

    // Connected: the welcome answered a hello that carried task 1; task 2 ends while connected.
    supervisor.attach(collector().send);
    await supervisor.run({ taskId: "2", command: "true", args: [] } as unknown as TaskSpec);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(reports.filter((r) => r.status === "completed").length, 2);
    assert.deepEqual(supervisor.prune(Date.now()), [], "too recent to forget");
    supervisor.attach(undefined);
    assert.deepEqual(supervisor.prune(later), [], "disconnected: the Host may lack what was handed to the dead stream");
    supervisor.attach(collector().send);
    assert.deepEqual(supervisor.prune(later).sort(), ["1", "2"]);
    assert.equal(supervisor.size, 0);
    assert.deepEqual(fdsUnder(dir), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("output that cannot be stored (a full disk: /dev/full) is counted and named, never thrown", () => {
  const dir = mkdtempSync(join(tmpdir(), "task-output-"));
  try {
    mkdirSync(join(dir, "task_outputs"), { recursive: true });
    symlinkSync("/dev/full", join(dir, "task_outputs", "43.out"));
    const output = new TaskOutput("43", dir);
    const shipped = collector();
    output.attach(shipped.send);
    output.stdout(Buffer.from("twelve bytes"));
    output.stderr(Buffer.from("err"));
    output.end();
    assert.equal(output.size("stdout"), 0, "nothing was written to stdout");
    assert.equal(shipped.text("stderr"), "err", "the other stream still works");
    assert.match(output.storageProblem() ?? "", /^12 bytes of output could not be stored on the node \(ENOSPC/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
