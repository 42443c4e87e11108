/**
 * The dashboard's Overview, Nodes and Tasks pages in Debian's Chromium
 * against a real Host and Runner: the overview shows the runner; a task
 * submitted from the form completes and its live log shows lines while it
 * runs; kill, pause and resume from the buttons; drain and undrain from the
 * Nodes page; Host errors (bad memory size, a GPU count no node holds) at their
 * fields; the list updates live when the CLI submits; a task's name and
 * labels; the sweep preview; a narrow window.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import type { Browser, Page } from "playwright-core";
import { TaskStatus } from "../../gen/hakuriver/v1/types_pb.js";
import { launchBrowser, openPage, screenshot, signIn, type WatchedPage } from "../helpers/browser.js";
import { FAST_TIMING, TestCluster, waitUntil } from "../helpers/cluster.js";

const RUNNER = `dashtasks${process.pid}`;
let cluster: TestCluster;
let browser: Browser;
let watched: WatchedPage;
let page: Page;
let base: string;

before(async () => {
  cluster = new TestCluster({ ...FAST_TIMING, HAKURIVER_TIMING_HEARTBEAT_TIMEOUT_FACTOR: "50" });
  await cluster.startHost();
  await cluster.startRunner(RUNNER);
  base = `http://${cluster.address}/`;
  browser = await launchBrowser();
  watched = await openPage(browser);
  page = watched.page;
  await signIn(page, base, cluster.adminToken);
});

after(async () => {
  await browser?.close();
  await cluster.cleanup();
});

/** Chromium logs the 400 of a call the test made the Host refuse; that one line, and only it, is expected. */
function forgiveRefusal(): void {
  assert.equal(watched.problems.length, 1, watched.problems.join("\n"));
  assert.match(watched.problems[0]!, /status of 400/);
  watched.problems.length = 0;
}

async function submitFromForm(commandLine: string, fill: (form: ReturnType<Page["getByTestId"]>) => Promise<void> = async () => {}): Promise<void> {
  await page.goto(`${base}#/tasks`);
  await page.getByRole("button", { name: "New task" }).click();
  const form = page.getByTestId("task-form");
  await form.locator("input[name=command]").fill(commandLine);
  await form.locator("select[name=container]").selectOption("NULL");
  await fill(form);
  await form.getByRole("button", { name: "Submit" }).click();
}

