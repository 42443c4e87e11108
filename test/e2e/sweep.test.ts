import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { TestCluster, waitUntil } from "../helpers/cluster.js";

interface TaskJson {
  readonly taskId: string;
  readonly batchId: string;
  readonly status: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly exitCode?: number;
}

const cluster = new TestCluster();
before(async () => {
  await cluster.startHost();
  await cluster.startRunner("sweeper");
});
after(() => cluster.cleanup());

async function listBatch(batchId: string): Promise<TaskJson[]> {
  const result = await cluster.cli(["task", "list", "--batch", batchId, "--json"]);
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(result.stdout) as TaskJson[];
}

test("a --sweep submission runs one task per combination, in one batch, each with its own log", async () => {
  const submitted = await cluster.cli(["task", "submit", "--json", "--sweep", "--container", "NULL", "--", "sh", "-c", 'echo "$0 $1"', "span:{1..3}", "span:[a,b]"]);
  assert.equal(submitted.code, 0, submitted.stderr);
  const { batchId, tasks } = JSON.parse(submitted.stdout) as { batchId: string; tasks: TaskJson[] };
  const expected = ["1 a", "1 b", "2 a", "2 b", "3 a", "3 b"];
  assert.deepEqual(
    tasks.map((t) => t.args.slice(2).join(" ")),
    expected,
    "one task per combination, last span fastest",
  );
  assert.ok(tasks.every((t) => t.batchId === batchId && t.command === "sh"));

  let finished: TaskJson[] = [];
  await waitUntil(async () => {
    finished = await listBatch(batchId);
    return finished.length === 6 && finished.every((t) => t.status === "completed");
  }, 30_000, () => `batch ${batchId} did not complete: ${JSON.stringify(finished.map((t) => t.status))}`);
  assert.deepEqual(finished.map((t) => t.taskId).sort(), tasks.map((t) => t.taskId).sort(), "task list --batch shows exactly the sweep's tasks");

  for (const task of tasks) {
    const logs = await cluster.cli(["logs", task.taskId]);
    assert.equal(logs.code, 0, logs.stderr);
    assert.equal(logs.stdout.trim(), task.args.slice(2).join(" "), `task ${task.taskId} logs its own arguments`);
  }
});

test("--wait on a sweep waits for every task and exits non-zero when one fails", async () => {
  const failing = await cluster.cli(["task", "submit", "--wait", "--json", "--sweep", "--container", "NULL", "--", "sh", "-c", "exit $0", "span:[0,4,0]"]);
  assert.notEqual(failing.code, 0);
  const { tasks } = JSON.parse(failing.stdout) as { tasks: TaskJson[] };
  assert.deepEqual(tasks.map((t) => [t.status, t.exitCode ?? 0]), [
    ["completed", 0],
    ["failed", 4],
    ["completed", 0],
  ]);

  const passing = await cluster.cli(["task", "submit", "--wait", "--sweep", "--container", "NULL", "--", "sh", "-c", "exit $0", "span:[0,0]"]);
  assert.equal(passing.code, 0, passing.stderr + passing.stdout);
});

test("a malformed or shell-expanded sweep is refused before any task is created", async () => {
  const malformed = await cluster.cli(["task", "submit", "--sweep", "--container", "NULL", "--", "echo", "span:{1..x}"]);
  assert.equal(malformed.code, 2, malformed.stderr);
  assert.match(malformed.stderr, /malformed span "span:\{1\.\.x\}"/);
  const expanded = await cluster.cli(["task", "submit", "--sweep", "--container", "NULL", "--", "echo", "span:1", "span:2"]);
  assert.equal(expanded.code, 2);
  assert.match(expanded.stderr, /quote the span/);
  const listed = await cluster.cli(["task", "list", "--json"]);
  const all = JSON.parse(listed.stdout) as TaskJson[];
  assert.ok(!all.some((t) => t.command === "echo"), "no task was created");
});

test("without --sweep, span arguments are passed literally", async () => {
  const result = await cluster.cli(["task", "submit", "--wait", "--json", "--container", "NULL", "--", "echo", "span:{1..2}"]);
  assert.equal(result.code, 0, result.stderr);
  const { tasks } = JSON.parse(result.stdout) as { tasks: TaskJson[] };
  assert.equal(tasks.length, 1);
  const logs = await cluster.cli(["logs", tasks[0]!.taskId]);
  assert.equal(logs.stdout, "span:{1..2}\n");
});
