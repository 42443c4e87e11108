/**
 * The runner's side of exec. When the Host sends OpenExec on the control
 * stream, the runner starts the command in the task (a Docker exec in its
 * container, or a process beside a native task) and opens one Exec stream
 * back to the Host for its bytes (a runner behind NAT can always dial out),
 * on an HTTP/2 connection of its own, as tunnels do: a slow terminal never
 * holds window that the control stream or other sessions need.
 *
 * The stream's first message says whether the command started. Output goes
 * up with back-pressure (the command's output is paused while more than
 * {@link PIPE_HIGH_WATER_BYTES} wait); stdin, resizes and stdin_close come
 * down. The command's exit ends the stream; the stream ending first (the
 * client went away, the Host stopped) kills the command and whatever it
 * started, so nothing is left running.
 */
import type { ClientHttp2Stream, ClientSessionRequestOptions, OutgoingHttpHeaders, SecureClientSessionOptions } from "node:http2";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport, Http2SessionManager } from "@connectrpc/connect-node";
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { Logger } from "pino";
import type { ExecRequestSchema, OpenExec } from "../../../gen/hakuriver/v1/exec_pb.js";
import { RunnerService } from "../../../gen/hakuriver/v1/runner_pb.js";
import { AsyncQueue } from "../../shared/async-queue.js";
import { PIPE_HIGH_WATER_BYTES, PIPE_LOW_WATER_BYTES } from "../../shared/byte-pipe.js";
import type { HostTlsOptions } from "../../shared/tls-client.js";
import { bearerToken, hostBaseUrl, hostSessionOptions } from "../../shared/transport.js";
import { ExecStartError, type ExecProcess, type ExecSink, type ExecSpec } from "./exec-process.js";

type Outgoing = MessageInitShape<typeof ExecRequestSchema>;

/** HTTP/2 receive windows of an exec connection (wide: a bulk `cat` is not bound by round trips). */
const STREAM_WINDOW_BYTES = 4 * 1024 * 1024;
const CONNECTION_WINDOW_BYTES = 8 * 1024 * 1024;

/** A session manager whose connection-level receive window is widened too (Node keeps 64 KiB otherwise). */
class ExecSessionManager extends Http2SessionManager {
  override async request(method: string, path: string, headers: OutgoingHttpHeaders, options: Omit<ClientSessionRequestOptions, "signal">): Promise<ClientHttp2Stream> {
    const stream = await super.request(method, path, headers, options);
    stream.session?.setLocalWindowSize(CONNECTION_WINDOW_BYTES);
    return stream;
  }
}

/** Starts a command in a task this runner holds; rejects with an ExecStartError when it cannot. */
export type ExecStarter = (taskId: string, spec: ExecSpec, sink: ExecSink) => Promise<ExecProcess>;

/** What the dialer needs. */
export interface ExecDialerOptions {
  readonly hostAddress: string;
  /** The join token exec streams present (empty with auth off). */
  readonly joinToken: string;
  /** How exec connections trust the Host, as the control stream does. */
  readonly tls?: HostTlsOptions;
  readonly log: Logger;
  readonly start: ExecStarter;
}

/** Output waiting for the stream, counted, with a pause above the high-water mark and a resume below low water. */
class ExecOutbox {
  readonly queue = new AsyncQueue<Outgoing>();
  private queued = 0;
  onDrain: () => void = () => {};

  output(stream: "stdout" | "stderr", data: Uint8Array): boolean {
    this.queued += data.length;
    this.queue.push({ message: { case: stream, value: data } });
    return this.queued < PIPE_HIGH_WATER_BYTES;
  }

  async *messages(first: Outgoing): AsyncIterable<Outgoing> {
    yield first;
    for await (const message of this.queue) {
      const m = message.message;
      if (m?.case === "stdout" || m?.case === "stderr") {
        const wasAbove = this.queued >= PIPE_LOW_WATER_BYTES;
        this.queued -= (m.value as Uint8Array).length;
        if (wasAbove && this.queued < PIPE_LOW_WATER_BYTES) this.onDrain();
      }
      yield message;
    }
  }
}

/** Serves OpenExec commands. */
export class ExecDialer {
  private readonly active = new Set<{ manager: Http2SessionManager; process?: ExecProcess }>();
  private readonly baseUrl: string;
  private readonly sessionOptions: SecureClientSessionOptions;

  constructor(private readonly options: ExecDialerOptions) {
    this.baseUrl = hostBaseUrl(options.hostAddress, options.tls);
    this.sessionOptions = hostSessionOptions(this.baseUrl, options.tls);
  }

  /** Execs running now. */
  get count(): number {
    return this.active.size;
  }

  /** Serves one OpenExec command; never throws (failures go to the Host as the open's error). */
  async open(command: OpenExec): Promise<void> {
    const { log } = this.options;
    const start = command.start;
    const taskId = start?.taskId ?? "";
    const outbox = new ExecOutbox();
    let process: ExecProcess | undefined;
    let error = "";
    let taskNotRunning = false;
    if (!start || start.command.length === 0) error = "no command";
    else {
      const spec: ExecSpec = { command: start.command, tty: start.tty, user: start.user, workdir: start.workdir, rows: start.rows, cols: start.cols };
      process = await this.options
        .start(taskId, spec, { stdout: (d) => outbox.output("stdout", d), stderr: (d) => outbox.output("stderr", d) })
        .catch((e: unknown) => {
          error = e instanceof Error ? e.message : String(e);
          taskNotRunning = e instanceof ExecStartError && e.taskNotRunning;
          return undefined;
        });
    }
    const { baseUrl } = this;
    const manager = new ExecSessionManager(baseUrl, { pingIntervalMs: 10_000, pingTimeoutMs: 10_000 }, {
      ...this.sessionOptions,
      settings: { initialWindowSize: STREAM_WINDOW_BYTES, maxFrameSize: 256 * 1024 },
    });
    const entry = { manager, process };
    this.active.add(entry);
    const client = createClient(RunnerService, createGrpcTransport({ baseUrl, sessionManager: manager, interceptors: this.options.joinToken ? [bearerToken(this.options.joinToken)] : [] }));
    const first: Outgoing = { message: { case: "open", value: { execId: command.execId, error, taskNotRunning } } };
    let exited = false;
    if (process) {
      const running = process;
      outbox.onDrain = () => running.resumeOutput();
      void running.exited.then((end) => {
        exited = true;
        outbox.queue.push({ message: { case: "exit", value: end } });
        outbox.queue.end();
      });
    } else outbox.queue.end();
    try {
      for await (const response of client.exec(outbox.messages(first))) {
        if (!process) continue;
        const m = response.message;
        if (m.case === "stdin") process.write(m.value);
        else if (m.case === "resize") await process.resize(m.value.rows, m.value.cols);
        else if (m.case === "stdinClose") process.endInput();
      }
    } catch (e) {
      log.warn({ taskId, err: e instanceof Error ? e.message : String(e) }, "exec stream failed");
    } finally {
      // The Host ended the stream before the command did: its client is gone, so is the command.
      if (process && !exited) await process.kill();
      outbox.queue.end();
      this.active.delete(entry);
      manager.abort();
      if (error) log.info({ taskId, err: error }, "exec refused");
    }
  }

  /** Ends every exec (runner shutdown): their commands are killed. */
  closeAll(): void {
    for (const { manager, process } of this.active) {
      void process?.kill();
      manager.abort();
    }
    this.active.clear();
  }
}
