/**
 * Runs command tasks in Docker containers (dockerode). Output is attached
 * before start and demultiplexed into the task's log pipeline; the container
 * is inspected after exit (OOMKilled, ExitCode) and only then removed.
 * Containers outlive the runner process: a restarted runner re-adopts them.
 */
import { statSync } from "node:fs";
import type Docker from "dockerode";
import type { Logger } from "pino";
import type { TaskSpec } from "../../../gen/hakuriver/v1/runner_pb.js";
import { engineMessage as messageOf, engineStatus as status } from "../../shared/docker-errors.js";
import { Limiter } from "../docker/limiter.js";
import { pipeOutput, type OutputSkip } from "../docker/output-pipe.js";
import { LABELS, taskContainerName, taskContainerOptions } from "../docker/task-container.js";
import type { ImageSync } from "../images.js";
import { outputPath } from "../task-output.js";
import type { Executor, ExitInfo, OutputSink, RecoveredTask, StartContext, TaskHandle } from "./executor.js";

/** Container starts in flight at once (a burst deadlocks dockerd 20.10). */
const START_SLOTS = 3;
/** How long to wait for the output stream to drain after the container exited. */
const OUTPUT_DRAIN_MS = 5000;
/** Extra inspections of a SIGKILLed container, 100 ms apart, for the OOM flag to arrive. */
const OOM_RECHECKS = 10;

/** What a DockerExecutor needs. */
export interface DockerExecutorOptions {
  readonly docker: Docker;
  readonly images: ImageSync;
  /** This runner's name: labels its containers, so runners sharing an engine keep apart. */
  readonly runner: string;
  readonly sharedDir: string;
  readonly log: Logger;
}

/** Docker executor. */
export class DockerExecutor implements Executor {
  readonly name = "docker";
  readonly survivesRunnerRestart = true;
  private readonly limiter = new Limiter(START_SLOTS);
  private readonly detaching = new AbortController();
  private readonly streams = new Set<NodeJS.ReadableStream & { destroy?: () => void }>();

  constructor(private readonly options: DockerExecutorOptions) {}

  async start(spec: TaskSpec, sink: OutputSink, context: StartContext): Promise<TaskHandle> {
    const { docker } = this.options;
    const image = await this.options.images.ensure(spec.container);
    const name = taskContainerName(spec.taskId);
    const options = taskContainerOptions(spec, context, image, this.options.runner);
    const { container, output } = await this.limiter.run(async () => {
      const created = await docker.createContainer(options).catch(async (error: unknown) => {
        if (status(error) !== 409) throw new Error(`cannot create the container of task ${spec.taskId}: ${messageOf(error)}`);
        // A leftover of an earlier attempt holds the name.
        await docker.getContainer(name).remove({ force: true }).catch(() => undefined);
        return docker.createContainer(options);
      });
      try {
        const stream = await created.attach({ stream: true, stdout: true, stderr: true });
        const piped = this.track(stream, pipeOutput(docker, stream, sink));
        await created.start();
        return { container: created, output: piped };
      } catch (error) {
        await created.remove({ force: true }).catch(() => undefined);
        throw new Error(`cannot start the container of task ${spec.taskId} in environment ${spec.container}: ${messageOf(error)}`);
      }
    });
    return this.handle(container, output);
  }

