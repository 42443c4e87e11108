/**
 * End to end, as a user types it: `task submit --name --label`, the NAME
 * column and `task status`, `task list --name GLOB --label K=V`, bad labels
 * refused with nothing submitted, and `task resubmit` (a new id in the same
 * batch that runs the same command again), against a real Host and Runner
 * running native tasks.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { TestCluster, submittedIds, waitUntil } from "../helpers/cluster.js";

const cluster = new TestCluster();
before(async () => {
  await cluster.startHost();
  await cluster.startRunner("namer");
});
after(() => cluster.cleanup());

interface TaskJson {
  taskId: string;
  batchId: string;
  status: string;
  name: string;
  labels: Record<string, string>;
  command: string;
  args: string[];
  exitCode: number | null;
}

async function listJson(args: string[]): Promise<TaskJson[]> {
  const result = await cluster.cli(["task", "list", "--json", ...args]);
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(result.stdout) as TaskJson[];
}

async function logs(taskId: string): Promise<string> {
  const result = await cluster.cli(["logs", taskId]);
  assert.equal(result.code, 0, result.stderr);
  return result.stdout;
}

test("names show in the list and in status; --name globs and --label pairs filter", async () => {
  const submit = (name: string, labels: string[], word: string) =>
    cluster.cli(["task", "submit", "--json", "--container", "NULL", "--name", name, ...labels.flatMap((l) => ["--label", l]), "--", "echo", word]);
  const first = await submit("train-resnet", ["project=vision", "stage=train"], "one");
  assert.equal(first.code, 0, first.stderr);
  const [resnet] = submittedIds(first.stdout);
  const [vit] = submittedIds((await submit("train-vit", ["project=vision", "stage=eval"], "two")).stdout);
  const [audio] = submittedIds((await submit("eval-audio", ["project=audio", "stage=eval"], "three")).stdout);

  const table = await cluster.cli(["task", "list"]);
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, /^ID\s+STATUS\s+NODE\s+OWNER\s+NAME\s/m);
  assert.match(table.stdout, new RegExp(`^${resnet}\\s.*\\btrain-resnet\\b`, "m"), table.stdout);

  const status = await cluster.cli(["task", "status", resnet!]);
  assert.match(status.stdout, /^Name:\s+train-resnet$/m);
  assert.match(status.stdout, /^Labels:\s+project=vision stage=train$/m);

  assert.deepEqual((await listJson(["--name", "train-*"])).map((t) => t.taskId), [vit, resnet]);
  assert.deepEqual((await listJson(["--name", "*-?it"])).map((t) => t.taskId), [vit]);
  assert.deepEqual((await listJson(["--label", "project=vision"])).map((t) => t.taskId), [vit, resnet]);
  assert.deepEqual((await listJson(["--label", "stage=eval", "--label", "project=audio"])).map((t) => t.taskId), [audio]);
  assert.deepEqual((await listJson(["--name", "train-*", "--label", "stage=eval"])).map((t) => t.taskId), [vit]);
  const [json] = await listJson(["--name", "eval-audio"]);
  assert.deepEqual([json?.name, json?.labels], ["eval-audio", { project: "audio", stage: "eval" }]);
  const filtered = await cluster.cli(["task", "list", "--label", "project=vision"]);
  assert.doesNotMatch(filtered.stdout, /eval-audio/);
});

test("a label without = or with a bad key: one line naming labels, exit 2, nothing submitted", async () => {
  const before = (await listJson(["--limit", "1000"])).length;
  for (const label of ["project", "bad key=1"]) {
    const result = await cluster.cli(["task", "submit", "--container", "NULL", "--label", label, "--", "true"]);
    assert.equal(result.code, 2, `${label}: ${result.stdout}${result.stderr}`);
    assert.match(result.stderr, /^error: label .*\n\s+labels: /, result.stderr);
    assert.doesNotMatch(result.stderr, /\n\s+at /, "no stack trace");
  }
  const list = await cluster.cli(["task", "list", "--label", "no="]);
  assert.equal(list.code, 0, "an empty value is a valid filter");
  const badList = await cluster.cli(["task", "list", "--label", "nokey"]);
  assert.equal(badList.code, 2);
  assert.match(badList.stderr, /labels/);
  const badName = await cluster.cli(["task", "submit", "--container", "NULL", "--name", "x".repeat(129), "--", "true"]);
  assert.equal(badName.code, 2);
  assert.match(badName.stderr, /error \(invalid argument\): task name is 129 characters; the limit is 128\n\s+name: /);
  assert.equal((await listJson(["--limit", "1000"])).length, before, "nothing was submitted");
});

test("task resubmit gives a new id in the same batch that runs the same command; --new-batch a batch of its own", async () => {
  const submit = await cluster.cli(["task", "submit", "--json", "--wait", "--container", "NULL", "--name", "again", "--label", "try=1", "--env", "WORD=hello", "--", "sh", "-c", 'echo "$WORD from $0"', "resubmit"]);
  assert.equal(submit.code, 0, submit.stderr);
  const [original] = (JSON.parse(submit.stdout) as { tasks: TaskJson[] }).tasks;
  assert.equal(await logs(original!.taskId), "hello from resubmit\n");

  const resubmit = await cluster.cli(["task", "resubmit", original!.taskId]);
  assert.equal(resubmit.code, 0, resubmit.stderr);
  const match = /^Resubmitted task (\d+) as task (\d+) in batch (\d+)/m.exec(resubmit.stdout);
  assert.ok(match, resubmit.stdout);
  const [, from, copy, batch] = match;
  assert.equal(from, original!.taskId);
  assert.notEqual(copy, original!.taskId);
  assert.equal(batch, original!.batchId, "the same batch");
  await waitUntil(async () => (await listJson(["--batch", original!.batchId])).some((t) => t.taskId === copy && t.status === "completed"), 20_000, () => `task ${copy} never completed`);
  assert.equal(await logs(copy!), "hello from resubmit\n", "the same command, args and env ran again");
  const inBatch = await listJson(["--batch", original!.batchId]);
  assert.deepEqual(inBatch.map((t) => [t.taskId, t.name, t.labels]), [[copy, "again", { try: "1" }], [original!.taskId, "again", { try: "1" }]]);

  const separate = await cluster.cli(["task", "resubmit", "--json", "--new-batch", original!.taskId]);
  assert.equal(separate.code, 0, separate.stderr);
  const parsed = JSON.parse(separate.stdout) as { batchId: string; tasks: TaskJson[] };
  assert.equal(parsed.batchId, parsed.tasks[0]!.taskId, "a batch of its own");
  assert.deepEqual([parsed.tasks[0]!.command, parsed.tasks[0]!.args], ["sh", ["-c", 'echo "$WORD from $0"', "resubmit"]]);

  const missing = await cluster.cli(["task", "resubmit", "999999"]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /^error \(not found\): task 999999 not found/);
});
