/**
 * Dependency resolution over the real domain (in-memory SQLite, the task
 * manager, the scheduler, the tracker, the submit path): chains, batches,
 * failure propagation, dependencies already met, unknown ids, loops, the
 * queue not blocked by waiting tasks, and a restart that finishes the job.
 */
import assert from "node:assert/strict";
import { afterEach, beforeEach, test } from "node:test";
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { sql } from "kysely";
import { SubmitTaskRequestSchema } from "../../gen/hakuriver/v1/client_pb.js";
import { DomainError } from "../../src/shared/errors.js";
import { ErrorReason } from "../../src/shared/error-reasons.js";
import type { TaskStatusName } from "../../src/shared/task-status.js";
import { Scheduler } from "../../src/host/scheduling/scheduler.js";
import { parseDependencyIds } from "../../src/host/tasks/dependencies.js";
import { resolveDependencies } from "../../src/host/tasks/dependency-resolution.js";
import { DependencyTracker } from "../../src/host/tasks/dependency-tracker.js";
import { submit } from "../../src/host/tasks/submit.js";
import { planSubmission } from "../../src/host/tasks/submit-spec.js";
import type { TaskRecord } from "../../src/host/tasks/task-record.js";
import { hostDomain, type HostDomain } from "../helpers/host-domain.js";

let d: HostDomain;
let tracker: DependencyTracker;
let scheduler: Scheduler;

beforeEach(async () => {
  d = await hostDomain();
  tracker = new DependencyTracker({ repo: d.repo, tasks: d.tasks, events: d.events, log: d.captured.log });
  scheduler = new Scheduler({ repo: d.repo, tasks: d.tasks, nodes: d.nodes, log: d.captured.log, watch: { dispatch: () => {} }, events: d.events });
  tracker.start();
  scheduler.start();
});
afterEach(async () => {
  await tracker.stop();
  await scheduler.stop();
  await d.close();
});

const DEFAULTS = { container: "NULL", privileged: false, mounts: [], queue: true };

/** Submits through the Host's own path (plan, resolve, admit, create, decide, one pass). */
async function submitTask(init: MessageInitShape<typeof SubmitTaskRequestSchema> = {}, intoBatch?: number): Promise<TaskRecord[]> {
  const plan = planSubmission(create(SubmitTaskRequestSchema, { command: "echo", args: ["x"], cores: 1, ...init }), DEFAULTS);
  return [...(await submit({ scheduler, tasks: d.tasks, repo: d.repo, dependencies: tracker }, plan, "", intoBatch)).tasks];
}

async function one(init: MessageInitShape<typeof SubmitTaskRequestSchema> = {}): Promise<TaskRecord> {
  return (await submitTask(init))[0]!;
}

/** Ends a task as a runner would report it, then lets the tracker and the scheduler settle. */
async function end(task: TaskRecord, status: TaskStatusName): Promise<void> {
  await d.tasks.change(task.taskId, status, { exitCode: status === "completed" ? 0 : 1 });
  await settle();
}

async function settle(): Promise<void> {
  await tracker.idle();
  await scheduler.idle();
}

async function get(task: TaskRecord): Promise<TaskRecord> {
  return (await d.repo.get(task.taskId))!;
}

async function refusal(promise: Promise<unknown>): Promise<DomainError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof DomainError, String(error));
    return error;
  }
  assert.fail("expected a refusal");
}

async function taskCount(): Promise<number> {
  return Number((await sql<{ n: number }>`select count(*) as n from tasks`.execute(d.db)).rows[0]!.n);
}

test("after_ok: the task waits, holding nothing, and is placed as soon as its dependency completes", async () => {
  await d.addNode("alpha", 4);
  const first = await one();
  assert.equal(first.status, "assigning");
  const second = await one({ afterOk: [String(first.taskId)] });
  assert.equal(second.status, "pending");
  assert.equal(second.message, `waiting: after task ${first.taskId}`);
  assert.equal(second.awaitingDependencies, true);
  assert.deepEqual(second.dependencies, [{ onId: first.taskId, batch: false, requireOk: true }]);
  assert.equal(second.assignedNode, null, "not placed while it waits");
  await d.tasks.change(first.taskId, "running");
  await settle();
  assert.equal((await get(second)).status, "pending", "a running dependency has not ended");
  await end(first, "completed");
  const released = await get(second);
  assert.equal(released.status, "assigning", "placed in the same moment");
  assert.equal(released.assignedNode, "alpha");
  assert.equal(released.awaitingDependencies, false);
});

