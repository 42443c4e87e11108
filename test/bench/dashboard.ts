/**
 * Benchmark: the dashboard in Debian's Chromium against a real Host and
 * Runner on loopback, each figure beside its baseline measured in the same run.
 * - assets: bytes on the wire (brotli, as Chromium asks) of index.html and every asset;
 * - first load: navigation → login form interactive, and sign-in → live
 *   (baseline: a plain fetch of index.html over HTTP/1.1);
 * - change latency: a task's completion visible in the page after the Host
 *   recorded it (its completed_at), and a log line visible after the task
 *   wrote it (baseline: a Node Watch / FollowLogs client of the same events);
 * - 10,000 tasks: snapshot → live, Tasks page first render, and frame times
 *   while scrolling (baseline: the same snapshot received by a Node client).
 * Run: npm run bench -- dashboard (or node dist/test/bench/dashboard.js).
 */
import { request } from "node:http";
import { TaskStatus } from "../../gen/hakuriver/v1/types_pb.js";
import { launchBrowser, openPage, signIn } from "../helpers/browser.js";
import { TestCluster } from "../helpers/cluster.js";

function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

const ms = (value: number) => `${value.toFixed(0)} ms`;

/** Bytes the Host sends for `path` when asked for brotli. */
function wireBytes(address: string, path: string): Promise<{ bytes: number; body: string }> {
  const [host, port] = address.split(":");
  return new Promise((resolve, reject) => {
    const req = request({ host, port: Number(port), path, headers: { "accept-encoding": "br, gzip" } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve({ bytes: Buffer.concat(chunks).length, body: Buffer.concat(chunks).toString("latin1") }));
    });
    req.on("error", reject);
    req.end();
  });
}

