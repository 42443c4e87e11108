/**
 * VPS tasks: a long-lived container `hakuriver-vps-<id>` running sshd,
 * detached with restart unless-stopped, its port 22 published on the
 * runner's 127.0.0.1 only (the Host reaches it through a tunnel stream the
 * runner opens, never directly). `start` resolves only once sshd answers,
 * so the supervisor reports `running` exactly when a login can work.
 */
import type Docker from "dockerode";
import type { TaskSpec } from "../../../gen/hakuriver/v1/runner_pb.js";
import { environmentImage } from "../../shared/tarballs.js";
import { Limiter } from "../docker/limiter.js";
import { LABELS, ROLES, containerEnv, resourceHostConfig } from "../docker/task-container.js";
import type { Executor, OutputSink, Recovery, RecoveryHint, StartContext, TaskHandle } from "../executors/executor.js";
import { saveSnapshot, type SavedSnapshot } from "./vps-snapshot.js";
import { readHostKeys } from "./host-keys.js";
import { waitForSshBanner } from "./ssh-banner.js";
import { AUTHORIZED_KEY_ENV, KEEP_ALIVE_SCRIPT, NO_SSHD_EXIT_CODE, SSHD_SCRIPT } from "./sshd-script.js";
import { isEngineNotFound as isNotFound } from "../../shared/docker-errors.js";
import { VpsHandle, containerPort } from "./vps-handle.js";


/** Options of {@link VpsExecutor}. */
export interface VpsExecutorOptions {
  readonly docker: Docker;
  /**
   * Makes environment `env`'s image present and returns its reference
   * (tarball sync). Default: `hakuriver/<env>:base` must already exist.
   */
  readonly ensureImage?: (env: string) => Promise<string>;
  /** How long sshd may take to answer after the container started (default 120 s). */
  readonly sshdTimeoutMs?: number;
  /** Container creations/starts allowed at once (default 3; dockerd 20.10 deadlocks on bursts). */
  readonly startSlots?: number;
  /** `shared_dir/<container_dir>`, where snapshots are saved as environment tarballs; none = snapshots are refused. */
  readonly tarballDir?: string;
}

/** Label of a VPS container started without sshd (value "none"), so a restarted runner adopts it with no port. */
export const SSH_MODE_LABEL = "hakuriver.ssh";

/** The container name of a VPS task. */
export function vpsContainerName(taskId: string): string {
  return `hakuriver-vps-${taskId}`;
}

/** Starts and re-adopts VPS containers. */
export class VpsExecutor implements Executor {
  readonly name = "vps";
  /** A VPS outlives a runner restart (restart unless-stopped); the next runner re-adopts it. */
  readonly survivesRunnerRestart = true;
  private readonly ports = new Map<string, number>();
  private readonly limiter: Limiter;

  constructor(private readonly options: VpsExecutorOptions) {
    this.limiter = new Limiter(options.startSlots ?? 3);
  }

  /** The sshd port on 127.0.0.1 of a VPS this runner holds, if any. */
  sshPortOf(taskId: string): number | undefined {
    return this.ports.get(taskId);
  }

  private async image(env: string): Promise<string> {
    if (this.options.ensureImage) return this.options.ensureImage(env);
    const ref = environmentImage(env);
    try {
      await this.options.docker.getImage(ref).inspect();
    } catch (error) {
      if (isNotFound(error)) throw new Error(`image ${ref} is not on this runner (no tarball of environment "${env}" was loaded)`);
      throw error;
    }
    return ref;
  }

