/**
 * Task names and labels: the rules (names, keys, values, `--label` words),
 * the glob, and filtering by them, in SQL through the real TaskRepo and in
 * memory as a watcher filters, which must agree.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { create } from "@bufbuild/protobuf";
import { SubmitTaskRequestSchema } from "../../gen/hakuriver/v1/client_pb.js";
import { TaskKind } from "../../gen/hakuriver/v1/types_pb.js";
import { DomainError } from "../../src/shared/errors.js";
import { checkLabels, checkNameGlob, checkTaskName, globRegExp, hasLabels, parseLabelPairs, sqliteGlobOf } from "../../src/shared/task-labels.js";
import { planSubmission, type SubmitDefaults } from "../../src/host/tasks/submit-spec.js";
import { resubmitRequestOf } from "../../src/host/tasks/resubmit.js";
import { matchesFilter } from "../../src/host/watch/task-match.js";
import type { TaskFilter } from "../../src/host/store/task-repo.js";
import type { TaskRecord } from "../../src/host/tasks/task-record.js";
import { echoSpec, taskStore, type TaskStore } from "../helpers/task-store.js";

/** The field and reason of the INVALID_ARGUMENT `run` throws. */
function refusal(run: () => unknown): { field: string; reason: string; message: string } {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof DomainError, `a DomainError, got ${String(error)}`);
    assert.equal(error.kind, "invalid_argument");
    return { field: error.details.fieldViolations?.[0]?.field ?? "", reason: error.details.reason ?? "", message: error.message };
  }
  assert.fail("expected a refusal");
}

test("a name is trimmed, 1 to 128 printable characters; empty means none", () => {
  assert.equal(checkTaskName("  train resnet  "), "train resnet");
  assert.equal(checkTaskName(""), "");
  assert.equal(checkTaskName("é".repeat(128)), "é".repeat(128), "128 characters, not 128 bytes");
  assert.equal(checkTaskName("🚀 launch"), "🚀 launch");
  for (const bad of ["a\nb", "tab\there", "bell\u0007", "del\u007f", "c1\u0085", "line\u2028sep", "rtl\u202Eevil", "x".repeat(129)]) {
    const { field, reason } = refusal(() => checkTaskName(bad));
    assert.deepEqual([field, reason], ["name", "INVALID_NAME"], JSON.stringify(bad));
  }
});

test("label keys are 1-63 letters, digits, - _ . /; values at most 256 printable characters, empty allowed", () => {
  checkLabels({ project: "vision", "team.example/owner": "ml-infra", "a_b-c": "", k: "v".repeat(256) });
  const bad: Record<string, string>[] = [{ "": "x" }, { "bad key": "x" }, { "ключ": "x" }, { ["k".repeat(64)]: "x" }, { k: "v".repeat(257) }, { k: "line\nbreak" }];
  for (const labels of bad) {
    const { field, reason } = refusal(() => checkLabels(labels));
    assert.deepEqual([field, reason], ["labels", "INVALID_LABEL"], JSON.stringify(labels));
  }
  const many = Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, "v"]));
  assert.match(refusal(() => checkLabels(many)).message, /65 labels given; the limit is 64/);
});

test("--label words are KEY=VALUE; a word without = or with a bad key names labels", () => {
  assert.deepEqual(parseLabelPairs(["project=vision", "expr=a=b", "empty=", "project=audio"]), { project: "audio", expr: "a=b", empty: "" });
  assert.deepEqual(parseLabelPairs([]), {});
  const missing = refusal(() => parseLabelPairs(["project"]));
  assert.deepEqual([missing.field, missing.reason], ["labels", "INVALID_LABEL"]);
  assert.match(missing.message, /label "project" must look like KEY=VALUE/);
  assert.equal(refusal(() => parseLabelPairs(["=value"])).field, "labels");
  assert.equal(refusal(() => parseLabelPairs(["bad key=1"])).field, "labels");
});

test("a glob has * and ? only; every other character, [ included, stands for itself", () => {
  const matches = (glob: string, name: string) => globRegExp(glob).test(name);
  assert.ok(matches("train-*", "train-resnet"));
  assert.ok(matches("train-*", "train-"));
  assert.ok(!matches("train-*", "Train-resnet"), "case-sensitive");
  assert.ok(matches("run-?", "run-1") && !matches("run-?", "run-10") && !matches("run-?", "run-"));
  assert.ok(matches("?", "é") && matches("?", "🚀"), "? is one character, not one UTF-16 unit");
  assert.ok(matches("a.b(c)+[d]", "a.b(c)+[d]") && !matches("a.b", "axb"));
  assert.ok(matches("*", "") && !matches("x", ""));
  assert.equal(sqliteGlobOf("a[b]*"), "a[[]b]*");
  assert.equal(checkNameGlob(" x* "), " x* ");
  assert.equal(refusal(() => checkNameGlob("a\u0000")).field, "name_glob");
  assert.equal(refusal(() => checkNameGlob("x".repeat(257))).field, "name_glob");
});

