/**
 * Benchmark: what durable acknowledgements cost, and what group commit buys.
 * - 200 concurrent single-task submissions (TaskManager.create on a real
 *   SQLite file) with synchronous NORMAL, FULL committing each submission on
 *   its own, and FULL with group commit (the Host's setting); then the same
 *   200 through the client service of an in-memory Host (FULL + group);
 * - 200 status changes one after another (TaskManager.change, each its own
 *   commit, as the scheduler and runner events make them), NORMAL vs FULL.
 * Each figure is the median of 5 rounds, all measured in this run.
 * Run: npm run bench -- submit-durability (or node dist/test/bench/submit-durability.js).
 */
import { inMemoryHost } from "../helpers/in-memory-host.js";
import { echoSpec, taskStore, type TaskStoreOptions } from "../helpers/task-store.js";

const SUBMISSIONS = 200;
const ROUNDS = 5;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Submissions per second of SUBMISSIONS concurrent single-task submits, median of the rounds. */
async function concurrentSubmits(options: TaskStoreOptions): Promise<number> {
  const store = await taskStore(options);
  try {
    const rates: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const startMs = performance.now();
      await Promise.all(Array.from({ length: SUBMISSIONS }, (_, i) => store.tasks.create([echoSpec(String(i))])));
      rates.push(SUBMISSIONS / ((performance.now() - startMs) / 1000));
    }
    return median(rates);
  } finally {
    await store.close();
  }
}

/** Status changes per second, one after another, median of the rounds. */
async function sequentialChanges(options: TaskStoreOptions): Promise<number> {
  const store = await taskStore(options);
  try {
    const created = await store.tasks.create(Array.from({ length: SUBMISSIONS * ROUNDS }, (_, i) => echoSpec(String(i))));
    const rates: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const startMs = performance.now();
      for (const task of created.slice(round * SUBMISSIONS, (round + 1) * SUBMISSIONS)) await store.tasks.change(task.taskId, "killed", { message: "bench" });
      rates.push(SUBMISSIONS / ((performance.now() - startMs) / 1000));
    }
    return median(rates);
  } finally {
    await store.close();
  }
}

/** The same submissions through the client service of an in-memory Host (its own settings: FULL + group commit). */
async function serviceSubmits(): Promise<number> {
  const host = await inMemoryHost();
  try {
    const rates: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const startMs = performance.now();
      await Promise.all(Array.from({ length: SUBMISSIONS }, (_, i) => host.client.submitTask({ command: "echo", args: [String(i)] })));
      rates.push(SUBMISSIONS / ((performance.now() - startMs) / 1000));
    }
    return median(rates);
  } finally {
    await host.close();
  }
}

const fmt = (rate: number): string => `${rate.toFixed(0)}/s`;
const normal = await concurrentSubmits({ synchronous: "NORMAL", groupCommit: { maxGroupSize: 1 } });
const fullAlone = await concurrentSubmits({ synchronous: "FULL", groupCommit: { maxGroupSize: 1 } });
const fullGrouped = await concurrentSubmits({ synchronous: "FULL" });
console.log(`${SUBMISSIONS} concurrent single-task submits (TaskManager, real SQLite file, median of ${ROUNDS}):`);
console.log(`  NORMAL, one commit each:   ${fmt(normal)}  (the old setting; acknowledged work can be lost)`);
console.log(`  FULL, one commit each:     ${fmt(fullAlone)}  (${(fullAlone / normal).toFixed(2)}x NORMAL)`);
console.log(`  FULL, group commit (Host): ${fmt(fullGrouped)}  (${(fullGrouped / normal).toFixed(2)}x NORMAL, ${(fullGrouped / fullAlone).toFixed(2)}x FULL alone)`);
console.log(`  through the client service (in-memory Host, FULL + group): ${fmt(await serviceSubmits())}`);
const changesNormal = await sequentialChanges({ synchronous: "NORMAL" });
const changesFull = await sequentialChanges({ synchronous: "FULL" });
console.log(`${SUBMISSIONS} status changes one after another (TaskManager.change, each its own commit):`);
console.log(`  NORMAL: ${fmt(changesNormal)}   FULL: ${fmt(changesFull)}  (${(changesFull / changesNormal).toFixed(2)}x NORMAL)`);