  async start(spec: TaskSpec, sink: OutputSink, context: StartContext): Promise<TaskHandle> {
    const { docker } = this.options;
    const name = vpsContainerName(spec.taskId);
    if (spec.noSsh) return this.startWithoutSsh(spec, sink, context);
    if (spec.publicKey.trim() === "") throw new Error("a VPS needs a public key");
    const image = await this.image(spec.container);
    const create = () => docker.createContainer({
      name,
      Image: image,
      Entrypoint: ["/bin/sh", "-c", SSHD_SCRIPT],
      Cmd: [],
      Env: [...containerEnv(spec), `${AUTHORIZED_KEY_ENV}=${spec.publicKey.trim()}`],
      WorkingDir: "/shared",
      Labels: { [LABELS.managed]: "true", [LABELS.role]: ROLES.vps, [LABELS.taskId]: spec.taskId, [LABELS.kind]: "vps", [LABELS.env]: spec.container },
      ExposedPorts: { "22/tcp": {} },
      HostConfig: {
        ...resourceHostConfig(spec, context),
        RestartPolicy: { Name: "unless-stopped" },
        PortBindings: { "22/tcp": [{ HostIp: "127.0.0.1", HostPort: "0" }] },
      },
    });
    const container = await this.limiter.run(async () => {
      // A leftover of the same task (an earlier failed start) would block the name.
      await docker.getContainer(name).remove({ force: true }).catch(() => {});
      const created = await create();
      try {
        await created.start();
      } catch (error) {
        await created.remove({ force: true }).catch(() => {});
        throw error;
      }
      return created;
    });
    try {
      return await this.ready(container, spec.taskId, sink);
    } catch (error) {
      await container.remove({ force: true }).catch(() => {});
      throw error;
    }
  }

  /** Waits for a started VPS container's sshd to answer, then holds its port and returns its handle. */
  private async ready(container: Docker.Container, taskId: string, sink: OutputSink): Promise<VpsHandle> {
    const port = containerPort(await container.inspect());
    if (!port) throw new Error("Docker published no port for the VPS's sshd");
    const banner = await waitForSshBanner("127.0.0.1", port, this.options.sshdTimeoutMs ?? 120_000, async () => {
      const info = await container.inspect().catch(() => undefined);
      if (!info) return "the VPS container disappeared while sshd was starting";
      if (info.State.Running && !info.State.Restarting) return undefined;
      const why = info.State.ExitCode === NO_SSHD_EXIT_CODE ? "openssh is missing in the image and could not be installed" : `the container exited with code ${info.State.ExitCode}`;
      return `sshd did not start: ${why}: ${await logTail(container)}`;
    });
    const hostKeys = await hostKeysOrNote(container, sink);
    this.ports.set(taskId, port);
    sink.stdout(Buffer.from(`VPS ${vpsContainerName(taskId)} is up; sshd (${banner}) on the runner's 127.0.0.1:${port}\n`));
    return new VpsHandle(container, port, () => this.ports.delete(taskId), hostKeys);
  }

  /**
   * Starts the kept container of a stopped VPS again (its filesystem as it
   * was; Docker publishes sshd on a new loopback port) and resolves once
   * sshd answers. Rejects when the container is gone or will not start.
   */
  async startStopped(taskId: string, sink: OutputSink): Promise<TaskHandle> {
    const container = this.options.docker.getContainer(vpsContainerName(taskId));
    const info = await container.inspect().catch((error: unknown) => {
      if (isNotFound(error)) throw new Error(`the VPS's container ${vpsContainerName(taskId)} is gone from this node; start it on a node from a snapshot (vps start ID --node NODE)`);
      throw error;
    });
    if (!info.State.Running) await this.limiter.run(() => container.start());
    if (info.Config.Labels?.[SSH_MODE_LABEL] === "none") {
      sink.stdout(Buffer.from(`VPS ${vpsContainerName(taskId)} is up again without sshd; open a shell with: hakuriver vps connect ${taskId}\n`));
      return new VpsHandle(container, 0, () => {});
    }
    return this.ready(container, taskId, sink);
  }

  /** Commits the VPS's container (running, paused or stopped) and saves it as snapshot `name` in the tarball dir. */
  async snapshot(taskId: string, name: string): Promise<SavedSnapshot> {
    if (!this.options.tarballDir) throw new Error("this runner has no shared tarball directory to save snapshots in");
    return saveSnapshot(this.options.docker, vpsContainerName(taskId), name, this.options.tarballDir);
  }

