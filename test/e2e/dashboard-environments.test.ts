/**
 * The dashboard's Environments and VPS pages in Debian's Chromium against a
 * real Host and Runner on the real Docker engine: an environment container
 * created from the page, a tarball packed with its progress bar, a browser
 * terminal (xterm over the shell WebSocket) that runs `echo hi` and shows
 * the exit code, and a VPS submitted from the page that reaches running,
 * shows its SSH port and login command, and is killed from its button.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import type { Browser, Page } from "playwright-core";
import { TaskStatus } from "../../gen/hakuriver/v1/types_pb.js";
import { launchBrowser, openPage, screenshot, signIn, type WatchedPage } from "../helpers/browser.js";
import { FAST_TIMING, TestCluster, waitUntil } from "../helpers/cluster.js";
import { docker, removeTestDockerState } from "../helpers/docker.js";

const suffix = `${process.pid}${Date.now().toString(36)}`;
/** Made from busybox on the page (create, terminal). */
const SHELL_ENV = `dashsh${suffix}`;
/** Made from the sshd image on the page, packed there, and used by the VPS. */
const VPS_ENV = `dashvps${suffix}`;
const RUNNER = `dashenv${suffix}`;
let cluster: TestCluster;
let browser: Browser;
let watched: WatchedPage;
let page: Page;

before(async () => {
  cluster = new TestCluster({ ...FAST_TIMING, HAKURIVER_TIMING_HEARTBEAT_TIMEOUT_FACTOR: "50" });
  await cluster.startHost();
  await cluster.startRunner(RUNNER);
  browser = await launchBrowser();
  watched = await openPage(browser);
  page = watched.page;
  await signIn(page, `http://${cluster.address}/#/environments`, cluster.adminToken);
});

after(async () => {
  await browser?.close();
  await cluster.cleanup();
  removeTestDockerState(RUNNER, SHELL_ENV);
  removeTestDockerState(RUNNER, VPS_ENV);
});

/** Chromium logs the 400 of a call the test made the Host refuse; that one line, and only it, is expected. */
function forgiveRefusal(): void {
  assert.equal(watched.problems.length, 1, watched.problems.join("\n"));
  assert.match(watched.problems[0]!, /status of 400/);
  watched.problems.length = 0;
}

async function createFromPage(name: string, image: string): Promise<void> {
  const form = page.getByTestId("create-container");
  await form.locator("input[name=name]").fill(name);
  await form.locator("input[name=image]").fill(image);
  await form.getByRole("button", { name: "Create container" }).click();
  await page.getByTestId(`container-${name}`).filter({ hasText: "running" }).waitFor({ timeout: 60_000 });
}

test("an environment container is created from the page; a bad name shows the Host's error under the field", async () => {
  await page.goto(`http://${cluster.address}/#/environments`);
  const form = page.getByTestId("create-container");
  await form.locator("input[name=name]").fill("Bad Name!");
  await form.locator("input[name=image]").fill("hakuriver-test/busybox:latest");
  await form.getByRole("button", { name: "Create container" }).click();
  await form.getByRole("alert").filter({ hasText: "not a valid environment name" }).waitFor();
  forgiveRefusal();
  await createFromPage(SHELL_ENV, "hakuriver-test/busybox:latest");
  const { containers } = await cluster.client.listContainers({});
  assert.equal(containers.find((c) => c.name === SHELL_ENV)?.state, "running");
  assert.deepEqual(watched.problems, []);
});

