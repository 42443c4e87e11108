/**
 * `hakuriver exec` and `vps connect` for real, against a runner behind NAT
 * (its own network namespace and Docker engine: nothing can dial it, so
 * every byte travels on the Exec stream the runner opens): piped and under
 * a pty (util-linux `script` as the user's terminal), resize seen by
 * `stty size`, the command's exit code, errors for tasks that do not run,
 * `vps submit --ssh none`, and no exec process left once the client is
 * killed.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { CLI, FAST_TIMING, TestCluster, waitUntil, type CliResult, type Proc } from "../helpers/cluster.js";
import { NatNode, natUnsupported, sh } from "../helpers/netns.js";

const IMAGE = "hakuriver-test/busybox:latest";
const ENV = "execbb";

/** Runs `line` in `sh` under `script` (a pty as the user's terminal), feeding `input` once `ready` shows in the output. */
function underPty(line: string, env: Record<string, string>, input?: { ready: RegExp; text: string }, timeoutMs = 60_000): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn("script", ["-q", "-e", "-c", line, "/dev/null"], { env: { ...process.env, ...env }, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let fed = false;
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
      if (input && !fed && input.ready.test(stdout)) {
        fed = true;
        child.stdin.write(input.text);
      }
    });
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

/** Pids of processes whose command line contains `marker`. */
function processesWith(marker: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync("/proc")) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").includes(marker)) found.push(pid);
    } catch {
      // gone
    }
  }
  return found;
}

