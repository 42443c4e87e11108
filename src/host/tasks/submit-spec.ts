/**
 * Validates a submission and turns it into plain task specs, one per target.
 * Every error is INVALID_ARGUMENT with a message that says what to change.
 */
import type { SubmitTaskRequest } from "../../../gen/hakuriver/v1/client_pb.js";
import { TaskKind } from "../../../gen/hakuriver/v1/types_pb.js";
import { checkEnvironmentName } from "../../shared/docker-names.js";
import { invalidArgument } from "../../shared/errors.js";
import { checkCommandSize, checkMounts, checkPublicKeySize, checkTaskCount, MAX_TARGETS } from "./request-limits.js";
import { formatTarget, parseTarget, type Target } from "../../shared/targets.js";
import { parseSize } from "../../shared/units.js";
import { expandSweep } from "../../shared/spans.js";
import type { TaskDefinition, TaskKindName } from "./task-record.js";

/** Defaults the Host applies where a request leaves a field empty. */
export interface SubmitDefaults {
  readonly container: string;
  readonly privileged: boolean;
  readonly mounts: readonly string[];
  readonly queue: boolean;
}

/** One task to create: its definition and where it was asked to run. */
export interface TaskSpecInput extends TaskDefinition {
  readonly target: Target | null;
  readonly targetText: string;
}

/** The validated submission. */
export interface SubmitPlan {
  readonly specs: readonly TaskSpecInput[];
  readonly queue: boolean;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const MOUNT = /^[^:]+:\/[^:]*(:(ro|rw))?$/;
const PUBLIC_KEY = /^(ssh-(rsa|dss|ed25519)|ecdsa-sha2-nistp\d+|sk-(ssh-ed25519|ecdsa-sha2-nistp256)@openssh\.com|ssh-[a-z0-9-]+-cert-v01@openssh\.com) [A-Za-z0-9+/=]+( .*)?$/;

/** Checks a `HOST:CONTAINER[:ro|rw]` mount string. */
export function validateMount(mount: string): void {
  if (!MOUNT.test(mount)) throw invalidArgument(`mount "${mount}" must look like HOST_PATH:/container/path[:ro|:rw]`);
}

/** Validates the request and expands targets (and sweeps) into task specs. */
export function planSubmission(request: SubmitTaskRequest, defaults: SubmitDefaults): SubmitPlan {
  const kind: TaskKindName = request.kind === TaskKind.VPS ? "vps" : "command";
  if (kind === "command" && request.command.trim() === "") {
    throw invalidArgument("empty command: put the command after --, for example: hakuriver task submit -- echo hello");
  }
  if (!Number.isFinite(request.cores) || request.cores < 0) {
    throw invalidArgument(`cores must be zero or more, got ${request.cores}`);
  }
  const memoryBytes = request.memory.trim() === "" ? 0 : parseSize(request.memory);
  for (const name of Object.keys(request.env)) {
    if (!ENV_NAME.test(name)) throw invalidArgument(`environment variable name "${name}" is not valid (letters, digits and _, not starting with a digit)`);
  }
  const container = request.container.trim() === "" ? defaults.container : request.container.trim();
  if (container !== "NULL") checkEnvironmentName(container);
  const mounts = request.mounts.length > 0 ? [...request.mounts] : [...defaults.mounts];
  checkMounts(mounts);
  mounts.forEach(validateMount);
  let publicKey = "";
  if (kind === "vps") {
    if (container === "NULL") throw invalidArgument("a VPS needs a container environment; --container NULL is only for command tasks");
    publicKey = request.publicKey.trim();
    checkPublicKeySize(publicKey);
    if (!PUBLIC_KEY.test(publicKey)) throw invalidArgument("a VPS needs an OpenSSH public key (ssh-ed25519 AAAA... or ssh-rsa AAAA...)");
    if (request.targets.length > 1) throw invalidArgument("a VPS runs on one target; give at most one --target");
    if (request.sweep) throw invalidArgument("--sweep applies to command tasks only");
  }
  // Counted before anything is expanded, so an oversized request costs no memory.
  if (request.targets.length > MAX_TARGETS) checkTaskCount(request.targets.length, 1);
  const targets: (Target | null)[] = request.targets.length === 0 ? [null] : request.targets.map(parseTarget);
  const invocations = request.sweep ? expandSweep([request.command, ...request.args]) : [[request.command, ...request.args]];
  if (invocations.length === 0) throw invalidArgument("the sweep expands to no combinations (an empty span:[] list?)");
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
      });
    }
  }
  return { specs, queue: defaults.queue && !request.noQueue };
}
