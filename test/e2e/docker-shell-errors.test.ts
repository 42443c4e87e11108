/**
 * End to end: `hakuriver docker shell` on an environment that does not exist
 * prints its error and exits non-zero at once, every time, whatever its
 * stdin is (a pipe that ends, a pipe that stays open, /dev/null). It used to
 * hang after the error in about one run of four.
 */
import { spawn } from "node:child_process";
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { CLI, TestCluster } from "../helpers/cluster.js";

const cluster = new TestCluster();
before(() => cluster.startHost());
after(() => cluster.cleanup());

/** How long one run may take; a hang is a run past this. */
const RUN_LIMIT_MS = 10_000;

type StdinKind = "ended pipe" | "open pipe" | "/dev/null";

interface Run {
  readonly code: number | null;
  readonly stderr: string;
  readonly ms: number;
  readonly hung: boolean;
}

function shellOnce(stdin: StdinKind): Promise<Run> {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, [CLI, "docker", "shell", "nosuchenv", "--", "true"], {
      env: { ...process.env, ...cluster.cliEnv() },
      stdio: [stdin === "/dev/null" ? "ignore" : "pipe", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
    child.stdout!.resume();
    if (stdin === "ended pipe") child.stdin!.end("some input\n");
    // "open pipe": a writer that never closes, like a parent process that forgot to.
    let hung = false;
    const timer = setTimeout(() => {
      hung = true;
      child.kill("SIGKILL");
    }, RUN_LIMIT_MS);
    child.once("close", (code) => {
      clearTimeout(timer);
      child.stdin?.destroy();
      resolve({ code, stderr, ms: Date.now() - started, hung });
    });
  });
}

for (const stdin of ["ended pipe", "open pipe", "/dev/null"] as const) {
  test(`docker shell nosuchenv exits non-zero at once, 30 times in a row (stdin: ${stdin})`, { timeout: 30 * RUN_LIMIT_MS }, async (t) => {
    const runs: Run[] = [];
    // Three at a time: quicker, and concurrency is what tends to shake out races.
    for (let i = 0; i < 10; i++) runs.push(...(await Promise.all([shellOnce(stdin), shellOnce(stdin), shellOnce(stdin)])));
    const hung = runs.filter((r) => r.hung);
    assert.equal(hung.length, 0, `${hung.length} of ${runs.length} runs hung after: ${hung[0]?.stderr}`);
    for (const run of runs) {
      assert.notEqual(run.code, 0);
      assert.match(run.stderr, /nosuchenv/);
    }
    t.diagnostic(`slowest run: ${Math.max(...runs.map((r) => r.ms))} ms`);
  });
}
