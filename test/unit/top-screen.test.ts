/**
 * `hakuriver top`'s model and screen: watch messages applied by id, ended
 * tasks leaving the view, GPU holders, and a screen that fits any terminal.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { WatchResponseSchema } from "../../gen/hakuriver/v1/client_pb.js";
import { NodeStatus, TaskStatus, type NodeSchema, type TaskSchema } from "../../gen/hakuriver/v1/types_pb.js";
import { statusColour } from "../../src/cli/colour.js";
import { shareRows, topScreen, type TopScreenOptions } from "../../src/cli/top-screen.js";
import { TOP_STATUSES, TopState } from "../../src/cli/top-state.js";

const NOW = Date.UTC(2025, 0, 1, 12, 0, 0);
const options: TopScreenOptions = { width: 100, height: 40, colour: false, hostAddress: "h:1", nowMs: NOW, keysLine: true };

function node(name: string, extra: object = {}): MessageInitShape<typeof NodeSchema> {
  return <MessageInitShape<typeof NodeSchema>>{ name, status: NodeStatus.ONLINE, resources: { cores: 8, memoryBytes: 16n << 30n }, coresInUse: 2, ...extra };
}

function task(id: string, status: TaskStatus, extra: object = {}): MessageInitShape<typeof TaskSchema> {
  return <MessageInitShape<typeof TaskSchema>>{ taskId: id, status, command: "sleep", args: ["60"], assignedNode: status === TaskStatus.PENDING ? "" : "alpha", owner: "ann", startedAt: timestampFromMs(NOW - 65_000), ...extra };
}

function stateOf(...messages: MessageInitShape<typeof WatchResponseSchema>[]): TopState {
  const state = new TopState();
  for (const m of messages) state.apply(create(WatchResponseSchema, m));
  return state;
}

const plain = (lines: string[]) => lines.map((l) => l.replace(/\x1b\[[0-9;]*m/g, ""));

test("top watches every status that is not final", () => {
  assert.deepEqual(TOP_STATUSES, [TaskStatus.PENDING, TaskStatus.ASSIGNING, TaskStatus.RUNNING, TaskStatus.PAUSED, TaskStatus.STOPPED]);
});

test("before the snapshot is complete the screen says it is connecting", () => {
  const lines = topScreen(stateOf({ snapshot: true, nodes: [node("alpha")] }), options);
  assert.match(lines.join("\n"), /connecting to the Host at h:1/);
  assert.doesNotMatch(lines.join("\n"), /NODES/);
});

test("changes replace by id; a removed task and one that reached a final status leave the view", () => {
  const state = stateOf(
    { snapshot: true, snapshotComplete: true, nodes: [node("alpha")], tasks: [task("10", TaskStatus.RUNNING), task("11", TaskStatus.RUNNING), task("12", TaskStatus.PENDING)] },
    { tasks: [task("10", TaskStatus.PAUSED)], removedTaskIds: ["11"] },
    { tasks: [task("12", TaskStatus.COMPLETED)] },
  );
  assert.deepEqual(state.tasks().map((t) => [t.taskId, t.status]), [["10", TaskStatus.PAUSED]]);
});

test("tasks on a node come before the queue, newest first within each", () => {
  const state = stateOf({
    snapshotComplete: true,
    tasks: [task("9", TaskStatus.PENDING), task("100", TaskStatus.RUNNING), task("99", TaskStatus.PAUSED), task("101", TaskStatus.PENDING)],
  });
  assert.deepEqual(state.tasks().map((t) => t.taskId), ["100", "99", "101", "9"]);
});

test("each GPU shows the task that holds it, the heartbeat's readings first", () => {
  const gpu = (index: number, util: number) => ({ index, name: "H100", memoryTotalMib: 81_559n, memoryUsedMib: 1024n, utilizationPercent: util });
  const state = stateOf({
    snapshotComplete: true,
    nodes: [node("alpha", { resources: { cores: 8, gpus: [gpu(0, -1), gpu(1, -1)] }, usage: { gpus: [gpu(0, 3), gpu(1, 97)] }, gpusInUse: [1] })],
    tasks: [task("42", TaskStatus.RUNNING, { gpus: [1] })],
  });
  assert.deepEqual(state.gpus().map((g) => [g.node, g.gpu.index, g.gpu.utilizationPercent, g.taskIds]), [["alpha", 0, 3, []], ["alpha", 1, 97, ["42"]]]);
  const text = plain(topScreen(state, options)).join("\n");
  assert.match(text, /^GPUS {2}2 \(1 in use\)$/m);
  assert.match(text, /^alpha\s+0\s+H100\s+3%\s+1024\/81559 MiB\s+free$/m);
  assert.match(text, /^alpha\s+1\s+H100\s+97%\s+1024\/81559 MiB\s+42$/m);
  assert.match(text, /^alpha\s+online\s+2\/8\s.*\s1\/2\s+0$/m);
  assert.match(text, /^42\s+running\s+alpha\s+1\s+ann\s+1m05s\s+sleep 60$/m);
});

test("a node with no GPUs has no GPU section; a drained node says so", () => {
  const text = plain(topScreen(stateOf({ snapshotComplete: true, nodes: [node("alpha", { drained: true })] }), options)).join("\n");
  assert.doesNotMatch(text, /^GPUS {2}/m);
  assert.match(text, /^alpha\s+online \(drained\)/m);
  assert.match(text, /^No active tasks\.$/m);
});

test("the screen fits the terminal: no line wider, no more lines, long sections end in … N more, shared fairly", () => {
  const nodes = Array.from({ length: 30 }, (_, i) => node(`node-${String(i).padStart(2, "0")}`));
  const tasks = Array.from({ length: 200 }, (_, i) => task(String(1000 + i), TaskStatus.RUNNING, { args: ["x".repeat(200)] }));
  const state = stateOf({ snapshotComplete: true, nodes, tasks });
  for (const [width, height] of [[80, 24], [40, 10], [200, 60], [20, 5], [10, 2]] as const) {
    const lines = topScreen(state, { ...options, width, height });
    assert.equal(lines.length, height, `${width}×${height}`);
    for (const line of lines) assert.ok(line.length <= width, `${width}×${height}: ${JSON.stringify(line)}`);
  }
  const text = plain(topScreen(state, { ...options, width: 80, height: 24 })).join("\n");
  // 24 lines: header, footer, and 3 per section (blank, title, table header) leave 16 rows, 8 each.
  assert.match(text, /^… 23 more$/m);
  assert.match(text, /^… 193 more$/m);
  assert.match(text, /^q quit$/m);
  assert.equal(plain(topScreen(state, { ...options, width: 80, height: 24 })).at(-1), "q quit", "the key help is on the last line");
});

test("rows are shared one at a time: no section starves another", () => {
  assert.deepEqual(shareRows([30, 0, 200], 16), [8, 0, 8]);
  assert.deepEqual(shareRows([2, 4, 200], 16), [2, 4, 10]);
  assert.deepEqual(shareRows([2, 3], 100), [2, 3]);
  assert.deepEqual(shareRows([5, 5], -3), [0, 0]);
});

test("colours only when asked: statuses and headers", () => {
  const state = stateOf({ snapshotComplete: true, nodes: [node("alpha"), node("beta", { status: NodeStatus.OFFLINE })], tasks: [task("7", TaskStatus.RUNNING)] });
  const coloured = topScreen(state, { ...options, colour: true }).join("\n");
  // Status words take the palette of every table (colour.ts).
  assert.ok(coloured.includes(statusColour("running", "running", true)));
  assert.ok(coloured.includes(statusColour("online", "online", true)));
  assert.ok(coloured.includes(statusColour("offline", "offline", true)));
  assert.notEqual(statusColour("online", "online", true), statusColour("offline", "offline", true));
  assert.doesNotMatch(topScreen(state, options).join("\n"), /\x1b/);
});

test("a snapshot for a pipe has no width limit and no key help", () => {
  const state = stateOf({ snapshotComplete: true, nodes: [node("alpha")], tasks: [task("7", TaskStatus.RUNNING, { args: ["y".repeat(300)] })] });
  const lines = topScreen(state, { ...options, width: Infinity, height: Infinity, keysLine: false });
  assert.ok(lines.some((l) => l.endsWith("y".repeat(300))));
  assert.ok(!lines.includes("q quit"));
});
