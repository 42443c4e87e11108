/**
 * A child process for the crash test of the in-memory model: over the task
 * store in the SQLite file named by argv[2], it submits tasks and moves each
 * through pending → assigning → running → completed, many at once, and
 * prints `ack ID STATUS` each time a change is acknowledged (its promise
 * resolved). The test kills it with SIGKILL mid-flight and checks the file.
 */
import { pino } from "pino";
import { NodeRegistry } from "../../src/host/runners/node-registry.js";
import { NodeRepo } from "../../src/host/store/node-repo.js";
import { openDatabase } from "../../src/host/store/open-db.js";
import { TaskRepo } from "../../src/host/store/task-repo.js";
import { createIdGenerator } from "../../src/host/tasks/ids.js";
import { TaskEvents } from "../../src/host/tasks/task-events.js";
import { TaskManager } from "../../src/host/tasks/task-manager.js";
import { echoSpec } from "./task-store.js";

const database = await openDatabase(process.argv[2]!);
const repo = new TaskRepo(database.db);
const nodes = new NodeRegistry(new NodeRepo(database.db));
await nodes.load();
const tasks = new TaskManager({ repo, nodes, events: new TaskEvents(), ids: createIdGenerator(), now: Date.now, confirmTimeoutMs: 1000, log: pino({ level: "silent" }) });

function ack(taskId: number, status: string): void {
  process.stdout.write(`ack ${taskId} ${status}\n`);
}

async function oneTask(): Promise<void> {
  const [task] = await tasks.create([echoSpec("x")]);
  ack(task!.taskId, "pending");
  for (const [status, patch] of [["assigning", { assignedNode: "alpha" }], ["running", {}], ["completed", { exitCode: 0 }]] as const) {
    const changed = await tasks.change(task!.taskId, status, patch);
    ack(task!.taskId, changed!.status);
  }
}

// 16 tasks in flight at any time, until killed.
for (;;) await Promise.all(Array.from({ length: 16 }, () => oneTask()));
