/**
 * Wires a runner: resources, executors, the control loop and the tasks it
 * reports for (built by the loop, so reports need no late binding), tunnels.
 */
import { mkdirSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import type { Logger } from "pino";
import type { TaskSpec } from "../../gen/hakuriver/v1/runner_pb.js";
import type { HostTlsOptions } from "../shared/tls-client.js";
import { TaskKind } from "../../gen/hakuriver/v1/types_pb.js";
import { ControlLoop } from "./control-loop.js";
import type { Executor } from "./executors/executor.js";
import { DockerExecutor } from "./executors/docker.js";
import { NativeExecutor } from "./executors/native.js";
import { detectGpus } from "./gpus.js";
import { ImageSync } from "./images.js";
import { StateFile } from "./state-file.js";
import { Supervisor } from "./supervisor.js";
import { detectNuma } from "./topology.js";
import { lockStateDir } from "./state-lock.js";
import { containerAddress, forwardTarget } from "./forward-target.js";
import { TunnelDialer } from "./tunnels.js";
import { dockerClient } from "./vps/docker-connection.js";
import { VpsExecutor } from "./vps/vps-executor.js";
import { RunnerFigures } from "./runner-figures.js";
import { ExecDialer } from "./exec/exec-dialer.js";
import { ExecStartError, type ExecProcess } from "./exec/exec-process.js";
import { startDockerExec } from "./exec/docker-exec.js";
import { startNativeExec } from "./exec/native-exec.js";
import { machineProbes } from "./limits/native-limits.js";

/** What a runner needs; units in the names. */
export interface RunnerOptions {
  readonly hostAddress: string;
  /** How the runner trusts the Host (a CA file or a pin means TLS); absent = plain text. */
  readonly tls?: HostTlsOptions;
  readonly name: string;
  readonly sharedDir: string;
  readonly localTempDir: string;
  readonly joinToken: string;
  readonly version: string;
  readonly log: Logger;
  readonly backoffBaseMs?: number;
  readonly backoffMaxMs?: number;
  /** Docker engine address (runner.docker_host); empty = DOCKER_HOST or the default socket. */
  readonly dockerHost?: string;
  /** Tarball directory name under the shared dir (docker.container_dir). */
  readonly containerDir?: string;
  /** numactl binary for NUMA-bound native tasks (paths.numactl_path); empty = numactl on the task's PATH. */
  readonly numactlPath?: string;
}

/** A running runner. */
export interface RunnerHandle {
  readonly loop: ControlLoop;
  stop(): Promise<void>;
}

/** Starts a runner; it connects in the background and keeps reconnecting. */
export async function startRunner(options: RunnerOptions): Promise<RunnerHandle> {
  const { log } = options;
  mkdirSync(join(options.sharedDir, "shared_data"), { recursive: true });
  mkdirSync(options.localTempDir, { recursive: true });
  const lock = lockStateDir(options.localTempDir);
  const native = new NativeExecutor(undefined, options.numactlPath ?? "");
  const docker = dockerClient(options.dockerHost ?? "");
  // Counted here, sent up with every heartbeat: the Host's /metrics shows them per node.
  const figures = new RunnerFigures();
  const images = new ImageSync(docker, join(options.sharedDir, options.containerDir ?? "hakuriver-containers"), log, figures);

  const tarballDir = join(options.sharedDir, options.containerDir ?? "hakuriver-containers");
  const vps = new VpsExecutor({ docker, ensureImage: (env) => images.ensure(env), tarballDir });
  const containers = new DockerExecutor({ docker, images, runner: options.name, sharedDir: options.sharedDir, log });
  const executors: Executor[] = [native, vps, containers];
  const executorFor = (spec: TaskSpec): Executor => {
    if (spec.kind === TaskKind.VPS) return vps;
    if (spec.container === "NULL" || spec.container === "") return native;
    return containers;
  };
  const tunnels = new TunnelDialer({
    hostAddress: options.hostAddress,
    joinToken: options.joinToken,
    tls: options.tls,
    log,
    portOf: (taskId) => vps.sshPortOf(taskId),
    forwardTarget: (taskId, port) => forwardTarget(taskId, port, { held: (id) => loop.supervisor.held(id), containerAddress: (ref) => containerAddress(docker, ref) }),
  });
  // A running task's handle ref says where an exec goes: `pid:start` for a native task, else its container.
  const execs: ExecDialer = new ExecDialer({
    hostAddress: options.hostAddress,
    joinToken: options.joinToken,
    tls: options.tls,
    log,
    start: async (taskId, spec, sink): Promise<ExecProcess> => {
      const ref: string | undefined = loop.supervisor.runningRef(taskId);
      if (ref === undefined) throw new ExecStartError(`task ${taskId} is not running on this runner`, true);
      const native = /^(\d+):/.exec(ref);
      if (native) return startNativeExec(taskId, Number(native[1]), spec, sink, machineProbes.cgroups());
      return startDockerExec(docker, ref, spec, sink);
    },
  });
  const loop: ControlLoop = new ControlLoop({
    hostAddress: options.hostAddress,
    tls: options.tls,
    name: options.name,
    joinToken: options.joinToken,
    version: options.version,
    supervisor: (reporter) => new Supervisor({
      executorFor,
      executors,
      sharedDir: options.sharedDir,
      localTempDir: options.localTempDir,
      state: new StateFile(options.localTempDir, options.name),
      log,
      reporter,
      figures,
      vps,
    }),
    figures,
    log,
    backoffBaseMs: options.backoffBaseMs,
    backoffMaxMs: options.backoffMaxMs,
    tunnels,
    execs,
    resources: async () => ({
      cores: cpus().length,
      memoryBytes: BigInt(totalmem()),
      numaNodes: detectNuma(),
      gpus: await detectGpus(),
    }),
  });
  const { supervisor } = loop;
  await supervisor.recover();
  const stopPruning = supervisor.startPruning();
  const running = loop.run();
  log.info({ name: options.name, host: options.hostAddress, cores: cpus().length }, "runner started");
  return {
    loop,
    stop: async () => {
      stopPruning();
      // Ends the control stream and every SSH tunnel this runner serves.
      loop.stop();
      await running;
      await supervisor.killAll();
      // Task containers keep running; the next runner process re-adopts them.
      containers.detach();
      lock.release();
    },
  };
}
