/**
 * A runner's VPS stop, start and snapshot over the real supervisor, task
 * table and state file, with a fake VPS executor: a stop holds the VPS
 * `stopped` (not ended), a new runner process over the same state holds it
 * stopped again, a start brings it back, a kill of a stopped VPS removes its
 * container, and a snapshot is answered by a report naming it.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import type { TaskSpec } from "../../gen/hakuriver/v1/runner_pb.js";
import { TaskKind } from "../../gen/hakuriver/v1/types_pb.js";
import type { Executor, ExitInfo, OutputSink, Recovery, RecoveryHint, TaskHandle } from "../../src/runner/executors/executor.js";
import { StateFile } from "../../src/runner/state-file.js";
import { Supervisor } from "../../src/runner/supervisor.js";
import type { TaskReport } from "../../src/runner/tasks/task-table.js";
import type { VpsOperations } from "../../src/runner/tasks/vps-control.js";
import { settle } from "../helpers/manual-clock.js";

/** A VPS container that runs until stopped (kept) or killed (gone). */
class FakeVpsHandle implements TaskHandle {
  readonly sshPort = 40022;
  private finish!: (exit: ExitInfo) => void;
  private readonly ended = new Promise<ExitInfo>((resolve) => (this.finish = resolve));
  constructor(readonly ref: string) {}
  wait(): Promise<ExitInfo> {
    return this.ended;
  }
  async kill(): Promise<void> {
    this.finish({ exitCode: 137, oomKilled: false });
  }
  async pause(): Promise<void> {}
  async resume(): Promise<void> {}
  async stop(): Promise<void> {
    this.finish({ exitCode: 0, oomKilled: false, keptStopped: true });
  }
}

class FakeVps implements Executor, VpsOperations {
  readonly name = "vps";
  readonly survivesRunnerRestart = true;
  readonly calls: string[] = [];
  /** Whether the kept container exists (recover and startStopped read it). */
  kept = true;
  async start(spec: TaskSpec): Promise<TaskHandle> {
    this.calls.push(`start ${spec.container}`);
    return new FakeVpsHandle(`c-${spec.taskId}-${this.calls.length}`);
  }
  async startStopped(taskId: string, _sink: OutputSink): Promise<TaskHandle> {
    this.calls.push("startStopped");
    if (!this.kept) throw new Error("the VPS's container is gone from this node");
    return new FakeVpsHandle(`c-${taskId}-again`);
  }
  async snapshot(_taskId: string, name: string) {
    this.calls.push(`snapshot ${name}`);
    return { file: `${name}-1700000000.tar`, sizeBytes: 42 };
  }
  async recover(_taskId: string, _ref: string, _sink: OutputSink, hint: RecoveryHint = {}): Promise<Recovery> {
    return hint.stopped && this.kept ? { kind: "stopped" } : { kind: "lost" };
  }
  async destroy(): Promise<void> {
    this.calls.push("destroy");
    this.kept = false;
  }
  async sweepOrphans(): Promise<void> {}
}

function supervisorOver(dir: string, vps: FakeVps, reports: TaskReport[]): Supervisor {
  return new Supervisor({
    executorFor: () => vps, executors: [vps], sharedDir: dir, localTempDir: dir,
    state: new StateFile(dir, "unit"), log: pino({ level: "silent" }), reporter: { report: (r) => reports.push(r) }, vps,
  });
}

const SPEC = { taskId: "7", kind: TaskKind.VPS, container: "vpsenv", publicKey: "ssh-ed25519 AAAA" } as unknown as TaskSpec;

test("stop holds the VPS stopped across a runner restart; start, snapshot and kill act on its container", async () => {
  const dir = mkdtempSync(join(tmpdir(), "vps-control-"));
  try {
    const vps = new FakeVps();
    const reports: TaskReport[] = [];
    let supervisor = supervisorOver(dir, vps, reports);
    await supervisor.run(SPEC);
    await supervisor.stopVps("7");
    await settle();
    assert.equal(reports.at(-1)!.status, "stopped");
    assert.deepEqual(supervisor.activeIds(), [], "a stopped VPS is not active");

    // A new runner process over the same state file holds it stopped (not lost).
    supervisor = supervisorOver(dir, vps, reports);
    await supervisor.recover();
    assert.deepEqual(supervisor.inventory().map((t) => [t.taskId, t.status]), [["7", "stopped"]]);

    await supervisor.snapshotVps({ taskId: "7", name: "box" } as never);
    const answer = reports.at(-1)!;
    assert.deepEqual(answer.snapshot, { name: "box", error: "", tarball: "box-1700000000.tar", sizeBytes: 42 });
    assert.equal(answer.status, "stopped");

    await supervisor.startVps({ spec: SPEC, snapshot: "" } as never);
    assert.equal(reports.at(-1)!.status, "running");
    assert.deepEqual(supervisor.activeIds(), ["7"]);
    await supervisor.stopVps("7");
    await settle();
    assert.equal(reports.at(-1)!.status, "stopped");

    await supervisor.kill("7");
    assert.equal(reports.at(-1)!.status, "killed");
    assert.ok(vps.calls.includes("destroy"), "the kept container is removed");
    assert.deepEqual(vps.calls.filter((c) => c.startsWith("start")), ["start vpsenv", "startStopped"]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a start whose container is gone leaves the VPS stopped with the reason; a snapshot start makes a new container", async () => {
  const dir = mkdtempSync(join(tmpdir(), "vps-control-"));
  try {
    const vps = new FakeVps();
    const reports: TaskReport[] = [];
    const supervisor = supervisorOver(dir, vps, reports);
    vps.kept = false;
    // A VPS this runner never held (moved here): its kept container is nowhere.
    await supervisor.startVps({ spec: SPEC, snapshot: "" } as never);
    assert.equal(reports.at(-1)!.status, "stopped");
    assert.match(reports.at(-1)!.message, /could not start: the VPS's container is gone/);
    await supervisor.startVps({ spec: SPEC, snapshot: "box" } as never);
    assert.equal(reports.at(-1)!.status, "running");
    assert.match(reports.at(-1)!.message, /started from snapshot box/);
    assert.ok(vps.calls.includes("start box"), "the container is made from the snapshot's image");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
