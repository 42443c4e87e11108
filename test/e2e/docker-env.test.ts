/**
 * End to end against the real Docker engine: an environment is created from
 * a local busybox image, customised through `docker shell`, packed with
 * `create-tar`, and tasks run in it (files, env vars, /shared, OOM, image
 * sync that loads a newer tarball once for concurrent tasks).
 */
import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { CLI, FAST_TIMING, TestCluster, runCli, submittedIds, waitUntil, type Proc } from "../helpers/cluster.js";
import { docker, removeTestDockerState } from "../helpers/docker.js";

const suffix = `${process.pid}${Date.now().toString(36)}`;
const ENV = `envt${suffix}`;
const RUNNER = `dockenv${suffix}`;
let cluster: TestCluster;
let runner: Proc;

before(async () => {
  cluster = new TestCluster({ ...FAST_TIMING, HAKURIVER_TIMING_HEARTBEAT_TIMEOUT_FACTOR: "50" });
  await cluster.startHost();
  runner = await cluster.startRunner(RUNNER, { env: { HAKURIVER_LOG_LEVEL: "info" } });
});

after(async () => {
  await cluster.cleanup();
  removeTestDockerState(RUNNER, ENV);
});

/** Submits with --wait and --json; returns the task and the CLI's exit code. */
async function runTask(args: string[]): Promise<{ code: number; task: { taskId: string; status: string; exitCode?: number; message?: string } }> {
  const result = await cluster.cli(["task", "submit", "--wait", "--json", "--target", RUNNER, ...args]);
  assert.ok(result.stdout.trim().startsWith("{"), `submit failed: ${result.stderr}`);
  const task = (JSON.parse(result.stdout) as { tasks: { taskId: string; status: string; exitCode?: number; message?: string }[] }).tasks[0]!;
  return { code: result.code, task: { ...task, status: task.status } };
}

async function stdoutOf(taskId: string): Promise<string> {
  return (await cluster.cli(["logs", taskId])).stdout;
}

function loadsSoFar(): number {
  return runner.output().split("\n").filter((line) => line.includes('"msg":"loaded environment tarball"')).length;
}