  /**
   * A VPS with no sshd and no key (`ssh_mode` none): any image with /bin/sh,
   * kept alive by a sleeping loop, no port published; reached through exec.
   * It runs once the container started.
   */
  private async startWithoutSsh(spec: TaskSpec, sink: OutputSink, context: StartContext): Promise<TaskHandle> {
    const { docker } = this.options;
    const name = vpsContainerName(spec.taskId);
    const image = await this.image(spec.container);
    const container = await this.limiter.run(async () => {
      await docker.getContainer(name).remove({ force: true }).catch(() => {});
      const created = await docker.createContainer({
        name,
        Image: image,
        Entrypoint: ["/bin/sh", "-c", KEEP_ALIVE_SCRIPT],
        Cmd: [],
        Env: containerEnv(spec),
        WorkingDir: "/shared",
        Labels: { [LABELS.managed]: "true", [LABELS.role]: ROLES.vps, [LABELS.taskId]: spec.taskId, [LABELS.kind]: "vps", [LABELS.env]: spec.container, [SSH_MODE_LABEL]: "none" },
        HostConfig: { ...resourceHostConfig(spec, context), RestartPolicy: { Name: "unless-stopped" } },
      });
      try {
        await created.start();
      } catch (error) {
        await created.remove({ force: true }).catch(() => {});
        throw error;
      }
      return created;
    });
    sink.stdout(Buffer.from(`VPS ${name} is up without sshd; open a shell with: hakuriver vps connect ${spec.taskId}\n`));
    return new VpsHandle(container, 0, () => {});
  }

  /**
   * Adopts a VPS whose container still runs (or is paused) with its port
   * published (none for a VPS without sshd); one stopped on request whose container is still there is
   * held stopped.
   */
  async recover(taskId: string, ref: string, _sink?: OutputSink, hint: RecoveryHint = {}): Promise<Recovery> {
    // Received but not recorded with its container id (the runner died while starting it): look it up by name.
    const container = this.options.docker.getContainer(ref === "" ? vpsContainerName(taskId) : ref);
    const info = await container.inspect().catch(() => undefined);
    if (hint.stopped && info && !info.State.Running) return { kind: "stopped" };
    const port = info ? containerPort(info) : undefined;
    const noSsh = info?.Config.Labels?.[SSH_MODE_LABEL] === "none";
    if (!info || !(info.State.Running || info.State.Paused)) return { kind: "lost" };
    if (noSsh) return { kind: "adopted", paused: info.State.Paused, handle: new VpsHandle(container, 0, () => {}) };
    if (!port) return { kind: "lost" };
    this.ports.set(taskId, port);
    // A paused container cannot exec; the Host keeps the keys it was sent when the VPS started.
    const hostKeys = info.State.Paused ? [] : await readHostKeys(container).catch(() => []);
    return { kind: "adopted", paused: info.State.Paused, handle: new VpsHandle(container, port, () => this.ports.delete(taskId), hostKeys) };
  }

  /** Removes the task's container, if any is left. */
  async destroy(taskId: string, ref: string): Promise<void> {
    await this.options.docker.getContainer(ref === "" ? vpsContainerName(taskId) : ref).remove({ force: true }).catch(() => {});
  }

  /** Nothing to sweep: a VPS container is created only for a recorded task. */
  async sweepOrphans(): Promise<void> {}
}

/**
 * The sshd's host keys, or none with a note in the task's stderr saying why
 * (clients then fall back to trusting the key on first use, and say so).
 */
async function hostKeysOrNote(container: Docker.Container, sink: OutputSink): Promise<string[]> {
  try {
    return await readHostKeys(container);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    sink.stderr(Buffer.from(`hakuriver-vps: could not read sshd's host keys (${why}); ssh-config will trust the key on first use\n`));
    return [];
  }
}

async function logTail(container: Docker.Container): Promise<string> {
  try {
    const raw = (await container.logs({ stdout: true, stderr: true, tail: 20 })) as unknown as Buffer;
    // Multiplexed frames: 8-byte headers before each chunk.
    const parts: string[] = [];
    for (let at = 0; at + 8 <= raw.length; ) {
      const size = raw.readUInt32BE(at + 4);
      parts.push(raw.subarray(at + 8, at + 8 + size).toString("utf8"));
      at += 8 + size;
    }
    return parts.join("").trim().split("\n").slice(-5).join(" | ") || "(no output)";
  } catch {
    return "(no logs)";
  }
}
