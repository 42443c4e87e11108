/**
 * The runner's one persistent control stream to the Host: hello with
 * resources and inventory, then heartbeats, task events and log chunks up;
 * run/kill/pause/resume/drain down. Reconnects with exponential backoff and
 * jitter when the stream ends for any reason, and logs the reason. The
 * backoff starts over only after a session that lasted: a Host that welcomes
 * a runner and then drops it at once (say, it cannot store what the runner
 * sends) gets ever slower retries, not a reconnect storm.
 */
import { Code, ConnectError, createClient, type Client, type Transport } from "@connectrpc/connect";
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { Logger } from "pino";
import { type ControlRequestSchema, type ControlResponse, type OpenTunnel, RunnerService } from "../../gen/hakuriver/v1/runner_pb.js";
import type { OpenExec } from "../../gen/hakuriver/v1/exec_pb.js";
import { LogStream, type ResourcesSchema } from "../../gen/hakuriver/v1/types_pb.js";
import { AsyncQueue } from "../shared/async-queue.js";
import type { HostTlsOptions } from "../shared/tls-client.js";
import { createHostTransport } from "../shared/transport.js";
import { statusEnum } from "../shared/task-status.js";
import { systemClock, type CancelTimer, type Clock } from "../shared/clock.js";
import type { Supervisor } from "./supervisor.js";
import type { TaskReport, TaskReporter } from "./tasks/task-table.js";
import { GpuSampler } from "./gpus.js";
import { CpuMeter, readUsage } from "./topology.js";
import type { RunnerFigures } from "./runner-figures.js";

type Outgoing = MessageInitShape<typeof ControlRequestSchema>;


/** How long a runner whose credential the Host refused waits before it tries again (ms). */
const REFUSED_RETRY_MS = 30_000;

/** Whether the Host refused the runner's credential (rather than the stream breaking). */
function isRefusal(error: unknown): boolean {
  const code = error instanceof ConnectError ? error.code : undefined;
  return code === Code.Unauthenticated || code === Code.PermissionDenied || code === Code.ResourceExhausted;
}

/** Bytes of output queued on a stream before shipping waits for it to drain. */
const MAX_QUEUED_BYTES = 4 * 1024 * 1024;

/** Options of the control loop. */
export interface ControlLoopOptions {
  readonly hostAddress: string;
  readonly name: string;
  readonly joinToken: string;
  readonly version: string;
  readonly resources: () => Promise<MessageInitShape<typeof ResourcesSchema>>;
  /** Builds the runner's tasks, which report their status changes up through this loop. */
  readonly supervisor: (reporter: TaskReporter) => Supervisor;
  readonly log: Logger;
  /** First reconnect delay (default 500 ms), doubled per failed attempt up to `backoffMaxMs` (default 10 s). */
  readonly backoffBaseMs?: number;
  readonly backoffMaxMs?: number;
  /** Serves OpenTunnel commands (SSH sessions to VPS tasks); none = refuse them. Closed by {@link ControlLoop.stop}. */
  readonly tunnels?: TunnelService;
  /** Serves OpenExec commands (exec into a task); none = refuse them. Closed by {@link ControlLoop.stop}. */
  readonly execs?: ExecService;
  /** Time for heartbeats and reconnect backoff; default the system clock. */
  readonly clock?: Clock;
  /** Jitter source in [0, 1) for the backoff; default Math.random. */
  readonly random?: () => number;
  /** The transport to the Host; default an HTTP/2 transport to `hostAddress` with pings. */
  readonly transport?: Transport;
  /** How the default transport trusts the Host (a CA file or a pin means TLS). */
  readonly tls?: HostTlsOptions;
  /** The runner's own figures, sent with every heartbeat; none = heartbeats carry none. */
  readonly figures?: RunnerFigures;
}

/** What the loop needs of the runner's tunnels (see `tunnels.ts`). */
export interface TunnelService {
  /** Serves one OpenTunnel command; never rejects. */
  open(command: OpenTunnel): Promise<void>;
  /** Closes every open tunnel. */
  closeAll(): void;
}

/** What the loop needs of the runner's execs (see `exec/exec-dialer.ts`). */
export interface ExecService {
  /** Serves one OpenExec command; never rejects. */
  open(command: OpenExec): Promise<void>;
  /** Ends every exec (their commands are killed). */
  closeAll(): void;
}

/** Delay before reconnect attempt `attempt` (0-based): exponential, capped, with ±50 % jitter. */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 20));
  return Math.round(ceiling * (0.5 + random() * 0.5));
}

