/**
 * Validates a submission and turns it into plain task specs, one per target.
 * Every error is INVALID_ARGUMENT with a message that says what to change,
 * a reason from `error-reasons.ts`, and a field violation naming the
 * SubmitTaskRequest field (`memory`, `targets[2]`, `env`…).
 */
import type { SubmitTaskRequest } from "../../../gen/hakuriver/v1/client_pb.js";
import { TaskKind } from "../../../gen/hakuriver/v1/types_pb.js";
import { checkEnvironmentName } from "../../shared/docker-names.js";
import { atField, badField } from "../../shared/errors.js";
import { ErrorReason } from "../../shared/error-reasons.js";
import { checkCommandSize, checkMounts, checkPublicKeySize, checkTaskCount, MAX_TARGETS } from "./request-limits.js";
import { formatTarget, parseTarget, type Target } from "../../shared/targets.js";
import { parseSize } from "../../shared/units.js";
import { parseTimeLimit } from "../../shared/time-limit.js";
import { expandSweep } from "../../shared/spans.js";
import { checkLabels, checkTaskName } from "../../shared/task-labels.js";
import type { TaskDefinition, TaskKindName } from "./task-record.js";
import { parseDependencyIds, type RequestedDependency, type TaskDependency } from "./dependencies.js";

/** Defaults the Host applies where a request leaves a field empty. */
export interface SubmitDefaults {
  readonly container: string;
  readonly privileged: boolean;
  readonly mounts: readonly string[];
  readonly queue: boolean;
  /** Time limit (ms) of a task whose request names none (`scheduler.default_time_limit`); 0 or absent = none. */
  readonly timeLimitMs?: number;
}

/** One task to create: its definition and where it was asked to run. */
export interface TaskSpecInput extends TaskDefinition {
  readonly target: Target | null;
  readonly targetText: string;
  /** What it starts after (resolved against the store at submit); none when absent. */
  readonly dependencies?: readonly TaskDependency[];
  /** False when its dependencies are known to be met already (it is queued at once); default: it waits when it has any. */
  readonly awaitingDependencies?: boolean;
}

