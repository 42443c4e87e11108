/**
 * End to end, the CLI over Watch as a user types it: `task submit --wait`
 * (waits over a watch of its batch) and `task list --watch --json` (a JSON
 * line per change until Ctrl-C), against a real Host and Runner.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { CLI, TestCluster, submittedIds, waitUntil } from "../helpers/cluster.js";

const cluster = new TestCluster();
before(async () => {
  await cluster.startHost();
  await cluster.startRunner("watcher");
});
after(() => cluster.cleanup());

test("task submit --wait returns each task's final state and exit code, a task that ends at once included", async () => {
  const quick = await cluster.cli(["task", "submit", "--wait", "--json", "--container", "NULL", "--", "true"]);
  assert.equal(quick.code, 0, quick.stderr);
  const [task] = (JSON.parse(quick.stdout) as { tasks: { status: string; exitCode?: number }[] }).tasks;
  assert.deepEqual([task?.status, task?.exitCode], ["completed", 0]);
  const slow = await cluster.cli(["task", "submit", "--wait", "--container", "NULL", "--", "sh", "-c", "sleep 1; exit 4"]);
  assert.equal(slow.code, 4, slow.stderr);
  assert.match(slow.stdout, /Task \d+ failed \(exit code 4\)/);
  const batch = await cluster.cli(["task", "submit", "--wait", "--json", "--container", "NULL", "--sweep", "--", "sh", "-c", 'exit "$0"', "span:{0..2}"]);
  assert.equal(batch.code, 1, batch.stderr);
  const tasks = (JSON.parse(batch.stdout) as { tasks: { args: string[]; exitCode?: number }[] }).tasks;
  assert.deepEqual(tasks.map((t) => [t.args.at(-1), t.exitCode ?? 0]), [["0", 0], ["1", 1], ["2", 2]]);
});

test("task list --watch --json prints the snapshot, then a line per change, and exits 0 at Ctrl-C", async () => {
  const child = spawn(process.execPath, [CLI, "task", "list", "--watch", "--json"], { env: { ...process.env, ...cluster.cliEnv() } });
  const lines: { event: string; tasks?: unknown[]; task?: { taskId: string; status: string }; taskId?: string }[] = [];
  let buffer = "";
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  child.stdout.on("data", (d: Buffer) => {
    buffer += d.toString();
    let nl: number;
    while ((nl = buffer.indexOf("\n")) >= 0) {
      lines.push(JSON.parse(buffer.slice(0, nl)) as (typeof lines)[number]);
      buffer = buffer.slice(nl + 1);
    }
  });
  const exited = new Promise<number | null>((resolve) => child.once("close", resolve));
  try {
    await waitUntil(() => lines.length > 0, 15_000, () => `no snapshot line; stderr: ${stderr}`);
    assert.equal(lines[0]!.event, "snapshot");
    assert.ok(Array.isArray(lines[0]!.tasks));
    const submit = await cluster.cli(["task", "submit", "--json", "--container", "NULL", "--", "sh", "-c", "echo hi; sleep 0.5"]);
    assert.equal(submit.code, 0, submit.stderr);
    const [id] = submittedIds(submit.stdout);
    const statusesOf = () => lines.filter((l) => l.event === "task" && l.task?.taskId === id).map((l) => l.task!.status);
    await waitUntil(() => statusesOf().includes("completed"), 15_000, () => `lines for task ${id}: ${statusesOf().join(", ")}; stderr: ${stderr}`);
    assert.ok(statusesOf().includes("running"), `task ${id} was never shown running: ${statusesOf().join(", ")}`);
    assert.equal(statusesOf().at(-1), "completed");
    child.kill("SIGINT");
    assert.equal(await exited, 0, stderr);
  } finally {
    child.kill("SIGKILL");
  }
});

test("task list --watch piped (not a terminal, no --json) prints the table, then a line per change", async () => {
  const child = spawn(process.execPath, [CLI, "task", "list", "--watch"], { env: { ...process.env, ...cluster.cliEnv() } });
  let stdout = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("close", resolve));
  try {
    await waitUntil(() => /^ID\s+STATUS/m.test(stdout), 15_000, () => `no table: ${stdout}`);
    const [id] = submittedIds((await cluster.cli(["task", "submit", "--json", "--container", "NULL", "--", "true"])).stdout);
    await waitUntil(() => new RegExp(`^task ${id} completed on watcher \\(exit code 0\\)`, "m").test(stdout), 15_000, () => `printed: ${stdout}`);
    assert.doesNotMatch(stdout, /\x1b\[/, "no screen control codes into a pipe");
    child.kill("SIGINT");
    assert.equal(await exited, 0);
  } finally {
    child.kill("SIGKILL");
  }
});
