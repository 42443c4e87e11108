/**
 * `logs --tail`, `--since`, `--timestamps` through the CLI as typed, over a
 * real Host and runner running real processes; and the Host's own log file
 * (`--log-file`), rotated by size.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CLI, FAST_TIMING, TestCluster, sleep, submittedIds, waitUntil } from "../helpers/cluster.js";

let cluster: TestCluster;

before(async () => {
  cluster = new TestCluster();
  await cluster.startHost();
  await cluster.startRunner("logs-node");
});

after(async () => {
  await cluster.cleanup();
});

/** Submits `script` to sh; with `wait`, returns once it ended. */
async function submit(script: string, wait: boolean): Promise<string> {
  const result = await cluster.cli(["task", "submit", "--json", ...(wait ? ["--wait"] : []), "--container", "NULL", "--", "sh", "-c", script]);
  assert.equal(result.code, 0, result.stderr);
  return submittedIds(result.stdout)[0]!;
}

/** Waits until the task's stored stdout contains `text`. */
async function waitForOutput(id: string, text: string): Promise<void> {
  await waitUntil(async () => (await cluster.cli(["logs", id])).stdout.includes(text), 20_000, () => `task ${id} never printed ${text}`);
}

const RFC3339_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

test("logs --tail 3 of a 100-line task prints the last 3 lines", async () => {
  const id = await submit("seq 1 100", true);
  const result = await cluster.cli(["logs", id, "--tail", "3"]);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, "98\n99\n100\n");
  assert.equal((await cluster.cli(["logs", id, "--tail", "0"])).stdout, "", "--tail 0: nothing of what is there");
  assert.equal((await cluster.cli(["logs", id, "-n", "200"])).stdout.split("\n").length - 1, 100);
});