test("hasLabels is AND over the pairs asked for", () => {
  const labels = { project: "vision", stage: "train" };
  assert.ok(hasLabels(labels, {}));
  assert.ok(hasLabels(labels, { project: "vision" }));
  assert.ok(hasLabels(labels, { project: "vision", stage: "train" }));
  assert.ok(!hasLabels(labels, { project: "vision", stage: "eval" }));
  assert.ok(!hasLabels(labels, { owner: "" }), "a missing key does not match an empty value");
  assert.ok(!hasLabels({}, { toString: "x" } as Record<string, string>), "no prototype keys");
});

const DEFAULTS: SubmitDefaults = { container: "NULL", privileged: false, mounts: ["/srv/shared:/shared"], queue: true };

test("a submission's name and labels go on every task; a sweep's tasks share them; bad ones name their field", () => {
  const plan = planSubmission(create(SubmitTaskRequestSchema, { command: "echo", args: ["span:{1..3}"], sweep: true, name: " sweep-a ", labels: { exp: "42" } }), DEFAULTS);
  assert.deepEqual(plan.specs.map((s) => [s.args[0], s.name, s.labels]), [["1", "sweep-a", { exp: "42" }], ["2", "sweep-a", { exp: "42" }], ["3", "sweep-a", { exp: "42" }]]);
  assert.equal(refusal(() => planSubmission(create(SubmitTaskRequestSchema, { command: "true", labels: { "no spaces": "x" } }), DEFAULTS)).field, "labels");
  assert.equal(refusal(() => planSubmission(create(SubmitTaskRequestSchema, { command: "true", name: "two\nlines" }), DEFAULTS)).field, "name");
});

function record(fields: Partial<TaskRecord>): TaskRecord {
  return {
    taskId: 1, batchId: 1, kind: "command", status: "completed", command: "echo", args: ["hi"], env: { A: "1" }, cores: 0.5, memoryBytes: 1_500_000,
    container: "env", privileged: false, mounts: ["/srv/shared:/shared"], target: "alpha::0,1", assignedNode: "alpha", numaNode: null, gpus: [0, 1], exitCode: 0,
    message: "", submittedAt: 0, startedAt: 0, completedAt: 0, sshPort: 0, sshHostKeys: [], publicKey: "", stdoutFinalBytes: 3, stderrFinalBytes: 0, owner: "alice",
    name: "again", labels: { project: "vision" }, timeLimitMs: 0, gpuCount: 0, dependencies: [], awaitingDependencies: false, ...fields,
  };
}

test("a resubmit asks for the same spec; default mounts and privileged stay defaults, others are asked for again", () => {
  const request = resubmitRequestOf(record({}), DEFAULTS);
  assert.deepEqual(
    [request.kind, request.command, request.args, request.env, request.cores, request.memory, request.targets, request.container, request.name, request.labels, request.sweep],
    [TaskKind.COMMAND, "echo", ["hi"], { A: "1" }, 0.5, "1500000", ["alpha::0,1"], "env", "again", { project: "vision" }, false],
  );
  assert.deepEqual([request.mounts, request.privileged], [[], undefined], "the Host's defaults are not asked for explicitly");
  const planned = planSubmission(request, DEFAULTS).specs[0]!;
  assert.deepEqual([planned.memoryBytes, planned.mounts, planned.targetText, planned.target?.gpus], [1_500_000, ["/srv/shared:/shared"], "alpha::0,1", [0, 1]]);
  const asked = resubmitRequestOf(record({ privileged: true, mounts: ["/data:/data:ro"], memoryBytes: 0, target: "" }), DEFAULTS);
  assert.deepEqual([asked.privileged, asked.mounts, asked.memory, asked.targets], [true, ["/data:/data:ro"], "", []]);
  const vps = resubmitRequestOf(record({ kind: "vps", command: "", args: [], publicKey: "ssh-ed25519 AAAA me" }), DEFAULTS);
  assert.deepEqual([vps.kind, vps.publicKey], [TaskKind.VPS, "ssh-ed25519 AAAA me"]);
  assert.equal(request.timeLimit, "", "no limit stays none");
  const limited = resubmitRequestOf(record({ timeLimitMs: 9_000_000 }), DEFAULTS);
  assert.equal(limited.timeLimit, "2h30m", "the limit it ran under is asked for again");
  assert.equal(planSubmission(limited, DEFAULTS).specs[0]!.timeLimitMs, 9_000_000);
});

