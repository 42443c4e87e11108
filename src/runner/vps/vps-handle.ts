/**
 * A started VPS container as the supervisor sees it. With restart
 * unless-stopped, Docker restarts a VPS whose sshd died; the task ends only
 * when the container stops for good (kill, or stopped from outside), and
 * the container is then removed (the original's `docker stop` + `docker rm`).
 * A stop on request (`stop`) keeps the container: the watch then ends with
 * `keptStopped`, and a later start makes a new handle of the same container.
 */
import type Docker from "dockerode";
import { isEngineNotFound as isNotFound } from "../../shared/docker-errors.js";
import type { ExitInfo, TaskHandle } from "../executors/executor.js";

/** The host port Docker published for the container's 22/tcp, if any. */
export function containerPort(info: Docker.ContainerInspectInfo): number | undefined {
  const bindings = info.NetworkSettings?.Ports?.["22/tcp"] ?? [];
  const port = Number(bindings?.[0]?.HostPort ?? 0);
  return port > 0 ? port : undefined;
}

/** The handle of one VPS container. */
export class VpsHandle implements TaskHandle {
  readonly ref: string;
  private ended: Promise<ExitInfo> | undefined;
  /** Set by {@link stop}: the container's next stop is the one asked for, and it is kept. */
  private stopping = false;

  /**
   * `sshHostKeys`: the sshd's public host keys (`TYPE BASE64` lines), reported
   * with the running event; empty when they could not be read.
   */
  constructor(
    private readonly container: Docker.Container,
    readonly sshPort: number,
    private readonly onEnd: () => void,
    readonly sshHostKeys: readonly string[] = [],
  ) {
    this.ref = container.id;
  }

  wait(): Promise<ExitInfo> {
    this.ended ??= this.watch().finally(this.onEnd);
    return this.ended;
  }

  private async watch(): Promise<ExitInfo> {
    for (;;) {
      try {
        await this.container.wait({ condition: "not-running" });
      } catch (error) {
        if (isNotFound(error)) return { exitCode: null, oomKilled: false, detail: "the VPS container was removed" };
        // The engine connection broke: look again shortly.
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
      let info: Docker.ContainerInspectInfo;
      try {
        info = await this.container.inspect();
      } catch (error) {
        if (isNotFound(error)) return { exitCode: null, oomKilled: false, detail: "the VPS container was removed" };
        continue;
      }
      // The restart policy brought it back (or is about to): keep waiting.
      if (info.State.Running || info.State.Restarting || info.State.Paused) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        continue;
      }
      if (this.stopping) return { exitCode: info.State.ExitCode, oomKilled: false, keptStopped: true, detail: "stopped by user; its container is kept" };
      await this.container.remove({ force: true }).catch(() => {});
      return { exitCode: info.State.ExitCode, oomKilled: info.State.OOMKilled, detail: `the VPS container stopped with code ${info.State.ExitCode}` };
    }
  }

  async kill(): Promise<void> {
    await this.container.unpause().catch(() => {});
    await this.container.stop({ t: 5 }).catch(() => {});
    await this.container.remove({ force: true }).catch(() => {});
  }

  async pause(): Promise<void> {
    await this.container.pause();
  }

  /** Stops the container (sshd gets 10 s) and keeps it, with its filesystem. */
  async stop(): Promise<void> {
    this.stopping = true;
    try {
      await this.container.unpause().catch(() => {});
      await this.container.stop({ t: 10 });
    } catch (error) {
      // Stopped already (304) is what was asked; anything else leaves it running.
      if ((error as { statusCode?: number }).statusCode === 304) return;
      this.stopping = false;
      throw error;
    }
  }

  async resume(): Promise<void> {
    await this.container.unpause();
  }
}