/** The id in the address of the task detail the page went to. */
async function detailId(): Promise<string> {
  await page.waitForURL(/#\/tasks\/\d+$/);
  return /#\/tasks\/(\d+)$/.exec(page.url())![1]!;
}

async function statusIs(taskId: string, status: TaskStatus): Promise<void> {
  await waitUntil(async () => (await cluster.client.getTask({ taskId })).task?.status === status, 15_000, () => `task ${taskId} never became ${TaskStatus[status]}`);
}

test("the overview shows the runner online, with its cores", async () => {
  await page.goto(base);
  await page.getByTestId("nodes-online").filter({ hasText: "1 / 1" }).waitFor();
  await page.getByTestId("overview-nodes").getByText(RUNNER).waitFor();
  await screenshot(page, "overview");
  assert.deepEqual(watched.problems, []);
});

test("a task submitted from the form completes, and its log shows lines while it still runs", async () => {
  await submitFromForm(`sh -c 'for i in 1 2 3 4 5 6 7 8; do echo line-$i; sleep 0.3; done'`);
  const taskId = await detailId();
  await page.getByTestId("log-stdout").filter({ hasText: "line-2" }).waitFor();
  // Seen while running: the Host has not finished it yet.
  const { task } = await cluster.client.getTask({ taskId });
  assert.notEqual(task?.status, TaskStatus.COMPLETED, "the line should show while the task runs");
  await page.getByTestId("task-status").filter({ hasText: "completed" }).waitFor({ timeout: 15_000 });
  await page.getByTestId("log-stdout").filter({ hasText: "line-8" }).waitFor();
  await page.getByTestId("task-exit-code").filter({ hasText: "0" }).waitFor();
  await screenshot(page, "task-detail");
  assert.deepEqual(watched.problems, []);
});

test("kill, pause and resume from the buttons", async () => {
  await submitFromForm("sleep 60");
  const taskId = await detailId();
  await page.getByTestId("task-status").filter({ hasText: "running" }).waitFor({ timeout: 15_000 });
  const actions = page.getByTestId("task-actions");
  await actions.getByRole("button", { name: "Pause" }).click();
  await page.getByTestId("task-status").filter({ hasText: "paused" }).waitFor({ timeout: 15_000 });
  await statusIs(taskId, TaskStatus.PAUSED);
  await actions.getByRole("button", { name: "Resume" }).click();
  await page.getByTestId("task-status").filter({ hasText: "running" }).waitFor({ timeout: 15_000 });
  await statusIs(taskId, TaskStatus.RUNNING);
  await actions.getByRole("button", { name: "Kill" }).click();
  await page.getByTestId("task-status").filter({ hasText: "killed" }).waitFor({ timeout: 15_000 });
  await statusIs(taskId, TaskStatus.KILLED);
  assert.deepEqual(watched.problems, []);
});

test("a bad memory size shows the Host's error at the memory field, and nothing is submitted", async () => {
  const before = (await cluster.client.listTasks({})).tasks.length;
  await submitFromForm("echo never", async (form) => {
    await form.locator("input[name=memory]").fill("12XB");
  });
  const error = page.getByTestId("error-memory");
  await error.waitFor();
  assert.match(await error.innerText(), /12XB/);
  forgiveRefusal();
  assert.equal((await cluster.client.listTasks({})).tasks.length, before);
  // The sweep preview lists the combinations before anything is sent.
  const form = page.getByTestId("task-form");
  await form.locator("input[name=command]").fill("echo span:{1..3} span:[a,b]");
  await form.locator("input[name=sweep]").check();
  await page.getByTestId("sweep-preview").filter({ hasText: "6 tasks" }).waitFor();
  await page.getByTestId("sweep-preview").getByText("echo 3 b").waitFor();
  await screenshot(page, "task-form-error");
  assert.deepEqual(watched.problems, []);
});

test("a GPU count no node can hold shows the Host's error at the GPU count field, and nothing is submitted", async () => {
  const before = (await cluster.client.listTasks({})).tasks.length;
  await page.goto(base); // leave the form the test before left open
  await submitFromForm("echo never", async (form) => {
    await form.locator("input[name=gpu-count]").fill("2");
  });
  const error = page.getByTestId("error-gpuCount");
  await error.waitFor();
  assert.match(await error.innerText(), new RegExp(`and 2 GPUs: node ${RUNNER} has no GPUs, the task asks for 2`));
  forgiveRefusal();
  assert.equal((await cluster.client.listTasks({})).tasks.length, before);
  assert.deepEqual(watched.problems, []);
});

test("the list updates live when the CLI submits, and filters by status", async () => {
  await page.goto(`${base}#/tasks`);
  const result = await cluster.cli(["task", "submit", "--container", "NULL", "--", "echo", "from-the-cli"]);
  assert.equal(result.code, 0, result.stderr);
  const row = page.getByTestId("task-list").locator(".task-row", { hasText: "from-the-cli" });
  await row.waitFor();
  await row.filter({ hasText: "completed" }).waitFor({ timeout: 15_000 });
  await page.locator("select[name=status]").selectOption("killed");
  await page.getByTestId("task-list").locator(".task-row", { hasText: "sleep 60" }).waitFor();
  assert.equal(await page.getByTestId("task-list").locator(".task-row", { hasText: "from-the-cli" }).count(), 0);
  await screenshot(page, "tasks");
  assert.deepEqual(watched.problems, []);
});

test("a task's name shows in the list and on its page with its labels; the search finds it by name", async () => {
  const result = await cluster.cli(["task", "submit", "--json", "--container", "NULL", "--name", "named-in-cli", "--label", "team=vision", "--", "echo", "named"]);
  assert.equal(result.code, 0, result.stderr);
  const taskId = (JSON.parse(result.stdout) as { tasks: { taskId: string }[] }).tasks[0]!.taskId;
  await page.goto(`${base}#/tasks`);
  const row = page.getByTestId("task-list").locator(`.task-row[data-task-id="${taskId}"]`);
  await row.locator(".c-name", { hasText: "named-in-cli" }).waitFor();
  await page.locator("input[name=search]").fill("NAMED-IN");
  await page.locator("input[name=search]").press("Enter");
  await page.getByTestId("tasks-shown").filter({ hasText: /^1 shown$/ }).waitFor();
  await row.click();
  await page.getByTestId("task-name").filter({ hasText: "named-in-cli" }).waitFor();
  assert.equal(await page.getByTestId("task-labels").textContent(), "team=vision");
  assert.deepEqual(watched.problems, []);
});

test("drain and undrain a node from the Nodes page", async () => {
  await page.goto(`${base}#/nodes`);
  const card = page.getByTestId(`node-${RUNNER}`);
  await card.getByRole("button", { name: "Drain" }).click();
  await card.locator(".node-drained").waitFor();
  await waitUntil(async () => (await cluster.client.listNodes({})).nodes.find((n) => n.name === RUNNER)?.drained === true, 5000, () => "the Host never saw the drain");
  await screenshot(page, "nodes-drained");
  await card.getByRole("button", { name: "Undrain" }).click();
  await card.locator(".node-drained").waitFor({ state: "detached" });
  assert.equal((await cluster.client.listNodes({})).nodes.find((n) => n.name === RUNNER)?.drained, false);
  assert.deepEqual(watched.problems, []);
});

test("a narrow window still shows the task list", async () => {
  const narrow = await openPage(browser, { width: 420, height: 800 });
  await signIn(narrow.page, `${base}#/tasks`, cluster.adminToken);
  await narrow.page.getByTestId("task-list").locator(".task-row", { hasText: "from-the-cli" }).waitFor();
  await screenshot(narrow.page, "tasks-narrow");
  await narrow.page.context().close();
  assert.deepEqual(narrow.problems, []);
});