async function benchDashboard(): Promise<void> {
  const cluster = new TestCluster({ HAKURIVER_LOG_LEVEL: "warn" });
  const browser = await launchBrowser();
  try {
    await cluster.startHost();
    await cluster.startRunner("bench");
    const base = `http://${cluster.address}/`;
    const { client } = cluster;

    // Assets on the wire.
    const plainIndex = await fetch(base).then((r) => r.text());
    const assets = [...plainIndex.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]!);
    let total = (await wireBytes(cluster.address, "/")).bytes;
    for (const asset of assets) total += (await wireBytes(cluster.address, asset)).bytes;
    console.log(`dashboard assets on the wire (brotli): ${(total / 1024).toFixed(1)} KB in ${assets.length + 1} files (limit 400 KB)`);

    // First load.
    const fetchTimes: number[] = [];
    const loadTimes: number[] = [];
    const liveTimes: number[] = [];
    for (let i = 0; i < 5; i++) {
      let start = performance.now();
      await fetch(base).then((r) => r.text());
      fetchTimes.push(performance.now() - start);
      const { page } = await openPage(browser);
      start = performance.now();
      await page.goto(base);
      await page.getByLabel("Token").waitFor();
      loadTimes.push(performance.now() - start);
      start = performance.now();
      await page.getByLabel("Token").fill(cluster.adminToken);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.getByTestId("connection").filter({ hasText: "live" }).waitFor();
      liveTimes.push(performance.now() - start);
      await page.context().close();
    }
    console.log(`first load → login form interactive: median ${ms(quantile(loadTimes, 0.5))}, max ${ms(Math.max(...loadTimes))} (baseline: fetch of index.html ${ms(quantile(fetchTimes, 0.5))}); sign-in → live: median ${ms(quantile(liveTimes, 0.5))}`);

    // Change latency: completion, page vs a Node watcher.
    const { page } = await openPage(browser);
    await signIn(page, `${base}#/tasks`, cluster.adminToken);
    const pageDelays: number[] = [];
    const nodeDelays: number[] = [];
    for (let i = 0; i < 10; i++) {
      const { tasks } = await client.submitTask({ command: "sleep", args: ["0.3"], container: "NULL" });
      const taskId = tasks[0]!.taskId;
      // Strings: this file is compiled without the DOM's types.
      const seenInPage = page.evaluate<number>(`new Promise((resolve) => {
        const check = () => {
          const row = document.querySelector('[data-task-id="${taskId}"]');
          if (row && row.textContent.includes("completed")) { observer.disconnect(); resolve(Date.now()); }
        };
        const observer = new MutationObserver(check);
        observer.observe(document.body, { subtree: true, childList: true, characterData: true });
        check();
      })`);
      const watch = new AbortController();
      let seenByNode = 0;
      const watching = (async () => {
        try {
          for await (const message of client.watch({ tasks: true, nodes: false, taskFilter: { batchId: taskId } }, { signal: watch.signal })) {
            if (message.tasks.some((t) => t.status === TaskStatus.COMPLETED)) {
              seenByNode = Date.now();
              watch.abort();
            }
          }
        } catch {
          // Aborted on purpose once seen.
        }
      })();
      const seen = await seenInPage;
      await watching;
      const { task } = await client.getTask({ taskId });
      const completedAt = Number(task!.completedAt!.seconds) * 1000 + task!.completedAt!.nanos / 1e6;
      pageDelays.push(seen - completedAt);
      nodeDelays.push(seenByNode - completedAt);
    }
    console.log(`task completion visible in the page after the Host recorded it: median ${ms(quantile(pageDelays, 0.5))}, max ${ms(Math.max(...pageDelays))} (limit 250 ms; baseline Node Watch client: median ${ms(quantile(nodeDelays, 0.5))}, max ${ms(Math.max(...nodeDelays))})`);

    // Log line latency: written by the task → visible in the page.
    const { tasks: logTasks } = await client.submitTask({ command: "sh", args: ["-c", "sleep 1; for i in $(seq 1 20); do date +%s%3N; sleep 0.1; done"], container: "NULL" });
    const logId = logTasks[0]!.taskId;
    await page.goto(`${base}#/tasks/${logId}`);
    const lineDelays = await page.evaluate<number[]>(`new Promise((resolve) => {
      const delays = [];
      let seen = 0;
      const tick = () => {
        const pre = document.querySelector('[data-testid="log-stdout"]');
        const lines = ((pre && pre.textContent) || "").split("\\n").filter((line) => /^\\d{13}$/.test(line));
        const now = Date.now();
        for (const line of lines.slice(seen)) delays.push(now - Number(line));
        seen = lines.length;
        if (seen >= 20) resolve(delays); else requestAnimationFrame(tick);
      };
      tick();
    })`);
    console.log(`log line visible in the page after the task wrote it: median ${ms(quantile(lineDelays, 0.5))}, max ${ms(Math.max(...lineDelays))} (${lineDelays.length} lines; includes the runner's shipping)`);
    await page.context().close();

    // 10,000 tasks in the store.
    await client.drainNode({ node: "bench" });
    await client.submitTask({ command: "echo", args: ["span:{1..10000}"], container: "NULL", sweep: true });
    let start = performance.now();
    let snapshotTasks = 0;
    for await (const message of client.watch({ tasks: true, nodes: true, taskFilter: { limit: 20_000 } })) {
      snapshotTasks += message.tasks.length;
      if (message.snapshotComplete) break;
    }
    const nodeSnapshot = performance.now() - start;
    const big = await openPage(browser);
    start = performance.now();
    await signIn(big.page, base, cluster.adminToken);
    const signInToLive = performance.now() - start;
    const render = await big.page.evaluate<number>(`new Promise((resolve) => {
      const began = performance.now();
      location.hash = "#/tasks";
      const tick = () => {
        if (document.querySelectorAll("[data-task-id]").length > 0) requestAnimationFrame(() => resolve(performance.now() - began));
        else requestAnimationFrame(tick);
      };
      tick();
    })`);
    const rendered = await big.page.locator("[data-task-id]").count();
    const frames = await big.page.evaluate<number[]>(`new Promise((resolve) => {
      const scroller = document.querySelector(".task-scroll");
      const gaps = [];
      let last = performance.now();
      const step = () => {
        const now = performance.now();
        gaps.push(now - last);
        last = now;
        scroller.scrollTop += 400;
        if (gaps.length < 150) requestAnimationFrame(step); else resolve(gaps.slice(1));
      };
      requestAnimationFrame(step);
    })`);
    console.log(`10,000 tasks: Node client snapshot ${ms(nodeSnapshot)} (${snapshotTasks} tasks, baseline); page sign-in → live ${ms(signInToLive)}; Tasks page first render ${ms(render)} (limit 500 ms; ${rendered} rows in the DOM); scrolling frame time p50 ${quantile(frames, 0.5).toFixed(1)} ms, p95 ${quantile(frames, 0.95).toFixed(1)} ms, max ${Math.max(...frames).toFixed(1)} ms`);
    await big.page.context().close();
  } finally {
    await browser.close();
    await cluster.cleanup();
  }
}

await benchDashboard();
