import { test } from "node:test";
import assert from "node:assert/strict";
import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { TaskKind, TaskSchema, TaskStatus, type Task } from "../../gen/hakuriver/v1/types_pb.js";
import { compareIds, DEFAULT_QUERY, paramsFromQuery, queryFromParams, selectTasks, type TaskQuery } from "../../src/web/task-query.js";

const NOW = 1_000_000;

function task(id: string, fields: Partial<{ status: TaskStatus; node: string; batch: string; command: string; args: string[]; kind: TaskKind; ranMs: number }>): Task {
  return create(TaskSchema, {
    taskId: id,
    batchId: fields.batch ?? id,
    kind: fields.kind ?? TaskKind.COMMAND,
    status: fields.status ?? TaskStatus.COMPLETED,
    assignedNode: fields.node ?? "",
    command: fields.command ?? "echo",
    args: fields.args ?? [],
    ...(fields.ranMs === undefined ? {} : { startedAt: timestampFromMs(NOW - fields.ranMs) }),
  });
}

const TASKS = [
  task("9", { status: TaskStatus.RUNNING, node: "beta", command: "sleep", args: ["30"], ranMs: 5000 }),
  task("10", { status: TaskStatus.PENDING, batch: "9", command: "python", args: ["train.py"] }),
  task("100", { status: TaskStatus.FAILED, node: "alpha", command: "make", ranMs: 100 }),
  task("11", { status: TaskStatus.RUNNING, node: "alpha", kind: TaskKind.VPS, command: "" }),
];

const ids = (query: Partial<TaskQuery>) => selectTasks(TASKS, { ...DEFAULT_QUERY, ...query }, NOW).map((t) => t.taskId);

test("ids order numerically, not as text", () => {
  assert.ok(compareIds("10", "9") > 0);
  assert.ok(compareIds("100", "11") > 0);
  assert.equal(compareIds("42", "42"), 0);
});

test("the default is command tasks, newest first", () => {
  assert.deepEqual(ids({}), ["100", "10", "9"]);
  assert.deepEqual(ids({ descending: false }), ["9", "10", "100"]);
  assert.deepEqual(ids({ kind: "any" }), ["100", "11", "10", "9"]);
  assert.deepEqual(ids({ kind: "vps" }), ["11"]);
});

test("filters by status (single, list, group), node, batch and text", () => {
  assert.deepEqual(ids({ status: "running" }), ["9"]);
  assert.deepEqual(ids({ status: "running,failed" }), ["100", "9"]);
  assert.deepEqual(ids({ status: "active" }), ["10", "9"]);
  assert.deepEqual(ids({ status: "final" }), ["100"]);
  assert.deepEqual(ids({ node: "alpha" }), ["100"]);
  assert.deepEqual(ids({ batch: "9" }), ["10", "9"]);
  assert.deepEqual(ids({ text: "TRAIN" }), ["10"]);
  assert.deepEqual(ids({ text: "100" }), ["100"]);
});

test("sorts by status, node, command and duration, ties newest first", () => {
  assert.deepEqual(ids({ sort: "status", descending: false }), ["100", "10", "9"]);
  assert.deepEqual(ids({ sort: "node", descending: false }), ["10", "100", "9"]);
  assert.deepEqual(ids({ sort: "command", descending: false }), ["100", "10", "9"]);
  assert.deepEqual(ids({ sort: "duration", descending: true }), ["9", "100", "10"]);
});

test("the hash query round-trips and leaves out defaults", () => {
  assert.deepEqual(paramsFromQuery(DEFAULT_QUERY), {});
  const query: TaskQuery = { status: "running", node: "alpha", batch: "7", kind: "any", text: "x y", sort: "duration", descending: true };
  assert.deepEqual(queryFromParams(paramsFromQuery(query)), query);
  assert.deepEqual(queryFromParams({ sort: "nonsense", kind: "weird" }), DEFAULT_QUERY);
  assert.equal(queryFromParams({ sort: "status" }).descending, false);
});