let store: TaskStore;
const ids: Record<string, number> = {};

before(async () => {
  store = await taskStore();
  const named = (arg: string, name: string, labels: Record<string, string>) => ({ ...echoSpec(arg), name, labels });
  const batches = [
    [named("a", "train-resnet", { project: "vision", stage: "train" }), named("b", "train-resnet", { project: "vision", stage: "train" })],
    [named("c", "train-vit", { project: "vision", stage: "eval" })],
    [named("d", "eval [final]", { project: "audio", stage: "eval" })],
    [named("e", "", {})],
    [named("f", "Train-upper", { project: "vision" })],
  ];
  for (const specs of batches) {
    for (const task of await store.tasks.create(specs)) ids[task.args[0]!] = task.taskId;
  }
});

after(() => store.close());

/** The args of the tasks a filter lists, in SQL and in memory (which must agree), newest first. */
async function listed(filter: TaskFilter): Promise<string[]> {
  const inSql = (await store.repo.list({ ...filter, limit: 100 })).map((t) => t.args[0]!);
  const all = await store.repo.list({ limit: 100 });
  // Paging is SQL's alone: a watcher filters changed tasks, not pages.
  const inMemory = all.filter((t) => matchesFilter(t, filter) && (filter.beforeTaskId === undefined || t.taskId < filter.beforeTaskId)).map((t) => t.args[0]!);
  assert.deepEqual(inSql, inMemory, `SQL and the watcher's match agree for ${JSON.stringify(filter)}`);
  return inSql;
}

test("names and labels are stored and read back", async () => {
  const task = await store.repo.get(ids["d"]!);
  assert.deepEqual([task?.name, task?.labels], ["eval [final]", { project: "audio", stage: "eval" }]);
  assert.deepEqual([(await store.repo.get(ids["e"]!))?.name, (await store.repo.get(ids["e"]!))?.labels], ["", {}]);
});

test("ListTasks filters by name glob and by labels (AND), in SQL, as a watcher does in memory", async () => {
  assert.deepEqual(await listed({ nameGlob: "train-*" }), ["c", "b", "a"]);
  assert.deepEqual(await listed({ nameGlob: "train-res?et" }), ["b", "a"]);
  assert.deepEqual(await listed({ nameGlob: "*[final]" }), ["d"], "[ is a literal, not SQLite's character class");
  assert.deepEqual(await listed({ nameGlob: "*" }), ["f", "e", "d", "c", "b", "a"]);
  assert.deepEqual(await listed({ nameGlob: "nothing*" }), []);
  assert.deepEqual(await listed({ labels: { project: "vision" } }), ["f", "c", "b", "a"]);
  assert.deepEqual(await listed({ labels: { project: "vision", stage: "train" } }), ["b", "a"]);
  assert.deepEqual(await listed({ labels: { project: "vision", stage: "nope" } }), []);
  assert.deepEqual(await listed({ labels: { stage: "eval" }, nameGlob: "*vit" }), ["c"]);
  assert.deepEqual(await listed({ labels: { project: "vision" }, beforeTaskId: ids["c"]! }), ["b", "a"], "label filters and paging combine");
});

test("the label filter uses the (key, value) index, not a scan of task_labels", async () => {
  const { sql } = await import("kysely");
  const plan = await sql<{ detail: string }>`explain query plan select task_id from tasks where task_id in (select task_id from task_labels where key = ${"project"} and value = ${"vision"})`.execute(store.db);
  const details = plan.rows.map((row) => row.detail).join("; ");
  assert.match(details, /task_labels USING (COVERING )?INDEX task_labels_key_value/, details);
});

test("a resubmit into a stored batch joins it and counts in its task_count", async () => {
  const original = (await store.repo.get(ids["a"]!))!;
  const [again] = await store.tasks.create([{ ...echoSpec("a2"), name: original.name, labels: original.labels }], "", original.batchId);
  assert.equal(again!.batchId, original.batchId);
  assert.notEqual(again!.taskId, original.taskId);
  const batch = await store.db.selectFrom("batches").select("task_count").where("batch_id", "=", original.batchId).executeTakeFirstOrThrow();
  assert.equal(batch.task_count, 3);
  assert.deepEqual((await store.repo.list({ batchId: original.batchId, labels: { stage: "train" } })).map((t) => t.args[0]), ["a2", "b", "a"]);
  await assert.rejects(store.tasks.create([echoSpec("x")], "", 12345), /batch 12345 is not stored/);
});
