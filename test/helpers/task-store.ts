/**
 * The Host's task stack without the network: a real SQLite file in a temp
 * dir, TaskRepo and TaskManager as the Host wires them. For tests and
 * benchmarks of the store that need no runner and no transport.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql, type Kysely } from "kysely";
import { pino } from "pino";
import { NodeRegistry } from "../../src/host/runners/node-registry.js";
import { NodeRepo } from "../../src/host/store/node-repo.js";
import { openDatabase } from "../../src/host/store/open-db.js";
import type { Database } from "../../src/host/store/schema.js";
import { TaskRepo, type TaskRepoOptions } from "../../src/host/store/task-repo.js";
import { createIdGenerator } from "../../src/host/tasks/ids.js";
import type { TaskSpecInput } from "../../src/host/tasks/submit-spec.js";
import { TaskEvents } from "../../src/host/tasks/task-events.js";
import { TaskManager } from "../../src/host/tasks/task-manager.js";

/** A task stack over a temp SQLite file. */
export interface TaskStore {
  readonly db: Kysely<Database>;
  readonly repo: TaskRepo;
  readonly tasks: TaskManager;
  readonly dbFile: string;
  close(): Promise<void>;
}

/** Options of {@link taskStore}. */
export interface TaskStoreOptions extends TaskRepoOptions {
  /** Overrides the `synchronous` pragma openDatabase sets (benchmarks compare NORMAL with FULL). */
  readonly synchronous?: "NORMAL" | "FULL";
}

/** Opens a fresh task stack in a new temp dir; `close()` removes the dir. */
export async function taskStore(options: TaskStoreOptions = {}): Promise<TaskStore> {
  const dir = mkdtempSync(join(tmpdir(), "hakuriver-store-"));
  const dbFile = join(dir, "host.db");
  const database = await openDatabase(dbFile);
  if (options.synchronous) await sql.raw(`pragma synchronous = ${options.synchronous}`).execute(database.db);
  const repo = new TaskRepo(database.db, options);
  const nodes = new NodeRegistry(new NodeRepo(database.db));
  await nodes.load();
  const tasks = new TaskManager({ repo, nodes, events: new TaskEvents(), ids: createIdGenerator(), now: Date.now, confirmTimeoutMs: 1000, log: pino({ level: "silent" }) });
  return {
    db: database.db,
    repo,
    tasks,
    dbFile,
    close: async () => {
      await database.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A plain command task spec (`echo ARG`), for submissions built without the service. */
export function echoSpec(arg: string): TaskSpecInput {
  return { kind: "command", command: "echo", args: [arg], env: {}, cores: 1, memoryBytes: 0, container: "NULL", privileged: false, mounts: [], target: null, targetText: "", publicKey: "", timeLimitMs: 0, name: "", labels: {}, gpuCount: 0 };
}
