/**
 * Browser-test helpers: Debian's Chromium driven by playwright-core (no
 * browser download), a page that records every console error and failed
 * request so a test can assert there were none, and screenshots kept under
 * the test output folder (test-output/screenshots, or $HAKURIVER_TEST_OUTPUT).
 */
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";

/** Where Debian's chromium package puts the browser. */
export const CHROMIUM = process.env.HAKURIVER_CHROMIUM ?? "/usr/bin/chromium";

/** The folder screenshots go to. */
export const SCREENSHOT_DIR = join(process.env.HAKURIVER_TEST_OUTPUT ?? fileURLToPath(new URL("../../../test-output", import.meta.url)), "screenshots");

const FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"];

/** Launches headless Chromium; throws a clear error when the package is missing. */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`no browser at ${CHROMIUM}: install Debian's chromium package (bash .ci/setup.sh does)`);
  return chromium.launch({ executablePath: CHROMIUM, args: FLAGS, headless: true });
}

/** A page and what went wrong on it. */
export interface WatchedPage {
  readonly page: Page;
  /** Console errors, uncaught exceptions and failed requests, in order. */
  readonly problems: string[];
}

/** Opens a page at 1280×800 that records console errors, page errors and failed requests. */
export async function openPage(browser: Browser, options: { readonly width?: number; readonly height?: number } = {}): Promise<WatchedPage> {
  const context = await browser.newContext({ viewport: { width: options.width ?? 1280, height: options.height ?? 800 } });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console: ${message.text()}`);
  });
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("requestfailed", (request) => {
    const failure = request.failure()?.errorText ?? "";
    // A stream the page itself cancels (leaving a view) is not a failure.
    if (!failure.includes("ERR_ABORTED")) problems.push(`request failed: ${request.url()} ${failure}`);
  });
  return { page, problems };
}

/** Signs in with `token` on the dashboard's login form at `url`, and waits for the live stream. */
export async function signIn(page: Page, url: string, token: string): Promise<void> {
  await page.goto(url);
  await page.getByLabel("Token").fill(token);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByTestId("connection").filter({ hasText: "live" }).waitFor();
}

/** Saves a full-page screenshot as `<name>.png` in {@link SCREENSHOT_DIR}; returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
