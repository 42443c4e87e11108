/**
 * The Host's domain without a transport: an in-memory SQLite database,
 * TaskRepo, NodeRegistry, TaskEvents and TaskManager on a fake clock, and
 * runners that are plain recording sessions. For unit tests of the task
 * manager and the scheduler.
 */
import { create } from "@bufbuild/protobuf";
import type { Kysely } from "kysely";
import { ResourcesSchema } from "../../gen/hakuriver/v1/types_pb.js";
import type { RunnerCommand } from "../../src/host/runners/runner-commands.js";
import { NodeRegistry, type RunnerSession } from "../../src/host/runners/node-registry.js";
import { NodeRepo } from "../../src/host/store/node-repo.js";
import { openDatabase } from "../../src/host/store/open-db.js";
import type { Database } from "../../src/host/store/schema.js";
import { TaskRepo } from "../../src/host/store/task-repo.js";
import { createIdGenerator } from "../../src/host/tasks/ids.js";
import { TaskEvents } from "../../src/host/tasks/task-events.js";
import { TaskManager } from "../../src/host/tasks/task-manager.js";
import { captureLog, type CapturedLog } from "./capture-log.js";
import { ManualClock } from "./manual-clock.js";

let nextSessionId = 1_000_000;

/** A runner session that records what the Host sends it. */
export class RecordingSession implements RunnerSession {
  readonly id = nextSessionId++;
  readonly sent: RunnerCommand[] = [];
  closedWith: string | undefined;

  send(message: RunnerCommand): void {
    this.sent.push(message);
  }

  welcome(message: RunnerCommand): void {
    this.sent.push(message);
  }

  close(reason: string): void {
    this.closedWith = reason;
  }

  /** The `case` of every command sent, in order. */
  cases(): (string | undefined)[] {
    return this.sent.map((m) => m.message?.case);
  }
}

/** The domain parts, wired as createHostCore wires them. */
export interface HostDomain {
  readonly clock: ManualClock;
  readonly captured: CapturedLog;
  readonly repo: TaskRepo;
  /** The database under the repo, for tests that look at the store itself. */
  readonly db: Kysely<Database>;
  readonly nodes: NodeRegistry;
  readonly events: TaskEvents;
  readonly tasks: TaskManager;
  /** Registers a connected node with `cores` cores; returns its session. */
  addNode(name: string, cores: number, memoryBytes?: bigint): Promise<RecordingSession>;
  close(): Promise<void>;
}

/** Builds the domain over a fresh in-memory database. */
export async function hostDomain(options: { confirmTimeoutMs?: number } = {}): Promise<HostDomain> {
  const clock = new ManualClock();
  const captured = captureLog();
  const database = await openDatabase(":memory:");
  const repo = new TaskRepo(database.db);
  const nodes = new NodeRegistry(new NodeRepo(database.db));
  await nodes.load();
  const events = new TaskEvents(clock);
  const tasks = new TaskManager({ repo, nodes, events, ids: createIdGenerator(clock.now), now: clock.now, confirmTimeoutMs: options.confirmTimeoutMs ?? 10_000, log: captured.log });
  return {
    clock,
    captured,
    repo,
    db: database.db,
    nodes,
    events,
    tasks,
    addNode: async (name, cores, memoryBytes = 8n * 1024n ** 3n) => {
      const session = new RecordingSession();
      await nodes.attach(name, create(ResourcesSchema, { cores, memoryBytes }), "test", session, clock.now());
      return session;
    },
    close: () => database.close(),
  };
}