test("a tarball packed from the page shows its progress and lands in the list", async () => {
  await createFromPage(VPS_ENV, "hakuriver-test/debian-sshd:latest");
  // Every value the bar shows, recorded in the page as it changes.
  // A string: this file is compiled without the DOM's types.
  await page.evaluate(`(() => {
    const seen = [];
    window.seenPercents = seen;
    new MutationObserver(() => {
      for (const bar of document.querySelectorAll("[role=progressbar]")) {
        const value = bar.getAttribute("aria-valuenow") ?? "";
        if (seen[seen.length - 1] !== value) seen.push(value);
      }
    }).observe(document.body, { subtree: true, childList: true, attributes: true });
  })()`);
  await page.getByTestId(`container-${VPS_ENV}`).getByRole("button", { name: "Pack tarball" }).click();
  const pack = page.getByTestId(`pack-${VPS_ENV}`);
  await pack.waitFor();
  await pack.getByTestId("pack-percent").filter({ hasText: "100%" }).waitFor({ timeout: 120_000 });
  const seen = (await page.evaluate("window.seenPercents")) as string[];
  assert.ok(seen.some((value) => Number(value) > 0 && Number(value) < 100), `the bar showed progress before 100%: ${seen.join(", ")}`);
  assert.match((await pack.getByTestId("pack-phases").textContent()) ?? "", /commit → save → prune/);
  const { environments } = await cluster.client.listTarballs({ name: VPS_ENV });
  const file = environments[0]?.tarballs[0]?.file ?? "";
  assert.match(file, new RegExp(`^${VPS_ENV}-\\d+\\.tar$`));
  await page.getByTestId("tarballs").getByTestId(`tarball-${file}`).waitFor();
  console.log(`screenshot: ${await screenshot(page, "environments-progress")}`);
  assert.deepEqual(watched.problems, []);
});

test("a browser terminal runs echo hi in the container, then exit shows the exit code", async () => {
  await page.getByTestId(`container-${SHELL_ENV}`).getByRole("button", { name: "Shell" }).click();
  const terminal = page.getByTestId("terminal");
  await terminal.getByTestId("terminal-state").filter({ hasText: "connected" }).waitFor({ timeout: 20_000 });
  await terminal.locator(".xterm").click();
  await page.keyboard.type("echo h''i; stty size\n");
  // The typed line shows "h''i"; only the command's output is a line that is exactly "hi".
  await waitUntil(async () => (await rows(page)).some((row) => row.trim() === "hi"), 15_000, () => "hi never appeared in the terminal");
  const size = (await rows(page)).find((row) => /^\d+ \d+$/.test(row.trim()));
  assert.ok(size, "stty size printed the terminal's size");
  const [rowCount, colCount] = size.trim().split(" ").map(Number);
  assert.ok(rowCount! > 5 && colCount! > 40, `the container's tty has the terminal's size, got ${size}`);
  console.log(`screenshot: ${await screenshot(page, "environments-terminal")}`);
  await page.keyboard.type("exit 3\n");
  await terminal.getByTestId("terminal-state").filter({ hasText: "exited with code 3" }).waitFor({ timeout: 15_000 });
  await terminal.getByRole("button", { name: "Close" }).click();
  await terminal.waitFor({ state: "detached" });
  assert.deepEqual(watched.problems, []);
});

/** The rendered rows of the xterm screen. */
async function rows(target: Page): Promise<string[]> {
  return target.locator(".xterm-rows > div").allTextContents();
}