test("create-container, shell, create-tar, list", async () => {
  const missing = await cluster.cli(["docker", "create-container", "hakuriver-test/no-such-image:1", `${ENV}x`]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /failed precondition.*not on the Host's Docker engine.*docker load/s);
  const created = await cluster.cli(["docker", "create-container", "hakuriver-test/busybox:latest", ENV]);
  assert.equal(created.code, 0, created.stderr);
  const listed = await cluster.cli(["docker", "list-containers"]);
  assert.match(listed.stdout, new RegExp(`${ENV}\\s+hakuriver-test/busybox:latest\\s+running`));
  // Piped stdin reaches the command; stdout and stderr stay apart; the exit code comes back.
  const shell = await runCli(["docker", "shell", ENV, "--", "sh", "-c", "cat > /marker; echo out; echo err >&2; exit 3"], cluster.cliEnv(), "hi from the shell\n");
  assert.equal(shell.code, 3, shell.stderr);
  assert.equal(shell.stdout, "out\n");
  assert.equal(shell.stderr, "err\n");
  const tar = await cluster.cli(["docker", "create-tar", ENV]);
  assert.equal(tar.code, 0, tar.stderr);
  assert.match(tar.stderr, /commit: .*\n(.|\n)*save: /);
  assert.match(tar.stdout, new RegExp(`Created ${ENV}-\\d+\\.tar`));
  const tars = await cluster.cli(["docker", "list-tars", ENV, "--json"]);
  const environments = JSON.parse(tars.stdout) as { name: string; tarballs: { file: string }[] }[];
  assert.equal(environments[0]?.tarballs.length, 1);
  const stopped = await cluster.cli(["docker", "stop-container", ENV]);
  assert.match(stopped.stdout, /is exited/);
  const closed = await runCli(["docker", "shell", ENV, "--", "true"], cluster.cliEnv());
  assert.match(closed.stderr, /failed precondition.*start-container/);
  assert.match((await cluster.cli(["docker", "start-container", ENV])).stdout, /is running/);
});

test("docker shell is a real terminal when stdin is a TTY: a pty, the size, the exit code", async () => {
  // `script` gives the CLI a pseudo-terminal, as a person's terminal would.
  const input = "stty size; tty; exit 5\n";
  const result = await new Promise<{ code: number | null; out: string }>((resolve) => {
    const child = spawn("script", ["-qec", `stty cols 100 rows 30; ${process.execPath} ${CLI} docker shell ${ENV}`, "/dev/null"], {
      env: { ...process.env, ...cluster.cliEnv() },
      detached: true,
    });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    // `script` runs until its own stdin closes, so the input ends with EOF.
    setTimeout(() => child.stdin.end(input), 1500);
    // The whole group: the CLI under `script` would otherwise hold the output pipe open.
    const guard = setTimeout(() => process.kill(-child.pid!, "SIGKILL"), 30_000);
    child.once("close", (code) => {
      clearTimeout(guard);
      resolve({ code, out });
    });
  });
  assert.equal(result.code, 5, result.out);
  assert.match(result.out, /30 100/, "the terminal size reached the container");
  assert.match(result.out, /\/dev\/pts\/\d+/, "the shell runs on a pty in the container");
});

test("a task in the environment sees the installed file, its env vars and /shared", async () => {
  mkdirSync(join(cluster.sharedDir, "shared_data"), { recursive: true });
  writeFileSync(join(cluster.sharedDir, "shared_data", "input.txt"), "shared input\n");
  const { code, task } = await runTask(["--container", ENV, "--env", "GREETING=hello env", "--", "sh", "-c", 'cat /marker; echo "$GREETING"; pwd; cat /shared/input.txt; echo "$HAKURIVER_TASK_ID"; exit 5']);
  assert.equal(task.status, "failed");
  assert.equal(code, 5);
  assert.equal(await stdoutOf(task.taskId), `hi from the shell\nhello env\n/shared\nshared input\n${task.taskId}\n`);
  await waitUntil(() => {
    try {
      docker("inspect", `hakuriver-task-${task.taskId}`);
      return false;
    } catch {
      return true;
    }
  }, 10_000, () => "the container is removed after the task");
  const native = await runTask(["--container", "NULL", "--", "sh", "-c", "test -e /marker && echo container || echo native"]);
  assert.equal(await stdoutOf(native.task.taskId), "native\n");
});

test("a memory hog over --memory 32M ends killed_oom", async () => {
  const { code, task } = await runTask(["--container", ENV, "--memory", "32M", "--", "sh", "-c", 'x=$(head -c 200000000 /dev/zero | tr "\\0" a); echo ${#x}']);
  assert.equal(task.status, "killed_oom", JSON.stringify(task));
  assert.equal(task.exitCode, 137);
  assert.notEqual(code, 0);
});

test("a newer tarball is loaded before the next tasks, once for concurrent ones", async () => {
  const shell = await runCli(["docker", "shell", ENV, "--", "sh", "-c", "echo v2 > /version"], cluster.cliEnv());
  assert.equal(shell.code, 0, shell.stderr);
  const tar = await cluster.cli(["docker", "create-tar", ENV]);
  assert.equal(tar.code, 0, tar.stderr);
  // Host and runner share this engine: give the runner an image older than the tarball, as a node that missed the update has.
  docker("tag", "hakuriver-test/busybox:latest", `hakuriver/${ENV}:base`);
  const before = loadsSoFar();
  const submitted = await cluster.cli(["task", "submit", "--json", "--target", RUNNER, "--target", RUNNER, "--target", RUNNER, "--container", ENV, "--cores", "0", "--", "cat", "/version"]);
  assert.equal(submitted.code, 0, submitted.stderr);
  const ids = submittedIds(submitted.stdout);
  assert.equal(ids.length, 3);
  await waitUntil(async () => {
    const { tasks } = await cluster.client.listTasks({ batchId: "", statuses: [], node: RUNNER, limit: 0 });
    return ids.every((id) => tasks.some((t) => t.taskId === id && t.exitCode !== undefined));
  }, 60_000, () => "the three tasks did not end");
  for (const id of ids) assert.equal(await stdoutOf(id), "v2\n");
  assert.equal(loadsSoFar() - before, 1, "exactly one load for three concurrent tasks");
  const keep = await cluster.cli(["docker", "list-tars", ENV, "--json"]);
  assert.equal((JSON.parse(keep.stdout) as { tarballs: unknown[] }[])[0]?.tarballs.length, 1, "create-tar keeps the newest only");
  // The image is current now: the next task loads nothing.
  await runTask(["--container", ENV, "--", "true"]);
  assert.equal(loadsSoFar() - before, 1);
});

test("delete-container and delete-tar", async () => {
  assert.equal((await cluster.cli(["docker", "delete-container", ENV])).code, 0);
  assert.doesNotMatch((await cluster.cli(["docker", "list-containers"])).stdout, new RegExp(ENV));
  const deleted = await cluster.cli(["docker", "delete-tar", ENV]);
  assert.equal(deleted.code, 0, deleted.stderr);
  assert.match(deleted.stdout, /Deleted /);
  const again = await cluster.cli(["docker", "delete-tar", ENV]);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /not found/);
});