describe("exec into tasks on a runner behind NAT", { timeout: 600_000 }, () => {
  let nat: NatNode;
  const cluster = new TestCluster({ ...FAST_TIMING, HAKURIVER_TLS_MODE: "off" });
  const cli = (args: string[], input?: string) => (input === undefined ? cluster.cli(args) : runWithInput(args, input));
  const cliLine = `node ${CLI}`;
  let containerTask = "";
  let runner: Proc | undefined;
  let nativeTask = "";

  function runWithInput(args: string[], input: string): Promise<CliResult> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...cluster.cliEnv() }, stdio: ["pipe", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
      child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
      child.stdin.end(input);
      child.once("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
    });
  }

  async function submitRunning(args: string[]): Promise<string> {
    const submitted = await cluster.cli(["task", "submit", "--json", "--cores", "0", "--target", "execnode", ...args]);
    assert.equal(submitted.code, 0, submitted.stderr);
    const id = (JSON.parse(submitted.stdout) as { tasks: { taskId: string }[] }).tasks[0]!.taskId;
    let last = "";
    await waitUntil(async () => {
      const task = (await cluster.client.getTask({ taskId: id })).task;
      last = `${task?.status} ${task?.message}`;
      return task?.status === 3;
    }, 60_000, () => `task ${id} never ran: ${last}`);
    return id;
  }

  before(async () => {
    const unsupported = await natUnsupported();
    assert.equal(unsupported, undefined, `cannot run the NAT test: ${unsupported}`);
    await sh("sh", ["-c", "command -v script"]).catch(() => assert.fail("script (util-linux) is not installed"));
    nat = await NatNode.create();
    await nat.startDocker();
    await nat.loadImage(IMAGE, `hakuriver/${ENV}:base`);
    cluster.hostIp = nat.hostIp;
    await cluster.startHost();
    runner = await cluster.startRunner("execnode", { wrapper: nat.wrapper, env: { DOCKER_HOST: nat.dockerHost, HAKURIVER_RUNNER_DOCKER_HOST: nat.dockerHost } });
    containerTask = await submitRunning(["--container", ENV, "--", "sleep", "600"]);
    nativeTask = await submitRunning(["--container", "NULL", "--memory", "256M", "--", "sleep", "600"]);
  });

  after(async () => {
    await cluster.cleanup();
    await nat?.destroy();
  });

  it("container task, piped: stdin in, stdout and stderr apart, exit code 3", async () => {
    const result = await cli(["exec", containerTask, "--", "sh", "-c", "cat; echo to-stderr >&2; echo $HAKURIVER_TASK_ID; pwd; exit 3"], "hello from stdin\n");
    assert.equal(result.code, 3, result.stderr);
    assert.equal(result.stdout, `hello from stdin\n${containerTask}\n/shared\n`);
    assert.equal(result.stderr, "to-stderr\n");
  });

  it("container task, under a pty: stty size shows the terminal's size, then the resized one; exit code 3", async () => {
    // The size is set on the user's pty before exec starts, then changed from outside while it runs.
    const line = `T=$(tty); stty rows 21 cols 73; (sleep 4; stty -F $T rows 42 cols 121) & ${cliLine} exec -it ${containerTask} -- sh -c 'sleep 2; stty size; [ -t 0 ] && echo is-a-tty; sleep 5; stty size; exit 3'`;
    const result = await underPty(line, cluster.cliEnv());
    assert.equal(result.code, 3, result.stdout + result.stderr);
    assert.match(result.stdout, /21 73\r*\n/);
    assert.match(result.stdout, /is-a-tty/);
    assert.match(result.stdout, /42 121\r*\n/);
  });

  it("Ctrl-C under -t reaches the command as SIGINT (exit 130)", async () => {
    const result = await underPty(`${cliLine} exec -it ${containerTask} -- sh -c 'echo ready; sleep 100'`, cluster.cliEnv(), { ready: /ready/, text: "\x03" });
    assert.equal(result.code, 130, result.stdout + result.stderr);
  });

  it("native task, piped: in the task's working directory, environment and cgroup; exit code 3", async () => {
    const result = await cli(["exec", nativeTask, "--", "sh", "-c", "pwd; echo $HAKURIVER_TASK_ID; cat /proc/self/cgroup; exit 3"]);
    assert.equal(result.code, 3, result.stderr);
    const [pwd, id, ...cgroups] = result.stdout.trim().split("\n");
    assert.equal(pwd, join(cluster.sharedDir, "shared_data"));
    assert.equal(id, nativeTask);
    assert.ok(cgroups.some((line) => line.includes(`hakuriver-task-${nativeTask}`)), `not in the task's cgroup:\n${result.stdout}`);
  });

  it("native task, under a pty: a terminal of the user's size, resize, exit code 3", async () => {
    const line = `T=$(tty); stty rows 19 cols 77; (sleep 4; stty -F $T rows 33 cols 99) & ${cliLine} exec -it ${nativeTask} -- sh -c 'stty size; [ -t 0 ] && echo is-a-tty; sleep 6; stty size; exit 3'`;
    const result = await underPty(line, cluster.cliEnv());
    assert.equal(result.code, 3, result.stdout + result.stderr);
    assert.match(result.stdout, /19 77\r*\n/);
    assert.match(result.stdout, /is-a-tty/);
    assert.match(result.stdout, /33 99\r*\n/);
  });

  it("a finished task, an unknown task and an empty command are refused with one clear line", async () => {
    const done = await cluster.cli(["task", "submit", "--json", "--cores", "0", "--target", "execnode", "--container", "NULL", "--", "true"]);
    assert.equal(done.code, 0, done.stderr);
    const doneId = (JSON.parse(done.stdout) as { tasks: { taskId: string }[] }).tasks[0]!.taskId;
    let last = "";
    await waitUntil(async () => {
      const t = (await cluster.client.getTask({ taskId: doneId })).task;
      last = `${t?.status} ${t?.message}`;
      return t?.status === 5;
    }, 30_000, () => `the short task never completed: ${last}`);
    const finished = await cli(["exec", doneId, "--", "true"]);
    assert.notEqual(finished.code, 0);
    assert.match(finished.stderr, new RegExp(`task ${doneId} is completed, not running`));
    assert.equal(finished.stderr.trim().split("\n").length, 1, finished.stderr);
    const unknown = await cli(["exec", "12345", "--", "true"]);
    assert.notEqual(unknown.code, 0);
    assert.match(unknown.stderr, /task 12345 not found/);
    const empty = await cli(["exec", containerTask]);
    assert.equal(empty.code, 2);
    assert.match(empty.stderr, /name the command after --/);
    const missing = await cli(["exec", containerTask, "--", "no-such-binary-here"]);
    assert.notEqual(missing.code, 0);
  });

  it("nothing is left running on the runner once the client is killed (container and native)", async () => {
    for (const [id, marker] of [[containerTask, "4242.5"], [nativeTask, "4343.5"]] as const) {
      const child = spawn(process.execPath, [CLI, "exec", id, "--", "sh", "-c", `sleep ${marker}; echo never`], { env: { ...process.env, ...cluster.cliEnv() }, stdio: ["pipe", "pipe", "pipe"] });
      await waitUntil(() => processesWith(`sleep ${marker}`).length > 0, 20_000, () => `exec of sleep ${marker} never started`);
      child.kill("SIGKILL");
      await waitUntil(() => processesWith(`sleep ${marker}`).length === 0, 20_000, () => `sleep ${marker} still runs after its client was killed: ${processesWith(`sleep ${marker}`)}`);
    }
    // Each task runs on (2 cores, so every task here reserves none).
    assert.equal((await cluster.client.getTask({ taskId: containerTask })).task?.status, 3);
    assert.equal((await cluster.client.getTask({ taskId: nativeTask })).task?.status, 3);
    const top = await nat.docker(["top", `hakuriver-task-${containerTask}`]);
    assert.doesNotMatch(top, /4242/);
  });

  it("vps submit --ssh none starts a VPS without sshd; vps connect opens a root shell in it", async () => {
    const submitted = await cluster.cli(["vps", "submit", "--ssh", "none", "--cores", "0", "--container", ENV, "--target", "execnode", "--json"]);
    assert.equal(submitted.code, 0, submitted.stderr + submitted.stdout);
    const vpsId = (JSON.parse(submitted.stdout) as { tasks: { taskId: string }[] }).tasks[0]!.taskId;
    let last = "";
    await waitUntil(async () => {
      const t = (await cluster.client.getTask({ taskId: vpsId })).task;
      last = `${t?.status} ${t?.message}`;
      return t?.status === 3;
    }, 60_000, () => `the VPS never ran: ${last}`);
    const task = (await cluster.client.getTask({ taskId: vpsId })).task!;
    assert.equal(task.sshPort, 0);
    const inspect = JSON.parse(await nat.docker(["inspect", `hakuriver-vps-${vpsId}`]))[0];
    assert.deepEqual(Object.keys(inspect.NetworkSettings.Ports ?? {}), [], "no port published");
    const list = await cluster.cli(["vps", "list"]);
    assert.match(list.stdout, new RegExp(`hakuriver vps connect ${vpsId}`));
    const shell = await underPty(`${cliLine} vps connect ${vpsId}`, cluster.cliEnv(), { ready: /# /, text: "echo hi-$(id -u); exit\n" });
    assert.equal(shell.code, 0, shell.stdout + shell.stderr);
    assert.match(shell.stdout, /hi-0/);
    const exitCode = await underPty(`${cliLine} vps connect ${vpsId}`, cluster.cliEnv(), { ready: /# /, text: "exit 5\n" });
    assert.equal(exitCode.code, 5, exitCode.stdout);
    // A key with --ssh none is a usage error; the Host refuses it too.
    const both = await cluster.cli(["vps", "submit", "--ssh", "none", "--public-key-string", "ssh-ed25519 AAAA x", "--container", ENV]);
    assert.equal(both.code, 2);
    const killed = await cluster.cli(["vps", "kill", vpsId]);
    assert.equal(killed.code, 0, killed.stderr);
    await waitUntil(async () => (await nat.docker(["ps", "-aq", "--filter", `name=hakuriver-vps-${vpsId}`])).trim() === "", 30_000, () => "the VPS container is still there");
    const gone = await cli(["exec", vpsId, "--", "true"]);
    assert.notEqual(gone.code, 0);
    assert.match(gone.stderr, new RegExp(`VPS ${vpsId} is killed, not running`));
  });

  it("a task whose node went offline is refused with a clear line (last: it stops the runner)", async () => {
    // An exec in flight when its runner dies ends with one line, not a hang or a stack trace.
    const live = spawn(process.execPath, [CLI, "exec", nativeTask, "--", "sh", "-c", "echo started; sleep 31.5"], { env: { ...process.env, ...cluster.cliEnv() }, stdio: ["pipe", "pipe", "pipe"] });
    let liveOut = "";
    let liveErr = "";
    live.stdout.on("data", (d: Buffer) => (liveOut += d.toString()));
    live.stderr.on("data", (d: Buffer) => (liveErr += d.toString()));
    const liveExit = new Promise<number | null>((resolve) => live.once("close", resolve));
    await waitUntil(() => liveOut.includes("started"), 20_000, () => "the exec never started");
    await cluster.kill(runner!);
    const liveCode = await liveExit;
    assert.notEqual(liveCode, 0);
    assert.match(liveErr, /execnode|runner|offline/, liveErr);
    assert.equal(liveErr.trim().split("\n").length, 1, liveErr);
    // A runner killed outright cleans up nothing: this test's own leftover goes here.
    for (const pid of processesWith("sleep 31.5")) process.kill(pid, "SIGKILL");
    const result = await cli(["exec", containerTask, "--", "true"]);
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, new RegExp(`node execnode, which is offline|task ${containerTask} is lost, not running`), result.stderr);
    assert.equal(result.stderr.trim().split("\n").length, 1, result.stderr);
  });
});
