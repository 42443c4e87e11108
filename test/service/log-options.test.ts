import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { timestampFromMs, timestampMs } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { FollowLogsRequestSchema } from "../../gen/hakuriver/v1/client_pb.js";
import { LogStream, TaskStatus } from "../../gen/hakuriver/v1/types_pb.js";
import { inMemoryHost, ScriptedRunner, type InMemoryHost } from "../helpers/in-memory-host.js";

let host: InMemoryHost;
let runner: ScriptedRunner;

before(async () => {
  host = await inMemoryHost();
  runner = new ScriptedRunner(host.runnerClient, "node-a");
  await runner.next(); // welcome
});

after(async () => {
  await runner.disconnect();
  await host.close();
});

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A running task with `chunks` sent as stdout, `gapMs` apart. */
async function taskWithOutput(chunks: string[], gapMs: number): Promise<{ taskId: string; sentAtMs: number[] }> {
  const { tasks } = await host.client.submitTask({ command: "sh", args: ["-c", "x"], cores: 1 });
  const taskId = tasks[0]!.taskId;
  await runner.next();
  runner.send({ message: { case: "taskEvent", value: { taskId, status: TaskStatus.RUNNING } } });
  const sentAtMs: number[] = [];
  let offset = 0n;
  for (const chunk of chunks) {
    sentAtMs.push(Date.now());
    runner.send({ message: { case: "logChunk", value: { taskId, stream: LogStream.STDOUT, offset, data: Buffer.from(chunk) } } });
    offset += BigInt(Buffer.byteLength(chunk));
    await pause(gapMs);
  }
  return { taskId, sentAtMs };
}

async function collect(request: MessageInitShape<typeof FollowLogsRequestSchema>): Promise<{ text: string; chunks: { offset: bigint; text: string; atMs?: number }[] }> {
  const chunks: { offset: bigint; text: string; atMs?: number }[] = [];
  for await (const response of host.client.followLogs(request)) {
    if (response.event.case !== "data") continue;
    const { offset, data, receivedAt } = response.event.value;
    chunks.push({ offset, text: Buffer.from(data).toString(), ...(receivedAt ? { atMs: timestampMs(receivedAt) } : {}) });
  }
  return { text: chunks.map((c) => c.text).join(""), chunks };
}

test("tail_lines starts at the last N lines; with an offset past it, the offset wins", async () => {
  const { taskId } = await taskWithOutput(["l1\nl2\n", "l3\nl4", "\nl5\n"], 5);
  await pause(50);
  assert.equal((await collect({ taskId, tailLines: 2 })).text, "l4\nl5\n");
  assert.equal((await collect({ taskId, tailLines: 99 })).text, "l1\nl2\nl3\nl4\nl5\n");
  assert.equal((await collect({ taskId, tailLines: 3, offset: 12n })).text, "l5\n");
});

test("since starts at the first chunk that arrived at or after it; timestamps give one message per chunk with its time", async () => {
  const { taskId, sentAtMs } = await taskWithOutput(["old 1\n", "old 2\n", "new 1\n", "new 2\n"], 120);
  const since = timestampFromMs(sentAtMs[2]! - 40);
  assert.equal((await collect({ taskId, since })).text, "new 1\nnew 2\n");
  const stamped = await collect({ taskId, timestamps: true });
  assert.deepEqual(stamped.chunks.map((c) => c.text), ["old 1\n", "old 2\n", "new 1\n", "new 2\n"]);
  stamped.chunks.forEach((chunk, index) => {
    assert.ok(chunk.atMs !== undefined, "every chunk has its time");
    assert.ok(Math.abs(chunk.atMs - sentAtMs[index]!) < 100, `chunk ${index} arrived about when it was sent`);
  });
  const plain = await collect({ taskId });
  assert.ok(plain.chunks.every((c) => c.atMs === undefined), "no times unless asked");
  assert.equal(plain.chunks.length, 1, "without timestamps the stored bytes come merged");
});

test("tail with follow continues with new output", async () => {
  const { taskId } = await taskWithOutput(["a\nb\nc\n"], 5);
  const follow = collect({ taskId, tailLines: 1, follow: true });
  await pause(100);
  runner.send({ message: { case: "logChunk", value: { taskId, stream: LogStream.STDOUT, offset: 6n, data: Buffer.from("d\n") } } });
  runner.send({ message: { case: "taskEvent", value: { taskId, status: TaskStatus.COMPLETED, exitCode: 0, stdoutSize: 8n } } });
  assert.equal((await follow).text, "c\nd\n");
});

test("a negative tail_lines is INVALID_ARGUMENT naming the field", async () => {
  const { taskId } = await taskWithOutput(["x\n"], 1);
  try {
    await collect({ taskId, tailLines: -1 });
    assert.fail("a negative tail was accepted");
  } catch (error) {
    const connectError = ConnectError.from(error);
    assert.equal(connectError.code, Code.InvalidArgument);
    assert.match(connectError.rawMessage, /tail_lines/);
  }
});