test("a failure travels down an after_ok chain; nothing in it runs", async () => {
  await d.addNode("alpha", 4);
  const a = await one();
  const b = await one({ afterOk: [String(a.taskId)] });
  const c = await one({ afterOk: [String(b.taskId)] });
  const bystander = await one({ after: [String(b.taskId)] });
  await end(a, "failed");
  const [bb, cc, by] = [await get(b), await get(c), await get(bystander)];
  assert.deepEqual([bb.status, cc.status], ["failed", "failed"]);
  assert.match(bb.message, new RegExp(`^dependency task ${a.taskId} failed`));
  assert.match(cc.message, new RegExp(`^dependency task ${b.taskId} failed`));
  assert.equal(bb.assignedNode, null, "it never ran");
  assert.equal(cc.startedAt, null);
  assert.equal(by.status, "assigning", "plain after: its dependency failing is an end like any other");
});

test("after: runs after its dependency was killed, and after a chain of them", async () => {
  await d.addNode("alpha", 4);
  const a = await one();
  const b = await one({ after: [String(a.taskId)] });
  const c = await one({ after: [String(b.taskId)] });
  await end(a, "killed");
  assert.equal((await get(b)).status, "assigning");
  assert.equal((await get(c)).status, "pending", "its own dependency is only now placed");
  await end(b, "completed");
  assert.equal((await get(c)).status, "assigning");
});

test("a batch id waits for every task of the batch; after_ok fails at the batch's first failure", async () => {
  await d.addNode("alpha", 8);
  const sweep = await submitTask({ args: ["span:{1..3}"], sweep: true });
  assert.equal(sweep.length, 3);
  const batchId = String(sweep[0]!.batchId);
  const waitsAll = await one({ after: [batchId] });
  const needsAll = await one({ afterOk: [batchId] });
  assert.equal(waitsAll.message, `waiting: after batch ${batchId}`);
  assert.deepEqual(waitsAll.dependencies, [{ onId: sweep[0]!.batchId, batch: true, requireOk: false }]);
  await end(sweep[0]!, "completed");
  await end(sweep[1]!, "killed");
  const failedEarly = await get(needsAll);
  assert.equal(failedEarly.status, "failed", "one task of the batch did not complete: no need to wait for the rest");
  assert.match(failedEarly.message, new RegExp(`^dependency task ${sweep[1]!.taskId} \\(of batch ${batchId}\\) ended killed`));
  assert.equal((await get(waitsAll)).status, "pending", "one task of the batch is still running");
  await end(sweep[2]!, "completed");
  assert.equal((await get(waitsAll)).status, "assigning");
});

test("a sweep's tasks all wait for the named tasks, and are all released together", async () => {
  await d.addNode("alpha", 8);
  const a = await one();
  const sweep = await submitTask({ args: ["span:{1..4}"], sweep: true, after: [String(a.taskId)] });
  assert.deepEqual(sweep.map((t) => t.status), ["pending", "pending", "pending", "pending"]);
  await end(a, "completed");
  assert.deepEqual((await Promise.all(sweep.map(get))).map((t) => t.status), ["assigning", "assigning", "assigning", "assigning"]);
});

test("a dependency that timed out fails an after_ok, and releases an after", async () => {
  await d.addNode("alpha", 4);
  const slow = await one();
  const needsOk = await one({ afterOk: [String(slow.taskId)] });
  const anyEnd = await one({ after: [String(slow.taskId)] });
  await d.tasks.change(slow.taskId, "running");
  await end(slow, "timeout");
  const failed = await get(needsOk);
  assert.equal(failed.status, "failed");
  assert.match(failed.message, new RegExp(`^dependency task ${slow.taskId} ended timeout`));
  assert.equal((await get(anyEnd)).status, "assigning");
});

test("dependencies met at submit: queued at once; failed already: the task fails at once", async () => {
  await d.addNode("alpha", 4);
  const done = await one();
  await end(done, "completed");
  const broken = await one();
  await end(broken, "lost");
  const runs = await one({ afterOk: [String(done.taskId)] });
  assert.equal(runs.status, "assigning");
  assert.equal(runs.awaitingDependencies, false);
  assert.deepEqual(runs.dependencies, [{ onId: done.taskId, batch: false, requireOk: true }], "still recorded, for status and resubmission");
  const fails = await one({ afterOk: [String(broken.taskId), String(done.taskId)] });
  assert.equal(fails.status, "failed");
  assert.match(fails.message, new RegExp(`^dependency task ${broken.taskId} ended lost`));
});

test("an unknown id, a malformed one, or dependencies with no_queue are refused by field, and nothing is stored", async () => {
  await d.addNode("alpha", 4);
  const known = await one();
  const before = await taskCount();
  const unknown = await refusal(submitTask({ after: [String(known.taskId)], afterOk: ["999999999"] }));
  assert.equal(unknown.kind, "invalid_argument");
  assert.equal(unknown.details.reason, ErrorReason.DEPENDENCY_NOT_FOUND);
  assert.equal(unknown.details.fieldViolations?.[0]?.field, "after_ok[0]");
  assert.match(unknown.message, /after_ok 999999999: no task or batch has this id/);
  const malformed = await refusal(submitTask({ after: ["12abc"] }));
  assert.equal(malformed.details.fieldViolations?.[0]?.field, "after[0]");
  const noQueue = await refusal(submitTask({ after: [String(known.taskId)], noQueue: true }));
  assert.equal(noQueue.details.reason, ErrorReason.DEPENDENCY_NEEDS_QUEUE);
  assert.equal(noQueue.details.fieldViolations?.[0]?.field, "after");
  assert.equal(await taskCount(), before, "nothing was stored");
});