/** Runs the control stream until `stop()`; the runner's tasks report up through it. */
export class ControlLoop implements TaskReporter {
  /** The runner's tasks, built with this loop as their reporter. */
  readonly supervisor: Supervisor;
  private readonly client: Client<typeof RunnerService>;
  private readonly clock: Clock;
  private readonly stopper = new AbortController();
  private outbox: AsyncQueue<Outgoing> | undefined;
  private queuedBytes = 0;
  private stopHeartbeat: CancelTimer = () => {};
  private readonly meter = new CpuMeter();
  private readonly gpuSampler = new GpuSampler();
  private connectedOnce = false;
  /** When the current session's welcome arrived (ms since the epoch); 0 before one. */
  private welcomedAt = 0;
  /** Resolves each time a welcome arrives (for tests and start-up logs). */
  onWelcome: () => void = () => {};

  constructor(private readonly options: ControlLoopOptions) {
    this.clock = options.clock ?? systemClock;
    this.client = createClient(RunnerService, options.transport ?? createHostTransport(options.hostAddress, { token: options.joinToken, pingIntervalMs: 5000, pingTimeoutMs: 5000, tls: options.tls }));
    this.supervisor = options.supervisor(this);
  }

  /** Sends a status report now if connected. */
  report(report: TaskReport): void {
    this.outbox?.push({
      message: {
        case: "taskEvent",
        value: {
          taskId: report.taskId,
          status: statusEnum(report.status),
          exitCode: report.exitCode,
          message: report.message,
          sshPort: report.sshPort ?? 0,
          sshHostKeys: [...(report.sshHostKeys ?? [])],
          stdoutSize: BigInt(report.stdoutSize),
          stderrSize: BigInt(report.stderrSize),
          ...(report.snapshot
            ? { snapshotName: report.snapshot.name, snapshotError: report.snapshot.error, snapshotTarball: report.snapshot.tarball, snapshotSizeBytes: BigInt(report.snapshot.sizeBytes) }
            : {}),
        },
      },
    });
  }

  /** Runs until stopped, reconnecting as needed. */
  async run(): Promise<void> {
    const { log } = this.options;
    const baseMs = this.options.backoffBaseMs ?? 500;
    const maxMs = this.options.backoffMaxMs ?? 10_000;
    let attempt = 0;
    while (!this.stopper.signal.aborted) {
      this.welcomedAt = 0;
      let refused = false;
      const welcomed = await this.session().catch((error: unknown) => {
        refused = isRefusal(error);
        if (refused) log.error({ err: error instanceof Error ? error.message : String(error) }, `the Host refused this runner; trying again in ${REFUSED_RETRY_MS / 1000} s`);
        else log.warn({ err: error instanceof Error ? error.message : String(error) }, "control stream ended");
        return this.welcomedAt > 0;
      });
      if (this.stopper.signal.aborted) break;
      // A session that outlived the longest delay was healthy; a shorter one counts as a failed attempt.
      if (welcomed && this.clock.now() - this.welcomedAt >= maxMs) attempt = 0;
      // A refused credential will not mend itself quickly; retrying at line speed would only lock this address out.
      const delay = refused ? REFUSED_RETRY_MS : backoffDelay(attempt++, baseMs, maxMs, this.options.random);
      log.info({ delayMs: delay, attempt }, "reconnecting to the host");
      await new Promise<void>((resolve) => {
        const cancel = this.clock.after(delay, resolve);
        this.stopper.signal.addEventListener("abort", () => {
          cancel();
          resolve();
        }, { once: true });
      });
    }
  }

  /** Ends the stream and the loop, and closes every tunnel. */
  stop(): void {
    this.stopper.abort();
    this.outbox?.end();
    this.options.tunnels?.closeAll();
    this.options.execs?.closeAll();
  }