/** The validated submission. */
export interface SubmitPlan {
  readonly specs: readonly TaskSpecInput[];
  readonly queue: boolean;
  /** The `after` / `after_ok` ids, parsed; every task of the submission waits for all of them. */
  readonly dependencies: readonly RequestedDependency[];
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const MOUNT = /^[^:]+:\/[^:]*(:(ro|rw))?$/;
const PUBLIC_KEY = /^(ssh-(rsa|dss|ed25519)|ecdsa-sha2-nistp\d+|sk-(ssh-ed25519|ecdsa-sha2-nistp256)@openssh\.com|ssh-[a-z0-9-]+-cert-v01@openssh\.com) [A-Za-z0-9+/=]+( .*)?$/;

const MOUNT_FORMAT = "HOST_PATH:/container/path[:ro|:rw]";

/** Checks a `HOST:CONTAINER[:ro|rw]` mount string; `field` is where it was in the request. */
export function validateMount(mount: string, field = "mounts"): void {
  if (!MOUNT.test(mount)) throw badField(field, ErrorReason.INVALID_MOUNT, `mount "${mount}" must look like ${MOUNT_FORMAT}`, `use ${MOUNT_FORMAT}`);
}

/**
 * The GPU count asked for (0 when unset). Set, it must be a whole number of
 * 1 or more, and no target may also name GPUs: "any 2" and "these 2" are
 * different requests, and taking both would silently drop one.
 */
function checkGpuCount(gpuCount: number | undefined, targets: readonly (Target | null)[]): number {
  if (gpuCount === undefined) return 0;
  if (!Number.isInteger(gpuCount) || gpuCount < 1) {
    throw badField("gpu_count", ErrorReason.INVALID_GPU_COUNT, `gpu_count must be a whole number of GPUs, 1 or more, got ${gpuCount} (leave it out to ask for none)`, "1 or more GPUs; leave it unset for none");
  }
  const named = targets.findIndex((target) => target !== null && target.gpus.length > 0);
  if (named >= 0) {
    const text = formatTarget(targets[named]!);
    throw badField("gpu_count", ErrorReason.INVALID_GPU_COUNT, `gpu_count (${gpuCount}) cannot be combined with target "${text}", which names its GPUs: give --gpus N with a plain node target, or name the GPUs in the target`,
      `target ${text} names GPUs; drop them from the target or leave gpu_count unset`, { target: text });
  }
  return gpuCount;
}

/** Validates the request and expands targets (and sweeps) into task specs. */
export function planSubmission(request: SubmitTaskRequest, defaults: SubmitDefaults): SubmitPlan {
  const kind: TaskKindName = request.kind === TaskKind.VPS ? "vps" : "command";
  if (kind === "command" && request.command.trim() === "") {
    throw badField("command", ErrorReason.EMPTY_COMMAND, "empty command: put the command after --, for example: hakuriver task submit -- echo hello", "a command task needs a command");
  }
  if (!Number.isFinite(request.cores) || request.cores < 0) {
    throw badField("cores", ErrorReason.INVALID_CORES, `cores must be zero or more, got ${request.cores}`, "zero (no limit) or more cores; fractions such as 0.5 are allowed");
  }
  const memoryBytes = request.memory.trim() === "" ? 0 : atField("memory", ErrorReason.INVALID_MEMORY_SIZE, () => parseSize(request.memory));
  const timeLimitMs = request.timeLimit.trim() === "" ? (defaults.timeLimitMs ?? 0) : atField("time_limit", ErrorReason.INVALID_TIME_LIMIT, () => parseTimeLimit(request.timeLimit));
  for (const name of Object.keys(request.env)) {
    if (!ENV_NAME.test(name)) {
      throw badField("env", ErrorReason.INVALID_ENV_NAME, `environment variable name "${name}" is not valid (letters, digits and _, not starting with a digit)`,
        `key ${JSON.stringify(name.slice(0, 64))}: use letters, digits and _, not starting with a digit`, { name: name.slice(0, 256) });
    }
  }
  const name = checkTaskName(request.name);
  checkLabels(request.labels);
  const container = request.container.trim() === "" ? defaults.container : request.container.trim();
  if (container !== "NULL") atField("container", ErrorReason.INVALID_ENVIRONMENT_NAME, () => checkEnvironmentName(container));
  const mounts = request.mounts.length > 0 ? [...request.mounts] : [...defaults.mounts];
  checkMounts(mounts);
  mounts.forEach((mount, index) => validateMount(mount, request.mounts.length > 0 ? `mounts[${index}]` : "mounts"));
  let publicKey = "";
  if (kind === "vps") {
    if (container === "NULL") throw badField("container", ErrorReason.VPS_NEEDS_CONTAINER, "a VPS needs a container environment; --container NULL is only for command tasks", "a VPS needs an environment name, not NULL");
    publicKey = request.publicKey.trim();
    checkPublicKeySize(publicKey);
    const sshMode = request.sshMode.trim() === "" ? "key" : request.sshMode.trim();
    if (sshMode !== "key" && sshMode !== "none") {
      throw badField("ssh_mode", ErrorReason.INVALID_FIELD, `ssh_mode must be "key" (sshd with your public key) or "none" (no sshd; reach it with hakuriver vps connect), got "${sshMode.slice(0, 64)}"`, 'one of "key", "none"');
    }
    if (sshMode === "none" && publicKey !== "") {
      throw badField("public_key", ErrorReason.INVALID_PUBLIC_KEY, "a VPS with ssh_mode none runs no sshd and takes no public key: drop the key, or use ssh_mode key", "empty with ssh_mode none");
    }
    if (sshMode === "key" && !PUBLIC_KEY.test(publicKey)) {
      throw badField("public_key", ErrorReason.INVALID_PUBLIC_KEY, "a VPS needs an OpenSSH public key (ssh-ed25519 AAAA... or ssh-rsa AAAA...)", "one OpenSSH public key line: TYPE BASE64 [COMMENT], for example ssh-ed25519 AAAA... me@host");
    }
    if (request.targets.length > 1) throw badField("targets", ErrorReason.VPS_SINGLE_TARGET, "a VPS runs on one target; give at most one --target", "at most one target for a VPS");
    if (request.sweep) throw badField("sweep", ErrorReason.SWEEP_NOT_FOR_VPS, "--sweep applies to command tasks only", "must be false for a VPS");
  }
  // Counted before anything is expanded, so an oversized request costs no memory.
  if (request.targets.length > MAX_TARGETS) checkTaskCount(request.targets.length, 1);
  const targets: (Target | null)[] = request.targets.length === 0
    ? [null]
    : request.targets.map((text, index) => atField(`targets[${index}]`, ErrorReason.INVALID_TARGET, () => parseTarget(text)));
  const gpuCount = checkGpuCount(request.gpuCount, targets);
  const invocations = request.sweep
    ? atField("args", ErrorReason.INVALID_SWEEP, () => expandSweep([request.command, ...request.args]))
    : [[request.command, ...request.args]];
  if (invocations.length === 0) {
    throw badField("args", ErrorReason.INVALID_SWEEP, "the sweep expands to no combinations (an empty span:[] list?)", "the spans must expand to at least one combination");
  }
  checkTaskCount(request.targets.length, invocations.length);
  if (kind === "command") for (const argv of invocations) checkCommandSize(argv, request.env);
  const specs: TaskSpecInput[] = [];
  for (const target of targets) {
    for (const [command = "", ...args] of invocations) {
      specs.push({
        kind,
        command: kind === "vps" ? "" : command,
        args: kind === "vps" ? [] : args,
        env: { ...request.env },
        cores: request.cores,
        memoryBytes,
        container,
        privileged: request.privileged ?? defaults.privileged,
        mounts,
        target,
        targetText: target ? formatTarget(target) : "",
        publicKey,
        timeLimitMs,
        gpuCount,
        // A sweep's tasks share the name and labels: the args tell them apart.
        name,
        labels: { ...request.labels },
      });
    }
  }
  const queue = defaults.queue && !request.noQueue;
  const dependencies = parseDependencyIds(request.after, request.afterOk);
  if (dependencies.length > 0 && !queue) {
    const field = request.afterOk.length > 0 && request.after.length === 0 ? "after_ok" : "after";
    const why = request.noQueue ? "no_queue (--no-queue) refuses to queue" : "the Host's queue is off (scheduler.queue = false)";
    throw badField(field, ErrorReason.DEPENDENCY_NEEDS_QUEUE, `a task that waits for others must queue, but ${why}`, "dependencies need the queue: drop no_queue (--no-queue)");
  }
  return { specs, queue, dependencies };
}
