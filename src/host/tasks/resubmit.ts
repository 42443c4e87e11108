/**
 * A resubmit's request: the SubmitTaskRequest that asks for a stored task
 * again, so the copy goes through the same checks, permissions, admission
 * and scheduling as any submission (nothing is copied past them).
 */
import { create } from "@bufbuild/protobuf";
import { SubmitTaskRequestSchema, type SubmitTaskRequest } from "../../../gen/hakuriver/v1/client_pb.js";
import { TaskKind } from "../../../gen/hakuriver/v1/types_pb.js";
import { formatTimeLimit } from "../../shared/time-limit.js";
import type { SubmitDefaults } from "./submit-spec.js";
import { dependencyFields } from "./dependencies.js";
import type { TaskRecord } from "./task-record.js";

/**
 * The request that submits `task`'s spec again: kind, command, args, env,
 * cores, memory (in bytes), GPUs by count, container, mounts, target, name,
 * labels, dependencies (after / after_ok, so a copy of a task that waited
 * waits the same way; met or failed ones decide it at once) and a VPS's
 * public key, never as a sweep (its args are already expanded) and
 * with the queue as the Host sets it.
 *
 * `privileged` and `mounts` are sent only where they differ from the
 * Host's defaults now: a task that had them from the defaults asks for
 * nothing a submit would have to be allowed, and one that asked for more
 * asks for it again, so a caller without the role is refused as at submit.
 */
export function resubmitRequestOf(task: TaskRecord, defaults: SubmitDefaults): SubmitTaskRequest {
  const sameMounts = task.mounts.length === defaults.mounts.length && task.mounts.every((mount, i) => mount === defaults.mounts[i]);
  return create(SubmitTaskRequestSchema, {
    kind: task.kind === "vps" ? TaskKind.VPS : TaskKind.COMMAND,
    command: task.command,
    args: [...task.args],
    env: { ...task.env },
    cores: task.cores,
    memory: task.memoryBytes > 0 ? String(task.memoryBytes) : "",
    targets: task.target === "" ? [] : [task.target],
    container: task.container,
    ...(task.privileged === defaults.privileged ? {} : { privileged: task.privileged }),
    mounts: sameMounts ? [] : [...task.mounts],
    publicKey: task.publicKey,
    // A VPS without a key was submitted with ssh_mode none (no sshd).
    sshMode: task.kind === "vps" && task.publicKey === "" ? "none" : "",
    name: task.name,
    labels: { ...task.labels },
    // The limit it ran under, whether asked for or the Host's default then.
    timeLimit: task.timeLimitMs > 0 ? formatTimeLimit(task.timeLimitMs) : "",
    // GPUs asked for by count are asked for by count again (any free ones), not as the indexes it was given.
    ...(task.gpuCount > 0 ? { gpuCount: task.gpuCount } : {}),
    ...dependencyFields(task.dependencies),
  });
}