test("logs --tail 2 --follow of a running task prints 2 lines, then the new ones, and exits with the task", async () => {
  // The task prints its last lines only once the follow has printed its first two (it waits for a file).
  const go = join(cluster.dir, "go-on");
  const id = await submit(`seq 1 5; while [ ! -e ${go} ]; do sleep 0.1; done; echo six; echo seven; exit 3`, false);
  await waitForOutput(id, "5\n");
  const follow = spawn(process.execPath, [CLI, "logs", id, "--tail", "2", "--follow"], { env: { ...process.env, ...cluster.cliEnv() }, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  follow.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  follow.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const code = new Promise<number | null>((resolve) => follow.once("close", resolve));
  try {
    await waitUntil(() => stdout.length > 0, 20_000, () => `the follow printed nothing: ${stderr}`);
    await sleep(200);
    assert.equal(stdout, "4\n5\n", "the last two lines, no more");
    writeFileSync(go, "");
    assert.equal(await code, 3, stderr);
    assert.equal(stdout, "4\n5\nsix\nseven\n");
  } finally {
    follow.kill();
  }
});

test("logs --since leaves out what arrived before then (RFC 3339 time and duration)", async () => {
  const id = await submit("echo old; sleep 3; echo new", false);
  await waitForOutput(id, "old\n");
  await sleep(300);
  const between = new Date().toISOString();
  await waitForOutput(id, "new\n");
  const since = await cluster.cli(["logs", id, "--since", between]);
  assert.equal(since.code, 0, since.stderr);
  assert.equal(since.stdout, "new\n");
  assert.equal((await cluster.cli(["logs", id, "--since", "1h"])).stdout, "old\nnew\n", "a duration back from now");
  const stamped = await cluster.cli(["logs", id, "--since", between, "--json", "--timestamps"]);
  const records = stamped.stdout.trim().split("\n").map((line) => JSON.parse(line) as Record<string, unknown>);
  assert.equal(records[0]!.data, "new\n");
  assert.match(String(records[0]!.receivedAt), RFC3339_MS, "--json records carry receivedAt with --timestamps");
  assert.ok(Date.parse(String(records[0]!.receivedAt)) >= Date.parse(between));
});

test("logs --timestamps prefixes every line with an RFC 3339 time it reached the Host", async () => {
  const before = Date.now();
  const id = await submit("echo first; sleep 1; echo second; echo third", true);
  const result = await cluster.cli(["logs", id, "--timestamps"]);
  assert.equal(result.code, 0, result.stderr);
  const lines = result.stdout.trimEnd().split("\n");
  assert.equal(lines.length, 3);
  const times = lines.map((line) => {
    const [time, text] = [line.slice(0, line.indexOf(" ")), line.slice(line.indexOf(" ") + 1)];
    assert.match(time, RFC3339_MS);
    return { at: Date.parse(time), text };
  });
  assert.deepEqual(times.map((t) => t.text), ["first", "second", "third"]);
  for (const { at } of times) assert.ok(at >= before - 1000 && at <= Date.now(), `${new Date(at).toISOString()} is when the task ran`);
  assert.ok(times[1]!.at - times[0]!.at >= 900, "the sleep shows between the first and second line");
});

test("bad --tail and --since: one line naming the option, non-zero exit", async () => {
  const id = await submit("echo x", true);
  for (const [args, name] of [
    [["--tail", "-1"], "--tail"],
    [["--tail", "three"], "--tail"],
    [["--since", "2x"], "--since"],
    [["--since", "-1h"], "--since"],
  ] as const) {
    const result = await cluster.cli(["logs", id, ...args]);
    assert.notEqual(result.code, 0, `${args.join(" ")} was accepted`);
    const lines = result.stderr.trim().split("\n");
    assert.equal(lines.length, 1, result.stderr);
    assert.ok(lines[0]!.includes(name), `${args.join(" ")}: ${lines[0]}`);
  }
});

test("a Host started with --log-file writes JSON lines there and rotates past logging.max_size", async () => {
  const logged = new TestCluster({ ...FAST_TIMING, HAKURIVER_LOGGING_MAX_SIZE: "600", HAKURIVER_LOGGING_MAX_FILES: "2" });
  try {
    const logDir = join(logged.dir, "logs");
    await logged.startHost(0, ["--log-file", join(logDir, "host.log"), "--log-level", "info"]);
    await logged.startRunner("rotating-node", { env: { HAKURIVER_LOG_LEVEL: "info" } });
    // Each assignment logs a line at info: enough of them roll the file over several times.
    for (let i = 0; i < 8; i++) {
      const result = await logged.cli(["task", "submit", "--wait", "--container", "NULL", "--", "true"]);
      assert.equal(result.code, 0, result.stderr);
    }
    const hostFiles = () => readdirSync(logDir).filter((name) => /^host\.\d+\.log$/.test(name));
    const numbers = () => hostFiles().map((name) => Number(name.split(".")[1]));
    await waitUntil(() => Math.max(...numbers()) >= 3, 10_000, () => `host log never rolled: ${readdirSync(logDir).join(", ")}`);
    await waitUntil(() => hostFiles().length <= 2, 10_000, () => `older host logs were not removed: ${hostFiles().join(", ")}`);
    const lines = hostFiles().flatMap((name) => readFileSync(join(logDir, name), "utf8").split("\n").filter(Boolean));
    assert.ok(lines.length > 0);
    for (const line of lines) {
      const record = JSON.parse(line) as { name?: string; level?: number };
      assert.equal(record.name, "host");
      assert.ok((record.level ?? 0) >= 30, "info and above at --log-level info");
    }
    assert.ok(lines.some((line) => line.includes("task assigned")));
    assert.ok(!existsSync(join(logDir, "host.log")), "the numbered files are the log (pino-roll's names)");
  } finally {
    await logged.cleanup();
  }
});

test("a bad --log-level stops the Host at start with one line naming it", async () => {
  const bad = new TestCluster();
  try {
    await assert.rejects(bad.startHost(0, ["--log-level", "loud"]), (error: Error) => {
      assert.match(error.message, /--log-level/);
      return true;
    });
  } finally {
    await bad.cleanup();
  }
});
