/**
 * The Docker create options of a command task: `hakuriver-task-<id>` from
 * `hakuriver/<env>:base`, labelled so a restarted runner finds it, with the
 * shared and local-temp mounts, workdir /shared and the task's limits.
 */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type Docker from "dockerode";
import type { TaskSpec } from "../../../gen/hakuriver/v1/runner_pb.js";
import type { StartContext } from "../executors/executor.js";

/**
 * Labels of task containers. A committed environment image carries its
 * container's labels, and Docker merges image labels into a container's, so
 * every key the Host reads (`role`, `env`) is set here explicitly: a task
 * container never passes for an environment container.
 */
export const LABELS = {
  managed: "hakuriver.managed",
  /** Same key as the Host's environment label; runners set {@link ROLES}. */
  role: "hakuriver.role",
  taskId: "hakuriver.task_id",
  kind: "hakuriver.kind",
  runner: "hakuriver.runner",
  env: "hakuriver.env",
} as const;

/** Values of {@link LABELS}.role on runner-made containers (the Host's own are "environment"). */
export const ROLES = { task: "task", vps: "vps" } as const;

/** The container name of a task. */
export function taskContainerName(taskId: string): string {
  return `hakuriver-task-${taskId}`;
}

/** CPUs of a NUMA node as a cpuset list (`0-3,8-11`), from sysfs; undefined when unknown. */
export function numaCpuList(node: number, sysRoot = "/sys/devices/system/node"): string | undefined {
  try {
    return readFileSync(join(sysRoot, `node${node}`, "cpulist"), "utf8").trim() || undefined;
  } catch {
    return undefined;
  }
}

/** The environment a task container gets: HAKURIVER_* variables (container paths), then the task's own. */
export function containerEnv(spec: TaskSpec): string[] {
  const env: Record<string, string> = {
    HAKURIVER_TASK_ID: spec.taskId,
    HAKURIVER_SHARED_DIR: "/shared",
    HAKURIVER_LOCAL_TEMP_DIR: "/local_temp",
  };
  if (spec.numaNode !== undefined) env.HAKURIVER_TARGET_NUMA_NODE = String(spec.numaNode);
  if (spec.gpus.length > 0) env.HAKURIVER_TARGET_GPUS = spec.gpus.join(",");
  return Object.entries({ ...env, ...spec.env }).map(([k, v]) => `${k}=${v}`);
}

/**
 * The host config every HakuRiver container (command task or VPS) shares:
 * `/shared` and `/local_temp` mounts plus the task's extra mounts, privilege,
 * CPU quota, a hard memory limit, GPUs by index and a NUMA cpuset.
 */
export function resourceHostConfig(spec: TaskSpec, context: Pick<StartContext, "sharedDir" | "localTempDir">): Docker.HostConfig {
  const binds = [`${resolve(context.sharedDir, "shared_data")}:/shared`, `${resolve(context.localTempDir)}:/local_temp`, ...spec.mounts];
  const host: Docker.HostConfig = {
    Binds: binds,
    Privileged: spec.privileged,
    CapAdd: spec.privileged ? undefined : ["SYS_NICE"],
  };
  if (spec.cores > 0) host.NanoCpus = Math.round(spec.cores * 1e9);
  if (spec.memoryBytes > 0n) {
    // Swap equal to memory: the limit is hard, so a hog is OOM-killed rather than swapped.
    host.Memory = Number(spec.memoryBytes);
    host.MemorySwap = Number(spec.memoryBytes);
  }
  if (spec.gpus.length > 0) host.DeviceRequests = [{ Driver: "nvidia", DeviceIDs: spec.gpus.map(String), Capabilities: [["gpu"]] }];
  if (spec.numaNode !== undefined) {
    host.CpusetMems = String(spec.numaNode);
    const cpus = numaCpuList(spec.numaNode);
    if (cpus) host.CpusetCpus = cpus;
  }
  return host;
}

/** Create options for a task container; `runner` is this runner's name (a label). */
export function taskContainerOptions(spec: TaskSpec, context: StartContext, image: string, runner: string): Docker.ContainerCreateOptions {
  return {
    name: taskContainerName(spec.taskId),
    Image: image,
    Cmd: [spec.command, ...spec.args],
    Env: containerEnv(spec),
    WorkingDir: "/shared",
    Tty: false,
    OpenStdin: false,
    AttachStdout: true,
    AttachStderr: true,
    Labels: {
      [LABELS.managed]: "true",
      [LABELS.role]: ROLES.task,
      [LABELS.taskId]: spec.taskId,
      [LABELS.kind]: "command",
      [LABELS.runner]: runner,
      [LABELS.env]: spec.container,
    },
    HostConfig: { ...resourceHostConfig(spec, context), NetworkMode: "host" },
  };
}
