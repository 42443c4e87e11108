/**
 * End to end with real processes: a Host and two Runners on loopback, the
 * CLI as a user types it.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { TestCluster, sleep, submittedIds, waitUntil } from "../helpers/cluster.js";

let cluster: TestCluster;

before(async () => {
  cluster = new TestCluster();
  await cluster.startHost();
  await cluster.startRunner("alpha");
  await cluster.startRunner("beta");
});

after(async () => {
  await cluster.cleanup();
});

async function statusOf(id: string): Promise<{ status: string; exitCode?: number; message?: string; assignedNode?: string }> {
  const result = await cluster.cli(["task", "status", id, "--json"]);
  assert.equal(result.code, 0, result.stderr);
  const task = JSON.parse(result.stdout) as { status: string; exitCode?: number; message?: string; assignedNode?: string };
  return { ...task, status: task.status };
}

async function waitForStatus(id: string, status: string, timeoutMs = 15_000): Promise<void> {
  let last = "";
  await waitUntil(async () => (last = (await statusOf(id)).status) === status, timeoutMs, () => `task ${id} is ${last}, wanted ${status}`);
}

test("both runners are listed online", async () => {
  const result = await cluster.cli(["nodes"]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /alpha\s+online/);
  assert.match(result.stdout, /beta\s+online/);
  const health = await cluster.cli(["health"]);
  assert.match(health.stdout, /2 online of 2/);
});

test("task submit --wait exits with the task's exit code; logs prints its output", async () => {
  const ok = await cluster.cli(["task", "submit", "--wait", "--json", "--", "echo", "hello"]);
  assert.equal(ok.code, 0, ok.stderr);
  const [id] = submittedIds(ok.stdout);
  const logs = await cluster.cli(["logs", id!]);
  assert.equal(logs.stdout, "hello\n");
  const failing = await cluster.cli(["task", "submit", "--wait", "--", "sh", "-c", "echo oops >&2; exit 7"]);
  assert.equal(failing.code, 7, failing.stderr);
  assert.match(failing.stdout, /failed \(exit code 7\)/);
  const missing = await cluster.cli(["task", "submit", "--wait", "--", "no-such-command-xyz"]);
  assert.equal(missing.code, 127);
});

test("arguments are never interpolated by a shell; env vars reach the task", async () => {
  const result = await cluster.cli(["task", "submit", "--wait", "--json", "--env", "GREETING=hi there", "--", "sh", "-c", 'printf "%s|%s|%s" "$GREETING" "$1" "$HAKURIVER_TASK_ID"', "sh", "$(touch /tmp/pwned); `x`"]);
  assert.equal(result.code, 0, result.stderr);
  const [id] = submittedIds(result.stdout);
  const logs = await cluster.cli(["logs", id!]);
  assert.equal(logs.stdout, `hi there|$(touch /tmp/pwned); \`x\`|${id}`);
});

test("targets place tasks on the named node", async () => {
  for (const node of ["alpha", "beta"]) {
    const result = await cluster.cli(["task", "submit", "--wait", "--json", "--target", node, "--", "true"]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal((await statusOf(submittedIds(result.stdout)[0]!)).assignedNode, node);
  }
});

test("logs --follow shows each line as it is written, about a second apart", async () => {
  // The task waits for a go file (in its working dir, shared_data) after printing
  // "ready", so the follower is surely connected before the timed lines start.
  const { existsSync, writeFileSync } = await import("node:fs");
  const { join } = await import("node:path");
  const go = join(cluster.sharedDir, "shared_data", `go-${Date.now()}`);
  const script = `echo ready; while [ ! -e "$0" ]; do sleep 0.05; done; for i in 1 2 3; do echo $i; sleep 1; done`;
  const submit = await cluster.cli(["task", "submit", "--json", "--", "sh", "-c", script, go]);
  const [id] = submittedIds(submit.stdout);
  const { spawn } = await import("node:child_process");
  const { CLI } = await import("../helpers/cluster.js");
  const child = spawn(process.execPath, [CLI, "logs", "--follow", id!], { env: { ...process.env, ...cluster.cliEnv() } });
  const arrivals: { line: string; at: number }[] = [];
  let buffer = "";
  child.stdout.on("data", (d: Buffer) => {
    buffer += d.toString();
    let nl: number;
    while ((nl = buffer.indexOf("\n")) >= 0) {
      arrivals.push({ line: buffer.slice(0, nl), at: Date.now() });
      buffer = buffer.slice(nl + 1);
    }
  });
  const code = new Promise<number | null>((resolve) => child.once("close", resolve));
  await waitUntil(() => arrivals.length > 0, 15_000, () => "the follower never printed ready");
  assert.equal(existsSync(go), false);
  const started = Date.now();
  writeFileSync(go, "");
  assert.equal(await code, 0);
  assert.deepEqual(arrivals.map((a) => a.line), ["ready", "1", "2", "3"]);
  // Each line arrives live, about a second after the previous one, not in one batch at the end.
  assert.ok(arrivals[1]!.at - started < 800, `line 1 came ${arrivals[1]!.at - started} ms after go`);
  for (const i of [2, 3]) {
    const gap = arrivals[i]!.at - arrivals[i - 1]!.at;
    assert.ok(gap > 700 && gap < 1500, `line ${i} came ${gap} ms after line ${i - 1}`);
  }
});

test("logs --follow of a finished task prints everything and exits with its code", async () => {
  const submit = await cluster.cli(["task", "submit", "--wait", "--json", "--", "sh", "-c", "echo out; echo err >&2; exit 3"]);
  const [id] = submittedIds(submit.stdout);
  const out = await cluster.cli(["logs", "--follow", id!]);
  assert.equal(out.stdout, "out\n");
  assert.equal(out.code, 3);
  const err = await cluster.cli(["logs", "--stderr", id!]);
  assert.equal(err.stderr, "err\n");
});

test("kill a running task; pause and resume a task", async () => {
  const submit = await cluster.cli(["task", "submit", "--json", "--", "sh", "-c", "while true; do date +%s%N; sleep 0.1; done"]);
  const [id] = submittedIds(submit.stdout);
  await waitForStatus(id!, "running");
  const paused = await cluster.cli(["task", "pause", id!]);
  assert.equal(paused.code, 0, paused.stderr);
  assert.match(paused.stdout, /is paused/);
  const sizeAtPause = (await cluster.cli(["logs", id!])).stdout.length;
  await sleep(800);
  const sizeLater = (await cluster.cli(["logs", id!])).stdout.length;
  assert.ok(sizeLater - sizeAtPause <= 40, `a paused task wrote ${sizeLater - sizeAtPause} bytes`);
  const resumed = await cluster.cli(["task", "resume", id!]);
  assert.match(resumed.stdout, /is running/);
  await sleep(500);
  assert.ok((await cluster.cli(["logs", id!])).stdout.length > sizeLater, "output grows again after resume");
  const killed = await cluster.cli(["task", "kill", id!]);
  assert.equal(killed.code, 0, killed.stderr);
  assert.match(killed.stdout, /is killed/);
  assert.equal((await statusOf(id!)).status, "killed");
  const again = await cluster.cli(["task", "kill", id!]);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /already killed/);
});

test("bad input: clear messages, right codes, non-zero exits, no stack traces", async () => {
  const cases: { args: string[]; pattern: RegExp; code: number }[] = [
    { args: ["task", "status", "12345"], pattern: /not found.*task 12345 not found/, code: 1 },
    { args: ["task", "submit", "--memory", "12X", "--", "echo"], pattern: /--memory must be a size like 512M or 4G, got 12X/, code: 2 },
    { args: ["task", "submit", "--cores", "-1", "--", "echo"], pattern: /cores must be zero or more/, code: 2 },
    { args: ["task", "submit"], pattern: /empty command/, code: 2 },
    { args: ["task", "submit", "--target", "gamma", "--", "echo"], pattern: /unknown node "gamma"/, code: 1 },
    { args: ["logs", "999"], pattern: /task 999 not found/, code: 1 },
  ];
  for (const c of cases) {
    const result = await cluster.cli(c.args);
    assert.equal(result.code, c.code, `${c.args.join(" ")}: ${result.stderr}`);
    assert.match(result.stderr, c.pattern);
    assert.doesNotMatch(result.stderr, /\n\s+at /, "no stack trace");
  }
  const unreachable = await cluster.cli(["nodes"], { HAKURIVER_HOST: "127.0.0.1:1" });
  assert.equal(unreachable.code, 1);
  assert.match(unreachable.stderr, /cannot reach the Host at 127.0.0.1:1/);
});

test("SIGKILL a runner: its node goes offline, its running task is lost; the runner restarts and rejoins", async () => {
  const gamma = await cluster.startRunner("gamma");
  const submit = await cluster.cli(["task", "submit", "--json", "--target", "gamma", "--", "sleep", "30"]);
  const [id] = submittedIds(submit.stdout);
  await waitForStatus(id!, "running");
  await cluster.kill(gamma, "SIGKILL");
  await cluster.waitForNode("gamma", "offline", 5000);
  await waitForStatus(id!, "lost", 5000);
  assert.match((await statusOf(id!)).message ?? "", /went offline/);
  await cluster.startRunner("gamma");
  const again = await cluster.cli(["task", "submit", "--wait", "--target", "gamma", "--", "true"]);
  assert.equal(again.code, 0, again.stderr);
});

test("logs --follow survives a Host restart: it resumes at its offset with nothing lost or repeated", async () => {
  // A runner with its own storage: the Host only has what the runner ships, by offset.
  const { join } = await import("node:path");
  await cluster.startRunner("delta", { sharedDir: join(cluster.dir, "delta-shared") });
  const submit = await cluster.cli(["task", "submit", "--json", "--target", "delta", "--", "sh", "-c", "for i in $(seq 1 30); do echo line-$i; sleep 0.1; done"]);
  const [id] = submittedIds(submit.stdout);
  await waitForStatus(id!, "running");
  const { spawn } = await import("node:child_process");
  const { CLI } = await import("../helpers/cluster.js");
  const follower = spawn(process.execPath, [CLI, "logs", "--follow", id!], { env: { ...process.env, ...cluster.cliEnv() } });
  let out = "";
  let err = "";
  follower.stdout.on("data", (d: Buffer) => (out += d.toString()));
  follower.stderr.on("data", (d: Buffer) => (err += d.toString()));
  const closed = new Promise<number | null>((resolve) => follower.once("close", resolve));
  await waitUntil(() => out.includes("line-3\n"), 10_000, () => `follower printed ${JSON.stringify(out)}`);
  const port = cluster.port;
  await cluster.kill(cluster.host!, "SIGKILL");
  await sleep(500);
  await cluster.startHost(port);
  assert.equal(await closed, 0, err);
  const expected = Array.from({ length: 30 }, (_, i) => `line-${i + 1}\n`).join("");
  assert.equal(out, expected);
});

test("the Host restarts and both runners reconnect by themselves; state survives", async () => {
  const before = await cluster.cli(["task", "list", "--json"]);
  const countBefore = (JSON.parse(before.stdout) as unknown[]).length;
  const port = cluster.port;
  await cluster.kill(cluster.host!, "SIGTERM");
  await cluster.startHost(port);
  for (const node of ["alpha", "beta", "delta"]) await cluster.waitForNode(node, "online", 15_000);
  const after = await cluster.cli(["task", "list", "--json"]);
  assert.equal((JSON.parse(after.stdout) as unknown[]).length, countBefore);
  const result = await cluster.cli(["task", "submit", "--wait", "--target", "beta", "--", "echo", "back"]);
  assert.equal(result.code, 0, result.stderr);
});

test("init config writes a file that --config really applies", async () => {
  const { join } = await import("node:path");
  const { readFileSync, writeFileSync } = await import("node:fs");
  const path = join(cluster.dir, "config.toml");
  const init = await cluster.cli(["init", "config", "--path", path]);
  assert.equal(init.code, 0, init.stderr);
  const again = await cluster.cli(["init", "config", "--path", path]);
  assert.equal(again.code, 2, "refuses to overwrite without --force");
  const text = readFileSync(path, "utf8").replace("host_port = 8000", `host_port = ${cluster.port}`).replace(/^token = ""$/m, `token = "${cluster.adminToken}"`);
  assert.ok(text.includes(cluster.adminToken), "the written file has an auth.token line to fill in");
  writeFileSync(path, text);
  const { runCli } = await import("../helpers/cluster.js");
  const env = { HAKURIVER_HOST: "" };
  const viaConfig = await runCli(["--config", path, "nodes"], env);
  assert.equal(viaConfig.code, 0, viaConfig.stderr);
  assert.match(viaConfig.stdout, /alpha/);
  const viaEnv = await runCli(["--config", path, "nodes"], { ...env, HAKURIVER_NETWORK_HOST_PORT: "1" });
  assert.equal(viaEnv.code, 1, "the environment overrides the file");
  const missing = await runCli(["--config", join(cluster.dir, "nope.toml"), "nodes"], env);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /nope.toml does not exist/);
});

test("one port serves gRPC, gRPC-web and Connect", async () => {
  const { createClient } = await import("@connectrpc/connect");
  const { createConnectTransport, createGrpcTransport, createGrpcWebTransport } = await import("@connectrpc/connect-node");
  const { ClientService } = await import("../../gen/hakuriver/v1/client_pb.js");
  const { bearerToken } = await import("../../src/shared/transport.js");
  const baseUrl = `http://${cluster.address}`;
  const interceptors = [bearerToken(cluster.adminToken)];
  for (const transport of [
    createGrpcTransport({ baseUrl, interceptors }),
    createGrpcWebTransport({ baseUrl, httpVersion: "2", interceptors }),
    createConnectTransport({ baseUrl, httpVersion: "2", interceptors }),
  ]) {
    const client = createClient(ClientService, transport);
    const { nodes } = await client.listNodes({});
    assert.ok(nodes.some((n) => n.name === "alpha"));
    // Errors keep their code on every protocol.
    await assert.rejects(client.getTask({ taskId: "5" }), (e: Error & { code?: number }) => e.code === 5 && /task 5 not found/.test(e.message));
  }
});

test("init service writes systemd units that start this installation with the given config", async () => {
  const { join } = await import("node:path");
  const { readFileSync } = await import("node:fs");
  const { runCli, CLI } = await import("../helpers/cluster.js");
  const dir = join(cluster.dir, "units");
  const result = await runCli(["init", "service", "--output-dir", dir, "--config", join(cluster.dir, "my config.toml")]);
  assert.equal(result.code, 0, result.stderr);
  const host = readFileSync(join(dir, "hakuriver-host.service"), "utf8");
  const runner = readFileSync(join(dir, "hakuriver-runner.service"), "utf8");
  assert.match(host, new RegExp(`^ExecStart=${process.execPath} ${CLI} host --config "${join(cluster.dir, "my config.toml")}"$`, "m"));
  assert.match(runner, / runner --config /);
  assert.match(runner, /^KillMode=process$/m, "stopping the runner leaves its task containers running");
  for (const unit of [host, runner]) assert.match(unit, /^Restart=on-failure$/m);
  const again = await runCli(["init", "service", "runner", "--output-dir", dir]);
  assert.equal(again.code, 2, "refuses to overwrite without --force");
});
