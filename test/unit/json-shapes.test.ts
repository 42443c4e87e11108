import { test } from "node:test";
import assert from "node:assert/strict";
import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { LogEndSchema } from "../../gen/hakuriver/v1/client_pb.js";
import { NodeSchema, NodeStatus, TaskKind, TaskSchema, TaskStatus } from "../../gen/hakuriver/v1/types_pb.js";
import { Role, TokenInfoSchema, TokenKind, UserSchema } from "../../gen/hakuriver/v1/auth_pb.js";
import { batchJson, nodeJson, taskJson, tokenJson, userJson } from "../../src/cli/json-shapes.js";
import { incompleteUtf8Tail, logChunkJson, logEndJson, LogRecordWriter } from "../../src/cli/log-json.js";

test("a task's JSON has every field, enum words in lower case, unset optional fields as null", () => {
  const task = create(TaskSchema, { taskId: "7", batchId: "7", kind: TaskKind.COMMAND, status: TaskStatus.KILLED_OOM, command: "true", submittedAt: timestampFromMs(Date.UTC(2026, 0, 2, 3, 4, 5)) });
  const json = taskJson(task);
  assert.equal(json.status, "killed_oom");
  assert.equal(json.kind, "command");
  assert.equal(json.exitCode, null, "an exit code not known yet is null, not missing");
  assert.equal(json.startedAt, null);
  assert.equal(json.submittedAt, "2026-01-02T03:04:05Z");
  assert.equal(json.cores, 0, "zero values are printed");
  assert.equal(json.assignedNode, "");
  assert.deepEqual(json.args, []);
  assert.deepEqual([json.name, json.labels], ["", {}], "no name and no labels are printed as such, not left out");
  for (const field of TaskSchema.fields) assert.ok(field.jsonName in json, `field ${field.jsonName} is present`);
  assert.deepEqual([json.after, json.afterOk], [[], []], "no dependencies: empty lists");
  assert.deepEqual(taskJson(create(TaskSchema, { after: ["5"], afterOk: ["6", "7"] })).afterOk, ["6", "7"], "dependency ids are decimal strings");
});

test("an exit code of 0 and 64-bit integers keep proto JSON's forms", () => {
  const json = taskJson(create(TaskSchema, { taskId: "1", status: TaskStatus.COMPLETED, exitCode: 0, memoryBytes: 1024n }));
  assert.equal(json.exitCode, 0);
  assert.equal(json.memoryBytes, "1024");
  assert.equal(json.status, "completed");
});

test("a timed-out task reads status timeout, its limit a string of milliseconds (0 = none)", () => {
  const json = taskJson(create(TaskSchema, { taskId: "2", status: TaskStatus.TIMEOUT, exitCode: 143, timeLimitMs: 2000n, message: "time limit 2s reached" }));
  assert.deepEqual([json.status, json.timeLimitMs, json.exitCode], ["timeout", "2000", 143]);
  assert.equal(taskJson(create(TaskSchema, { taskId: "3" })).timeLimitMs, "0");
});

test("a task's GPUs: the count asked for as a number (0 when none), the indexes given as numbers", () => {
  const none = taskJson(create(TaskSchema, { taskId: "1" }));
  assert.deepEqual([none.gpuCount, none.gpus], [0, []]);
  const given = taskJson(create(TaskSchema, { taskId: "2", gpuCount: 2, gpus: [1, 3] }));
  assert.deepEqual([given.gpuCount, given.gpus], [2, [1, 3]]);
});

test("nodes, users and tokens use the same rules; nested messages too", () => {
  const node = nodeJson(create(NodeSchema, { name: "alpha", status: NodeStatus.ONLINE }));
  assert.equal(node.status, "online");
  assert.equal(node.drained, false);
  assert.equal(node.resources, null, "an absent sub-message is null");
  assert.equal(userJson(create(UserSchema, { name: "bob", role: Role.OPERATOR })).role, "operator");
  const token = tokenJson(create(TokenInfoSchema, { tokenId: "3", kind: TokenKind.JOIN }));
  assert.deepEqual([token.kind, token.expiresAt, token.user], ["join", null, ""]);
  assert.equal(taskJson(create(TaskSchema, {})).status, "unspecified");
});

test("a batch is {batchId, tasks} whatever submitted it", () => {
  const batch = batchJson("9", [create(TaskSchema, { taskId: "9", kind: TaskKind.VPS, status: TaskStatus.RUNNING })]);
  assert.deepEqual(Object.keys(batch), ["batchId", "tasks"]);
  assert.equal((batch.tasks as { kind: string }[])[0]!.kind, "vps");
});

test("log chunks are text when UTF-8, base64 otherwise; the end record carries the status", () => {
  assert.deepEqual(logChunkJson("stdout", 5n, new TextEncoder().encode("hé\n")), { stream: "stdout", offset: "5", bytes: "4", data: "hé\n", dataBase64: null });
  assert.deepEqual(logChunkJson("stderr", 0n, Uint8Array.of(0xff, 0x41)), { stream: "stderr", offset: "0", bytes: "2", data: null, dataBase64: "/0E=" });
  assert.deepEqual(logChunkJson("stdout", 0n, Buffer.from("a"), Date.UTC(2026, 0, 2, 3, 4, 5, 6)).receivedAt, "2026-01-02T03:04:05.006Z", "with --timestamps");
  assert.equal(logChunkJson("stdout", 0n, Buffer.from("a"), null).receivedAt, null, "asked, but the Host sent no time");
  assert.deepEqual(logEndJson(create(LogEndSchema, { status: TaskStatus.FAILED, exitCode: 3, size: 10n })), { end: { status: "failed", exitCode: 3, size: "10" } });
});

test("a character split between chunks waits for its other bytes", () => {
  const euro = new TextEncoder().encode("a€"); // 61 e2 82 ac
  assert.equal(incompleteUtf8Tail(euro.subarray(0, 2)), 1);
  assert.equal(incompleteUtf8Tail(euro.subarray(0, 3)), 2);
  assert.equal(incompleteUtf8Tail(euro), 0);
  assert.equal(incompleteUtf8Tail(Uint8Array.of(0x41, 0xff)), 0, "an invalid byte is not held back");
  const lines: string[] = [];
  const writer = new LogRecordWriter("stdout", (line) => lines.push(line));
  writer.chunk(0n, euro.subarray(0, 2));
  writer.chunk(2n, euro.subarray(2));
  writer.end(create(LogEndSchema, { status: TaskStatus.COMPLETED, exitCode: 0, size: 4n }));
  const records = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.deepEqual(records.slice(0, 2).map((r) => [r.offset, r.data]), [["0", "a"], ["1", "€"]]);
  assert.deepEqual(records[2], { end: { status: "completed", exitCode: 0, size: "4" } });
  assert.ok(records.slice(0, 2).every((r) => !("receivedAt" in r)), "no receivedAt unless --timestamps");
});

test("with --timestamps a record's receivedAt is its first byte's, held-back bytes keeping theirs", () => {
  const euro = new TextEncoder().encode("a€");
  const lines: string[] = [];
  const writer = new LogRecordWriter("stdout", (line) => lines.push(line), true);
  writer.chunk(0n, euro.subarray(0, 2), 1_000);
  writer.chunk(2n, euro.subarray(2), 2_000);
  writer.chunk(4n, Buffer.from("b"), null);
  writer.end(undefined);
  const records = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.deepEqual(records.map((r) => [r.data, r.receivedAt]), [["a", "1970-01-01T00:00:01.000Z"], ["€", "1970-01-01T00:00:01.000Z"], ["b", null]]);
});
