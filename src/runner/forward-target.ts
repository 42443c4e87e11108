/**
 * Where a port forward of a task goes on this runner: the task's own
 * address and the port asked, never an address the Host or a client names.
 * A command task (native, or a container on the host network) shares the
 * runner's network: 127.0.0.1. A VPS has its own network namespace: the
 * container's address on its engine's bridge (reachable from the runner,
 * never published).
 */
import type Docker from "dockerode";
import type { TaskStatusName } from "../shared/task-status.js";
import type { TaskHandle } from "./executors/executor.js";
import { VpsHandle } from "./vps/vps-handle.js";

/** An address and port to dial. */
export interface DialTarget {
  readonly host: string;
  readonly port: number;
}

/** What resolving a forward needs. */
export interface ForwardTargetDeps {
  /** The task as this runner holds it, if it does. */
  held(taskId: string): { readonly status: TaskStatusName; readonly handle?: TaskHandle } | undefined;
  /** The address of container `ref` on its network, if it has one. */
  containerAddress(ref: string): Promise<string | undefined>;
}

/** Resolves the target of a forward to `port` of task `taskId`, or says why there is none. */
export async function forwardTarget(taskId: string, port: number, deps: ForwardTargetDeps): Promise<DialTarget | string> {
  if (!Number.isInteger(port) || port < 1 || port > 65535) return `port ${port} is not a TCP port (1-65535)`;
  const task = deps.held(taskId);
  if (!task || task.status !== "running" || !task.handle) return `task ${taskId} is not running on this runner`;
  if (!(task.handle instanceof VpsHandle)) return { host: "127.0.0.1", port };
  const address = await deps.containerAddress(task.handle.ref);
  if (!address) return `VPS ${taskId}'s container has no network address`;
  return { host: address, port };
}

/** The container's IPv4 address: its default bridge address, else its first network's. */
export async function containerAddress(docker: Docker, ref: string): Promise<string | undefined> {
  const info = await docker.getContainer(ref).inspect();
  // Docker's default-bridge address (the typings leave it out), else the first network's.
  const settings = info.NetworkSettings as typeof info.NetworkSettings & { IPAddress?: string };
  if (settings.IPAddress) return settings.IPAddress;
  return Object.values(settings.Networks ?? {}).map((network) => network.IPAddress).find((address) => address !== "");
}
