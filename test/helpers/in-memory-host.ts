/**
 * An in-process Host served over Connect's in-memory transport, plus a
 * scripted runner that speaks the real control stream. For service tests.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient, createRouterTransport, type Client } from "@connectrpc/connect";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { pino } from "pino";
import { ClientService } from "../../gen/hakuriver/v1/client_pb.js";
import { type ControlRequestSchema, type ControlResponse, type HeldTaskSchema, RunnerService } from "../../gen/hakuriver/v1/runner_pb.js";
import { createHostCore, type HostCore } from "../../src/host/host-app.js";
import { AsyncQueue } from "../../src/shared/async-queue.js";
import { bearerToken } from "../../src/shared/transport.js";

type Outgoing = MessageInitShape<typeof ControlRequestSchema>;

/** A Host in memory. */
export interface InMemoryHost {
  readonly core: HostCore;
  readonly client: Client<typeof ClientService>;
  readonly runnerClient: Client<typeof RunnerService>;
  readonly dir: string;
  /** The first admin and join tokens (the clients above use them). */
  readonly adminToken: string;
  readonly joinToken: string;
  /** A client calling with `token` ("" sends none). */
  clientWithToken(token: string): Client<typeof ClientService>;
  /** A runner client calling with `token` ("" sends none). */
  runnerClientWithToken(token: string): Client<typeof RunnerService>;
  close(): Promise<void>;
}

/** Builds a Host over a temp dir (SQLite file, shared dir) and an in-memory transport. */
export async function inMemoryHost(
  overrides: { heartbeatIntervalMs?: number; timeoutFactor?: number; queue?: boolean; ackTimeoutMs?: number; mountAllowList?: string[]; timeLimitMs?: number; heartbeatFlushIntervalMs?: number } = {},
): Promise<InMemoryHost> {
  const dir = mkdtempSync(join(tmpdir(), "hakuriver-svc-"));
  const core = await createHostCore({
    bind: "127.0.0.1",
    port: 0,
    dbFile: join(dir, "host.db"),
    sharedDir: join(dir, "shared"),
    heartbeatIntervalMs: overrides.heartbeatIntervalMs ?? 200,
    heartbeatTimeoutFactor: overrides.timeoutFactor ?? 5,
    cleanupCheckIntervalMs: 100,
    defaults: { container: "NULL", privileged: false, mounts: [], queue: overrides.queue ?? true, timeLimitMs: overrides.timeLimitMs ?? 0 },
    auth: { enabled: true, stateDir: dir, mountAllowList: overrides.mountAllowList ?? [] },
    containerDir: "hakuriver-containers",
    keepTarballs: 1,
    log: pino({ level: "silent" }),
    ...(overrides.ackTimeoutMs !== undefined ? { ackTimeoutMs: overrides.ackTimeoutMs } : {}),
    ...(overrides.heartbeatFlushIntervalMs !== undefined ? { heartbeatFlushIntervalMs: overrides.heartbeatFlushIntervalMs } : {}),
  });
  const adminToken = readFileSync(join(dir, "admin.token"), "utf8").trim();
  const joinToken = readFileSync(join(dir, "join.token"), "utf8").trim();
  const transportWith = (token: string) => createRouterTransport(core.routes, { router: { interceptors: core.interceptors }, transport: { interceptors: token ? [bearerToken(token)] : [] } });
  core.start();
  return {
    core,
    dir,
    adminToken,
    joinToken,
    clientWithToken: (token) => createClient(ClientService, transportWith(token)),
    runnerClientWithToken: (token) => createClient(RunnerService, transportWith(token)),
    client: createClient(ClientService, transportWith(adminToken)),
    runnerClient: createClient(RunnerService, transportWith(joinToken)),
    close: async () => {
      await core.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A runner driven by the test: it says hello, then the test reads commands and sends events. */
export class ScriptedRunner {
  readonly outbox = new AsyncQueue<Outgoing>();
  readonly commands = new AsyncQueue<ControlResponse>();
  private readonly abort = new AbortController();
  private beat: NodeJS.Timeout | undefined;
  readonly done: Promise<void>;

  constructor(client: Client<typeof RunnerService>, readonly name: string, cores = 4, memoryBytes = 8n * 1024n ** 3n, tasks: MessageInitShape<typeof HeldTaskSchema>[] = []) {
    this.outbox.push({ message: { case: "hello", value: { name, resources: { cores, memoryBytes }, version: "test", tasks } } });
    this.beat = setInterval(() => this.outbox.push({ message: { case: "heartbeat", value: { usage: { cpuPercent: 1 } } } }), 50);
    this.done = (async () => {
      try {
        for await (const message of client.control(this.outbox, { signal: this.abort.signal })) this.commands.push(message);
      } catch {
        // ended by the test
      } finally {
        clearInterval(this.beat);
        this.commands.end();
      }
    })();
  }

  /** The next command from the Host, skipping heartbeat-irrelevant ones if asked. */
  async next(timeoutMs = 5000): Promise<ControlResponse> {
    const iterator = this.commands[Symbol.asyncIterator]();
    const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no command within ${timeoutMs} ms`)), timeoutMs));
    const result = await Promise.race([iterator.next(), timeout]);
    if (result.done) throw new Error("control stream ended");
    return result.value;
  }

  send(message: Outgoing): void {
    this.outbox.push(message);
  }

  /** Stops heartbeats, as a frozen runner would. */
  freeze(): void {
    clearInterval(this.beat);
  }

  /** Drops the stream, as a crashed runner would. */
  disconnect(): Promise<void> {
    clearInterval(this.beat);
    this.abort.abort();
    return this.done;
  }
}