  private async session(): Promise<boolean> {
    const { supervisor } = this;
    const { log } = this.options;
    const outbox = new AsyncQueue<Outgoing>();
    this.queuedBytes = 0;
    const inventory = supervisor.inventory();
    outbox.push({
      message: {
        case: "hello",
        value: {
          name: this.options.name,
          resources: await this.options.resources(),
          version: this.options.version,
          tasks: inventory.map((t) => ({
            taskId: t.taskId,
            status: statusEnum(t.status),
            exitCode: t.exitCode,
            message: t.message,
            stdoutSize: BigInt(t.stdoutSize),
            stderrSize: BigInt(t.stderrSize),
          })),
        },
      },
    });
    // Reports from here on queue behind the hello, so none falls in the gap
    // between the inventory snapshot and the welcome.
    this.outbox = outbox;
    const abort = new AbortController();
    const stopListener = () => abort.abort();
    this.stopper.signal.addEventListener("abort", stopListener, { once: true });
    let welcomed = false;
    const self = this;
    async function* requests(): AsyncIterable<Outgoing> {
      for await (const message of outbox) {
        if (message.message?.case === "logChunk") {
          self.queuedBytes -= (message.message.value.data as Uint8Array).length;
          if (self.queuedBytes < MAX_QUEUED_BYTES / 2 && welcomed) supervisor.pumpAll();
        }
        yield message;
      }
    }
    try {
      for await (const response of this.client.control(requests(), { signal: abort.signal })) {
        if (!welcomed && response.message.case !== "welcome") {
          // The Host sends its welcome first by construction; anything else first is a Host bug.
          log.warn({ case: response.message.case }, "ignoring a command that came before the welcome");
          continue;
        }
        if (response.message.case === "welcome") {
          welcomed = true;
          await this.welcome(response, outbox);
          continue;
        }
        await this.command(response);
      }
      return welcomed;
    } finally {
      this.stopper.signal.removeEventListener("abort", stopListener);
      this.stopHeartbeat();
      if (this.outbox === outbox) this.outbox = undefined;
      supervisor.attach(undefined);
      outbox.end();
      abort.abort();
      if (welcomed) log.warn("disconnected from the host");
    }
  }

  private async welcome(response: ControlResponse, outbox: AsyncQueue<Outgoing>): Promise<void> {
    if (response.message.case !== "welcome") return;
    const welcome = response.message.value;
    const { supervisor } = this;
    const { log } = this.options;
    const cursors = new Map(welcome.logCursors.map((c) => [c.taskId, { stdout: Number(c.stdoutOffset), stderr: Number(c.stderrOffset) }]));
    supervisor.attach((taskId, stream, offset, data) => {
      if (this.queuedBytes >= MAX_QUEUED_BYTES) return false;
      this.queuedBytes += data.length;
      outbox.push({
        message: {
          case: "logChunk",
          value: { taskId, stream: stream === "stderr" ? LogStream.STDERR : LogStream.STDOUT, offset: BigInt(offset), data },
        },
      });
      return true;
    }, cursors);
    await supervisor.dropStale(welcome.staleTaskIds);
    const interval = Math.max(100, Number(welcome.heartbeatIntervalMs));
    const beat = () => {
      const runningTaskIds = supervisor.activeIds();
      const figures = this.options.figures?.snapshot(runningTaskIds.length);
      outbox.push({ message: { case: "heartbeat", value: { usage: readUsage(this.meter, this.gpuSampler.latest()), runningTaskIds, ...(figures ? { figures } : {}) } } });
    };
    beat();
    this.stopHeartbeat();
    this.stopHeartbeat = this.clock.every(interval, beat);
    this.welcomedAt = this.clock.now();
    log.info({ host: this.options.hostAddress, heartbeatMs: interval, reconnect: this.connectedOnce }, "connected to the host");
    this.connectedOnce = true;
    this.onWelcome();
  }

  private async command(response: ControlResponse): Promise<void> {
    const { supervisor } = this;
    const { log } = this.options;
    const { message } = response;
    switch (message.case) {
      case "runTask":
        if (message.value.spec) void supervisor.run(message.value.spec).catch((err) => log.error({ err }, "run failed"));
        return;
      case "killTask":
        await supervisor.kill(message.value.taskId);
        return;
      case "pauseTask":
        await supervisor.pause(message.value.taskId);
        return;
      case "resumeTask":
        await supervisor.resume(message.value.taskId);
        return;
      case "openTunnel":
        // Not awaited: a tunnel lives as long as its SSH session.
        if (this.options.tunnels) void this.options.tunnels.open(message.value);
        else log.warn({ taskId: message.value.taskId }, "this runner serves no tunnels");
        return;
      case "openExec":
        // Not awaited: an exec lives as long as its command.
        if (this.options.execs) void this.options.execs.open(message.value);
        else log.warn({ taskId: message.value.start?.taskId }, "this runner serves no execs");
        return;
      case "drain":
        log.info({ drained: message.value.drained }, "drain state changed");
        return;
      case "stopVps":
        // Not awaited: docker stop grants sshd 10 s; the stopped report follows.
        void supervisor.stopVps(message.value.taskId).catch((err) => log.error({ err }, "VPS stop failed"));
        return;
      case "startVps":
        // Not awaited: a start waits for sshd (up to minutes); commands behind it go on.
        void supervisor.startVps(message.value).catch((err) => log.error({ err }, "VPS start failed"));
        return;
      case "snapshotVps":
        // Not awaited: a commit and save of a large disk takes minutes.
        void supervisor.snapshotVps(message.value).catch((err) => log.error({ err }, "VPS snapshot failed"));
        return;
      default:
        log.warn({ case: message.case }, "unhandled command");
    }
  }
}