test("a VPS submitted from the page reaches running, shows its SSH port and login; Kill ends it", async () => {
  const keyFile = join(cluster.dir, "dash-key");
  execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", keyFile]);
  const publicKey = readFileSync(`${keyFile}.pub`, "utf8").trim();
  await page.goto(`http://${cluster.address}/#/vps`);
  const form = page.getByTestId("vps-form");
  await form.locator("select[name=container]").selectOption(VPS_ENV);
  await form.locator("textarea[name=publicKey]").fill("not a key");
  await form.getByRole("button", { name: "Start VPS" }).click();
  await form.getByTestId("error-publicKey").filter({ hasText: "OpenSSH public key" }).waitFor();
  forgiveRefusal();
  await form.locator("textarea[name=publicKey]").fill(publicKey);
  await form.locator("input[name=cores]").fill("0");
  await form.locator("select[name=node]").selectOption(RUNNER);
  await form.getByRole("button", { name: "Start VPS" }).click();
  await page.waitForURL(/#\/vps\/\d+$/);
  const id = decodeURIComponent(new URL(page.url()).hash.split("/")[2] ?? "");
  await page.getByTestId("vps-status").filter({ hasText: "running" }).waitFor({ timeout: 120_000 });
  const task = (await cluster.client.getTask({ taskId: id })).task!;
  assert.equal(task.status, TaskStatus.RUNNING);
  assert.ok(task.sshPort > 0);
  await page.getByTestId("vps-ssh-port").filter({ hasText: String(task.sshPort) }).waitFor();
  assert.equal(await page.getByTestId("vps-node").textContent(), RUNNER);
  assert.equal(await page.getByTestId("ssh-command").textContent(), `hakuriver ssh ${id}`);
  await page.getByTestId("ssh-jump-command").filter({ hasText: `ssh -J jump@${cluster.hostIp}:${cluster.sshJumpPort} root@vps-${id}` }).waitFor();
  assert.ok(task.sshHostKeys.length > 0, "the runner reported the VPS's host keys");
  await page.getByTestId("ssh-known-hosts").filter({ hasText: `hakuriver-${id} ${task.sshHostKeys[0]}` }).waitFor();
  const block = (await page.getByTestId("ssh-config-block").textContent()) ?? "";
  assert.match(block, new RegExp(`^# BEGIN hakuriver vps-${id} .*\\nHost hakuriver-${id}\\n  HostName hakuriver-${id}\\n  User root\\n  ProxyCommand hakuriver ssh-proxy ${id} --host ${cluster.address.replace(/\./g, "\\.")} --proxy-port ${cluster.sshProxyPort}\\n`));
  assert.equal(await page.getByTestId("ssh-config-command").textContent(), `hakuriver ssh-config ${id} --install`);
  assert.match(block, /\n  HostKeyAlias hakuriver-\d+\n  UserKnownHostsFile ~\/\.hakuriver\/known_hosts\n  StrictHostKeyChecking yes\n/, "the dashboard's block checks host keys");
  assert.doesNotMatch(block, /StrictHostKeyChecking no/);
  assert.equal(await page.getByRole("button", { name: "Resume" }).isDisabled(), true, "Resume is off while running");
  console.log(`screenshot: ${await screenshot(page, "vps-detail")}`);
  await page.goto(`http://${cluster.address}/#/vps`);
  await page.getByTestId(`vps-${id}`).filter({ hasText: "running" }).filter({ hasText: String(task.sshPort) }).waitFor();
  console.log(`screenshot: ${await screenshot(page, "vps-list")}`);
  await page.getByTestId(`vps-${id}`).getByRole("link", { name: id }).click();
  await page.getByRole("button", { name: "Kill" }).click();
  await page.getByTestId("vps-status").filter({ hasText: "killed" }).waitFor({ timeout: 60_000 });
  assert.equal(await page.getByRole("button", { name: "Kill" }).isDisabled(), true, "Kill is off once it ended");
  assert.equal((await cluster.client.getTask({ taskId: id })).task?.status, TaskStatus.KILLED);
  await waitUntil(() => {
    try {
      docker("inspect", `hakuriver-vps-${id}`);
      return false;
    } catch {
      return true;
    }
  }, 30_000, () => "the VPS container is removed after the kill");
  const narrow = await openPage(browser, { width: 420, height: 800 });
  await signIn(narrow.page, `http://${cluster.address}/#/vps/${id}`, cluster.adminToken);
  await narrow.page.getByTestId("vps-status").filter({ hasText: "killed" }).waitFor();
  console.log(`screenshot: ${await screenshot(narrow.page, "vps-detail-narrow")}`);
  assert.deepEqual(narrow.problems, []);
  assert.deepEqual(watched.problems, []);
});
