/**
 * End to end, shell completion as bash runs it: the script `hakuriver
 * completion` prints is sourced into a real bash, which calls the real CLI
 * (on PATH) at each TAB; task ids come from a real Host, and a Host that
 * never answers gives none, quickly and silently.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { createServer, type AddressInfo, type Socket } from "node:net";
import { once } from "node:events";
import { join } from "node:path";
import { CLI, TestCluster, submittedIds } from "../helpers/cluster.js";

const cluster = new TestCluster();
const bin = join(cluster.dir, "bin");
before(async () => {
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(bin, "hakuriver"), `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} "$@"\n`);
  chmodSync(join(bin, "hakuriver"), 0o755);
  await cluster.startHost();
  await cluster.startRunner("compnode");
});
after(() => cluster.cleanup());

/** What bash offers for `words` (the last one is being completed), and how long it took. */
function complete(words: string[], env: Record<string, string> = cluster.cliEnv()): Promise<{ replies: string[]; stderr: string; code: number | null; tookMs: number }> {
  const quoted = words.map((w) => `'${w}'`).join(" ");
  const script = `source <(hakuriver completion) && COMP_WORDS=(${quoted}) && COMP_CWORD=${words.length - 1} && _hakuriver_yargs_completions && printf '%s\\n' "\${COMPREPLY[@]}"`;
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn("bash", ["--norc", "--noprofile", "-c", script], { env: { ...process.env, ...env, PATH: `${bin}:${process.env.PATH}`, SHELL: "/bin/bash" } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.once("close", (code) => resolve({ replies: stdout.split("\n").filter((l) => l !== ""), stderr, code, tookMs: performance.now() - started }));
  });
}

test("hakuriver ta completes to task; task subcommands and options complete", async () => {
  const ta = await complete(["hakuriver", "ta"]);
  assert.deepEqual([ta.code, ta.replies, ta.stderr], [0, ["task"], ""]);
  const sub = await complete(["hakuriver", "task", "st"]);
  assert.deepEqual(sub.replies, ["status"]);
  const option = await complete(["hakuriver", "task", "submit", "--cor"]);
  assert.deepEqual(option.replies, ["--cores"]);
  assert.deepEqual((await complete(["hakuriver", "to"])).replies, ["token", "top"]);
});

test("task ids complete from the Host, filtered by what the command needs", async () => {
  // The shared test machine can be slower than the 300 ms default (the black-hole test below keeps it).
  const patient = cluster.cliEnv({ HAKURIVER_COMPLETION_TIMEOUT_MS: "10000" });
  const submit = await cluster.cli(["task", "submit", "--json", "--container", "NULL", "--", "sleep", "60"]);
  assert.equal(submit.code, 0, submit.stderr);
  const [id = ""] = submittedIds(submit.stdout);
  const kill = await complete(["hakuriver", "task", "kill", ""], patient);
  assert.ok(kill.replies.includes(id), `offered: ${kill.replies.join(" ")}; stderr: ${kill.stderr}`);
  const status = await complete(["hakuriver", "task", "status", id.slice(0, -2)], patient);
  assert.ok(status.replies.includes(id), `offered: ${status.replies.join(" ")}`);
  assert.ok(status.replies.every((r) => r.startsWith(id.slice(0, -2))));
  assert.ok((await complete(["hakuriver", "logs", ""], patient)).replies.includes(id));
  const resume = await complete(["hakuriver", "task", "resume", ""], patient);
  assert.ok(!resume.replies.includes(id), "a running task is not offered to resume");
  // Nothing ran: completing `task kill` must not kill.
  const { task } = await cluster.client.getTask({ taskId: id });
  assert.equal(task?.status, 3, "still running");
});

test("a Host that never answers gives no ids, no error, and no hang", async () => {
  const held: Socket[] = [];
  const server = createServer((socket) => held.push(socket));
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  try {
    const env = cluster.cliEnv({ HAKURIVER_HOST: `127.0.0.1:${(server.address() as AddressInfo).port}` });
    const baseline = await complete(["hakuriver", "ta"], env);
    const silent = await complete(["hakuriver", "task", "status", ""], env);
    assert.deepEqual([silent.code, silent.replies, silent.stderr], [0, [], ""]);
    // The 300 ms deadline plus slack for a loaded machine, over what a completion that asks nobody takes.
    assert.ok(silent.tookMs - baseline.tookMs < 1500, `took ${Math.round(silent.tookMs)} ms (a Host-free completion: ${Math.round(baseline.tookMs)} ms)`);
    const nobody = await complete(["hakuriver", "task", "status", ""], cluster.cliEnv({ HAKURIVER_HOST: "127.0.0.1:1" }));
    assert.deepEqual([nobody.code, nobody.replies, nobody.stderr], [0, [], ""]);
  } finally {
    for (const socket of held) socket.destroy();
    server.close();
  }
});