test("a waiting task does not block the queue: later tasks take the room it would need", async () => {
  await d.addNode("alpha", 2);
  const a = await one();
  const waits = await one({ after: [String(a.taskId)], cores: 2 });
  const later = await one();
  assert.equal(later.status, "assigning", "placed although an earlier auto-placed task is pending");
  assert.equal((await get(waits)).message, `waiting: after task ${a.taskId}`, "not judged by the scheduler while it waits");
  await end(a, "completed");
  const now = await get(waits);
  assert.equal(now.status, "pending");
  assert.match(now.message, /^waiting: no node has room now/, "released into the queue; the queue decides from here");
  await end(later, "completed");
  assert.equal((await get(waits)).status, "assigning");
});

test("a tracker started later (a restarted Host) releases tasks whose dependencies ended while no one listened", async () => {
  await d.addNode("alpha", 4);
  const a = await one();
  const b = await one({ afterOk: [String(a.taskId)] });
  await tracker.stop();
  await d.tasks.change(a.taskId, "completed", { exitCode: 0 });
  await scheduler.idle();
  assert.equal((await get(b)).status, "pending", "nobody heard the end");
  tracker = new DependencyTracker({ repo: d.repo, tasks: d.tasks, events: d.events, log: d.captured.log });
  tracker.start();
  await settle();
  assert.equal((await get(b)).status, "assigning");
});

test("loops: tasks joining a batch may not wait for that batch, directly or through others", async () => {
  await d.addNode("alpha", 8);
  const gate = await one();
  const batch = await submitTask({ args: ["span:{1..2}"], sweep: true, after: [String(gate.taskId)] });
  const batchId = batch[0]!.batchId;
  const waitsForBatch = await one({ after: [String(batchId)] });
  const chained = await one({ afterOk: [String(waitsForBatch.taskId)] });
  const join = { batchId };
  const self = await refusal(resolveDependencies(d.repo, parseDependencyIds([String(batchId)], []), join));
  assert.equal(self.details.reason, ErrorReason.DEPENDENCY_CYCLE);
  assert.equal(self.details.fieldViolations?.[0]?.field, "after[0]");
  assert.match(self.message, /cannot wait for its own batch/);
  const loop = await refusal(resolveDependencies(d.repo, parseDependencyIds([String(gate.taskId)], [String(chained.taskId)]), join));
  assert.equal(loop.details.reason, ErrorReason.DEPENDENCY_CYCLE);
  assert.equal(loop.details.fieldViolations?.[0]?.field, "after_ok[0]", "the id whose chain comes back is named");
  assert.match(loop.message, new RegExp(`${chained.taskId} waits \\(through its own dependencies\\) for all of batch ${batchId}`));
  assert.deepEqual(await resolveDependencies(d.repo, parseDependencyIds([String(gate.taskId)], []), join), [{ onId: gate.taskId, batch: false, requireOk: false }], "no loop through the gate");
  await end(gate, "completed");
  await end(batch[0]!, "completed");
  await end(batch[1]!, "completed");
  await end(waitsForBatch, "completed");
  assert.deepEqual(await resolveDependencies(d.repo, parseDependencyIds([], [String(chained.taskId)]), join), [{ onId: chained.taskId, batch: false, requireOk: true }], "an ended chain cannot loop");
  const viaSubmit = await refusal(submitTask({ after: [String(batchId)] }, batchId));
  assert.equal(viaSubmit.details.reason, ErrorReason.DEPENDENCY_CYCLE, "a resubmission into the batch is checked on the submit path");
  const copy = await submitTask({ afterOk: [String(gate.taskId)] }, batchId);
  assert.deepEqual([copy[0]!.batchId, copy[0]!.status], [batchId, "assigning"], "a copy that joins the batch, its dependency met, runs");
});

test("the scheduler's read of the queue uses the index that leaves waiting tasks out", async () => {
  const { db } = d;
  const plan = await sql<{ detail: string }>`explain query plan select * from tasks where status in ('pending') and awaiting_dependencies = 0 and task_id > 0 order by task_id limit 500`.execute(db);
  assert.ok(plan.rows.some((r) => /USING (COVERING )?INDEX tasks_queue/.test(r.detail)), JSON.stringify(plan.rows));
  const edges = await sql<{ detail: string }>`explain query plan select task_id from task_dependencies where on_id = 1 and on_batch = 0`.execute(db);
  assert.ok(edges.rows.some((r) => /INDEX task_dependencies_on/.test(r.detail)), JSON.stringify(edges.rows));
});
