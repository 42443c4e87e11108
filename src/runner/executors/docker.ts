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
import type { Executor, ExitInfo, OutputSink, Recovery, StartContext, TaskHandle } from "./executor.js";

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

  /**
   * Adopts a task's container: one still running or paused, or one that
   * exited while the runner was away (its handle reads the real exit). A
   * container created but never started is not adopted: nothing ran, and
   * waiting on it would wait forever. Output is re-read from the container's
   * whole log, skipping what the files already hold: nothing lost, nothing doubled.
   */
  async recover(taskId: string, ref: string, sink: OutputSink): Promise<Recovery> {
    const { docker, log } = this.options;
    const info = await this.ownContainer(taskId, ref);
    // Received but never given a container (ref ""): nothing ran.
    if (!info) return ref === "" ? { kind: "lost" } : { kind: "ended", exit: { exitCode: null, oomKilled: false, detail: "its container vanished while the runner was away" } };
    if (info.State.Status === "created") {
      log.warn({ taskId, container: info.Id }, "removing a task container that was created but never started");
      return { kind: "lost" };
    }
    const container = docker.getContainer(info.Id);
    const skip: OutputSkip = { stdout: sizeOf(outputPath(this.options.sharedDir, taskId, "stdout")), stderr: sizeOf(outputPath(this.options.sharedDir, taskId, "stderr")) };
    const stream = (await container.logs({ follow: true, stdout: true, stderr: true })) as unknown as NodeJS.ReadableStream;
    const output = this.track(stream, pipeOutput(docker, stream, sink, skip));
    const state = info.State.Status;
    log.info({ taskId, state, skip }, state === "running" || state === "paused" ? "re-adopted task container" : "task container ended while the runner was away");
    return { kind: "adopted", handle: this.handle(container, output, info.Id), paused: state === "paused" };
  }

  /** Removes the task's container, if this runner has one left. */
  async destroy(taskId: string, ref: string): Promise<void> {
    const info = await this.ownContainer(taskId, ref);
    if (info) await this.options.docker.getContainer(info.Id).remove({ force: true }).catch(() => undefined);
  }

  /** Removes this runner's task containers whose task is not in `known` (started, but never recorded or already closed). */
  async sweepOrphans(known: ReadonlySet<string>): Promise<void> {
    const { docker, log } = this.options;
    const label = Object.entries(this.labels()).map(([key, value]) => `${key}=${value}`);
    const found = await docker.listContainers({ all: true, filters: { label } });
    for (const info of found) {
      const taskId = info.Labels[LABELS.taskId] ?? "";
      if (known.has(taskId)) continue;
      log.warn({ taskId, container: info.Id }, "removing a task container this runner has no record of");
      await docker.getContainer(info.Id).remove({ force: true }).catch(() => undefined);
    }
  }

  /** The labels that mark this runner's command-task containers. */
  private labels(): Record<string, string> {
    return { [LABELS.managed]: "true", [LABELS.kind]: "command", [LABELS.runner]: this.options.runner };
  }

  /** The task's container (by recorded id, else by name) if it is one of this runner's; undefined when there is none. */
  private async ownContainer(taskId: string, ref: string): Promise<Docker.ContainerInspectInfo | undefined> {
    let info: Docker.ContainerInspectInfo;
    try {
      info = await this.options.docker.getContainer(ref === "" ? taskContainerName(taskId) : ref).inspect();
    } catch (error) {
      if (status(error) === 404) return undefined;
      throw error;
    }
    const labels = info.Config.Labels ?? {};
    const ours = Object.entries(this.labels()).every(([key, value]) => labels[key] === value);
    return ours && labels[LABELS.taskId] === taskId ? info : undefined;
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
        let info = await container.inspect();
        // dockerd records an OOM kill from a separate event that can trail the exit: look again before calling it a plain SIGKILL.
        for (let attempt = 0; attempt < OOM_RECHECKS && info.State.ExitCode === 137 && !info.State.OOMKilled; attempt += 1) {
          await new Promise((resolve) => setTimeout(resolve, 100));
          info = await container.inspect();
        }
        const exit = containerExit(info.State, info.HostConfig.Memory ?? 0);
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

/**
 * How a container task ended, from its inspected state. Docker sets
 * `OOMKilled` when the OOM killer took any process in the container; the
 * task itself was ended by the limit only when its main process died of
 * that (exit code 137, SIGKILL). A main process that exited by itself after
 * a child was killed ends the task by its own code, with the kill noted.
 */
export function containerExit(state: { readonly ExitCode: number; readonly OOMKilled: boolean; readonly Error?: string }, memoryLimitBytes: number): ExitInfo {
  const fatal = state.OOMKilled && state.ExitCode === 137;
  return {
    exitCode: state.ExitCode,
    oomKilled: fatal,
    processOomKilled: state.OOMKilled && !fatal,
    memoryLimitBytes,
    detail: fatal ? "out of memory" : state.ExitCode === 137 ? "killed by SIGKILL" : state.Error || undefined,
  };
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
