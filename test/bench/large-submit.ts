/**
 * Benchmark: one large submission, 1,000 tasks (baseline) against 100,000
 * (the documented sweep limit, MAX_COMBINATIONS), each in a fresh Host:
 * - the store: TaskManager.create on a real SQLite file (chunked INSERTs in
 *   one group-committed transaction, synchronous FULL);
 * - the whole submit through the client service of an in-memory Host
 *   (validation, sweep expansion, admit, store, scheduling pass, re-read
 *   and rendering of every task in the reply), then listing the batch.
 * Time in ms; memory as the process's rss before → after and the peak
 * seen, sampled every 10 ms.
 * Run: npm run bench -- large-submit (or node dist/test/bench/large-submit.js).
 */
import { MAX_COMBINATIONS } from "../../src/shared/spans.js";
import { inMemoryHost } from "../helpers/in-memory-host.js";
import { echoSpec, taskStore } from "../helpers/task-store.js";
import { listAllTasks } from "../helpers/list-all.js";

const MiB = 1024 * 1024;

/** Runs `fn`, returning its time and the rss before, after and at its peak (MiB). */
async function measure(fn: () => Promise<void>): Promise<string> {
  const rssBefore = process.memoryUsage().rss;
  let peak = rssBefore;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
  const startMs = performance.now();
  try {
    await fn();
  } finally {
    clearInterval(sampler);
  }
  const elapsedMs = performance.now() - startMs;
  const rssAfter = process.memoryUsage().rss;
  peak = Math.max(peak, rssAfter);
  return `${elapsedMs.toFixed(0).padStart(6)} ms, rss ${(rssBefore / MiB).toFixed(0)} → ${(rssAfter / MiB).toFixed(0)} MiB (peak ${(peak / MiB).toFixed(0)})`;
}

async function viaStore(count: number): Promise<string> {
  const store = await taskStore();
  try {
    const specs = Array.from({ length: count }, (_, i) => echoSpec(String(i + 1)));
    return await measure(async () => {
      const created = await store.tasks.create(specs);
      if (created.length !== count) throw new Error(`created ${created.length} of ${count}`);
    });
  } finally {
    await store.close();
  }
}

async function viaService(count: number): Promise<{ submit: string; list: string }> {
  const host = await inMemoryHost();
  try {
    let batchId = "";
    const submit = await measure(async () => {
      const reply = await host.client.submitTask({ command: "echo", args: [`span:{1..${count}}`], sweep: true });
      if (reply.tasks.length !== count) throw new Error(`submitted ${reply.tasks.length} of ${count}`);
      batchId = reply.batchId;
    });
    const list = await measure(async () => {
      const tasks = await listAllTasks(host.client, { batchId });
      if (tasks.length !== count) throw new Error(`listed ${tasks.length} of ${count}`);
    });
    return { submit, list };
  } finally {
    await host.close();
  }
}

for (const count of [1_000, MAX_COMBINATIONS]) {
  const label = count.toLocaleString("en-US").padStart(7);
  console.log(`${label} tasks, TaskManager.create (store only): ${await viaStore(count)}`);
  const { submit, list } = await viaService(count);
  console.log(`${label} tasks, submitTask --sweep (service):    ${submit}`);
  console.log(`${label} tasks, listTasks of the batch (1,000 a page): ${list}`);
}
