/**
 * The dashboard's Terminal button in Debian's Chromium against a real Host
 * and Runner on the real Docker engine: a running container task's page
 * opens a terminal (xterm over the exec WebSocket) that runs commands in
 * the task's container and shows the exit code; a VPS without sshd
 * (`--ssh none`) gets a root shell the same way; an ended task's button is
 * disabled.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import type { Browser, Page } from "playwright-core";
import { launchBrowser, openPage, signIn, type WatchedPage } from "../helpers/browser.js";
import { FAST_TIMING, TestCluster, waitUntil } from "../helpers/cluster.js";
import { docker, removeTestDockerState } from "../helpers/docker.js";

const suffix = `${process.pid}${Date.now().toString(36)}`;
const ENV = `dashterm${suffix}`;
const RUNNER = `dashterm${suffix}`;
let cluster: TestCluster;
let browser: Browser;
let watched: WatchedPage;
let page: Page;

before(async () => {
  docker("tag", "hakuriver-test/busybox:latest", `hakuriver/${ENV}:base`);
  cluster = new TestCluster({ ...FAST_TIMING, HAKURIVER_TIMING_HEARTBEAT_TIMEOUT_FACTOR: "50" });
  await cluster.startHost();
  await cluster.startRunner(RUNNER);
  browser = await launchBrowser();
  watched = await openPage(browser);
  page = watched.page;
  await signIn(page, `http://${cluster.address}/#/tasks`, cluster.adminToken);
});

after(async () => {
  await browser?.close();
  await cluster.cleanup();
  removeTestDockerState(RUNNER, ENV);
  for (const id of docker("ps", "-aq", "--filter", `label=hakuriver.env=${ENV}`).split("\n").filter(Boolean)) docker("rm", "-f", id);
});

async function submitted(words: string[], command: string[] = []): Promise<string> {
  const result = await cluster.cli([...words, "--json", "--cores", "0", "--target", RUNNER, "--container", ENV, ...(command.length > 0 ? ["--", ...command] : [])]);
  assert.equal(result.code, 0, result.stderr);
  const id = (JSON.parse(result.stdout) as { tasks: { taskId: string }[] }).tasks[0]!.taskId;
  await waitUntil(async () => (await cluster.client.getTask({ taskId: id })).task?.status === 3, 60_000, () => `task ${id} never ran`);
  return id;
}

/** The rendered rows of the xterm screen. */
async function rows(target: Page): Promise<string[]> {
  return target.locator(".xterm-rows > div").allTextContents();
}

/** Opens the page's terminal, types `line`, waits for a row that is exactly `want`, then exits with `code`. */
async function useTerminal(line: string, want: string, code: number): Promise<void> {
  await page.getByTestId("terminal-button").click();
  const terminal = page.getByTestId("terminal");
  await terminal.getByTestId("terminal-state").filter({ hasText: "connected" }).waitFor({ timeout: 20_000 });
  await terminal.locator(".xterm").click();
  await page.keyboard.type(`${line}\n`);
  let seen: string[] = [];
  await waitUntil(async () => (seen = await rows(page)).some((row) => row.trim() === want), 15_000, () => `${want} never appeared in the terminal:\n${seen.join("\n")}`);
  await page.keyboard.type(`exit ${code}\n`);
  await terminal.getByTestId("terminal-state").filter({ hasText: `exited with code ${code}` }).waitFor({ timeout: 15_000 });
  await terminal.getByRole("button", { name: "Close" }).click();
  await terminal.waitFor({ state: "detached" });
}

test("a running container task's Terminal runs commands in its container and shows the exit code", async () => {
  const id = await submitted(["task", "submit"], ["sleep", "600"]);
  await page.goto(`http://${cluster.address}/#/tasks/${id}`);
  // The shell's output is the task's id (from its environment) with a marker only the output has: the typed line has the quotes.
  await useTerminal(`echo in-$HAKURIVER_TASK_ID-'x'`, `in-${id}-x`, 3);
  assert.equal((await cluster.client.getTask({ taskId: id })).task?.status, 3, "the task runs on");
  assert.equal((await cluster.cli(["task", "kill", id])).code, 0);
  await waitUntil(async () => (await cluster.client.getTask({ taskId: id })).task?.status !== 3, 20_000);
  await page.getByTestId("task-status").filter({ hasText: "killed" }).waitFor({ timeout: 20_000 });
  assert.equal(await page.getByTestId("terminal-button").isDisabled(), true, "an ended task's Terminal is disabled");
  assert.deepEqual(watched.problems, []);
});

test("a VPS without sshd gets a root shell from its page's Terminal", async () => {
  const id = await submitted(["vps", "submit", "--ssh", "none"]);
  await page.goto(`http://${cluster.address}/#/vps/${id}`);
  await page.getByTestId("connect-command").filter({ hasText: `hakuriver vps connect ${id}` }).waitFor({ timeout: 20_000 });
  await useTerminal(`echo uid-$(id -u)-'x'`, "uid-0-x", 0);
  assert.deepEqual(watched.problems, []);
  assert.equal((await cluster.cli(["vps", "kill", id])).code, 0);
});