  async recover(refs: ReadonlyMap<string, string>, sinkFor: (taskId: string) => OutputSink): Promise<RecoveredTask[]> {
    const { docker, log } = this.options;
    const found = await docker.listContainers({ all: true, filters: { label: [`${LABELS.managed}=true`, `${LABELS.kind}=command`, `${LABELS.runner}=${this.options.runner}`] } });
    const recovered: RecoveredTask[] = [];
    for (const info of found) {
      const taskId = info.Labels[LABELS.taskId] ?? "";
      if (!refs.has(taskId)) {
        // Started but never recorded (the runner died in between): nobody tracks it, so it must not linger.
        log.warn({ taskId, container: info.Id }, "removing a task container this runner has no record of");
        await docker.getContainer(info.Id).remove({ force: true }).catch(() => undefined);
        continue;
      }
      const container = docker.getContainer(info.Id);
      if (info.State === "created") {
        // Never started: nothing ran, and waiting on it would wait forever. The supervisor reports it lost.
        log.warn({ taskId, container: info.Id }, "removing a task container that was created but never started");
        await container.remove({ force: true }).catch(() => undefined);
        continue;
      }
      const skip: OutputSkip = { stdout: sizeOf(outputPath(this.options.sharedDir, taskId, "stdout")), stderr: sizeOf(outputPath(this.options.sharedDir, taskId, "stderr")) };
      const sink = sinkFor(taskId);
      // Re-read the whole log and skip what the files hold: nothing lost, nothing doubled.
      const stream = (await container.logs({ follow: true, stdout: true, stderr: true })) as unknown as NodeJS.ReadableStream;
      const output = this.track(stream, pipeOutput(docker, stream, sink, skip));
      recovered.push({ taskId, handle: this.handle(container, output, info.Id), paused: info.State === "paused" });
      log.info({ taskId, state: info.State, skip }, info.State === "running" || info.State === "paused" ? "re-adopted task container" : "task container ended while the runner was away");
    }
    for (const [taskId, ref] of refs) {
      // Received but never given a container (ref ""), or its container never started: not adopted, reported lost.
      if (ref === "" || recovered.some((r) => r.taskId === taskId) || found.some((f) => f.Labels[LABELS.taskId] === taskId && f.State === "created")) continue;
      const exit: ExitInfo = { exitCode: null, oomKilled: false, detail: "its container vanished while the runner was away" };
      recovered.push({ taskId, handle: { ref: "", wait: async () => exit, kill: async () => {}, pause: async () => {}, resume: async () => {} }, paused: false });
    }
    return recovered;
  }

  /** Lets go of every container without touching it (runner shutdown): waits never settle, streams close. */
  detach(): void {
    this.detaching.abort();
    for (const stream of this.streams) stream.destroy?.();
  }

  private track(stream: NodeJS.ReadableStream, piped: Promise<void>): Promise<void> {
    const s = stream as NodeJS.ReadableStream & { destroy?: () => void };
    this.streams.add(s);
    return piped.finally(() => this.streams.delete(s));
  }

  private handle(container: Docker.Container, output: Promise<void>, ref = container.id): TaskHandle {
    const signal = this.detaching.signal;
    const ended = (async (): Promise<ExitInfo> => {
      try {
        await container.wait({ abortSignal: signal });
        await Promise.race([output, new Promise((resolve) => setTimeout(resolve, OUTPUT_DRAIN_MS).unref())]);
        let state = (await container.inspect()).State;
        // dockerd records an OOM kill from a separate event that can trail the exit: look again before calling it a plain SIGKILL.
        for (let attempt = 0; attempt < OOM_RECHECKS && state.ExitCode === 137 && !state.OOMKilled; attempt += 1) {
          await new Promise((resolve) => setTimeout(resolve, 100));
          state = (await container.inspect()).State;
        }
        const exit: ExitInfo = {
          exitCode: state.ExitCode,
          oomKilled: state.OOMKilled,
          detail: state.OOMKilled ? "out of memory" : state.ExitCode === 137 ? "killed by SIGKILL" : state.Error || undefined,
        };
        // The exit is known once inspected; removing the container need not delay its report.
        void container.remove({ force: true }).catch(() => undefined);
        return exit;
      } catch (error) {
        if (signal.aborted) return new Promise<ExitInfo>(() => {}); // the runner is stopping; the container lives on
        if (status(error) === 404) return { exitCode: null, oomKilled: false, detail: "the container was removed from outside HakuRiver" };
        throw error;
      }
    })();
    return {
      ref,
      wait: () => ended,
      kill: async () => {
        await container.unpause().catch(() => undefined);
        await container.kill().catch((error: unknown) => {
          if (status(error) !== 404 && status(error) !== 409) throw error;
        });
      },
      pause: async () => {
        await container.pause();
      },
      resume: async () => {
        await container.unpause();
      },
    };
  }
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
