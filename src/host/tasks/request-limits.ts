/**
 * Sizes a submission may have. Each limit means something: what the OS
 * accepts when the runner starts the command, what an SSH key can be, how
 * many tasks one request may create. A submission past one is refused at
 * submit (INVALID_ARGUMENT naming the limit, with the field of the
 * SubmitTaskRequest and the limit in the details), never at spawn on a node.
 */
import { badField } from "../../shared/errors.js";
import { ErrorReason } from "../../shared/error-reasons.js";
import { MAX_COMBINATIONS } from "../../shared/spans.js";

/** Linux's MAX_ARG_STRLEN: one argument or one `NAME=value`, with its NUL (bytes). */
export const MAX_ARG_BYTES = 128 * 1024;
/**
 * The command line and environment of one task together, with NULs and
 * pointers (bytes): half of Linux's smallest ARG_MAX (2 MiB), leaving room
 * for the runner's own variables and wrappers (numactl, systemd-run).
 */
export const MAX_COMMAND_LINE_BYTES = 1024 * 1024;
/** An OpenSSH public key line (bytes); a 16384-bit RSA key is about 2.8 KiB. */
export const MAX_PUBLIC_KEY_BYTES = 16 * 1024;
/** Mounts of one task. */
export const MAX_MOUNTS = 64;
/** One mount string (bytes): PATH_MAX on both sides. */
export const MAX_MOUNT_BYTES = 8 * 1024;
/** Targets of one submission. */
export const MAX_TARGETS = 1024;
/** Tasks one submission may create (targets times sweep combinations). */
export const MAX_TASKS_PER_SUBMISSION = MAX_COMBINATIONS;
/** Largest message the Host reads from any client or runner (bytes); a submit at every limit above fits. */
export const MAX_MESSAGE_BYTES = 8 * 1024 * 1024;

function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, "utf8");
}

function mib(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${bytes / (1024 * 1024)} MiB` : `${bytes / 1024} KiB`;
}

/** An ARGUMENT_TOO_LARGE error at `field`, its limit in the metadata. */
function tooLarge(field: string, message: string, limitBytes: number): Error {
  return badField(field, ErrorReason.ARGUMENT_TOO_LARGE, message, `at most ${limitBytes} bytes`, { limit_bytes: String(limitBytes) });
}

/**
 * Throws INVALID_ARGUMENT unless `argv` and `env` fit what the OS accepts
 * at exec: every string under {@link MAX_ARG_BYTES}, all of them together
 * under {@link MAX_COMMAND_LINE_BYTES}.
 */
export function checkCommandSize(argv: readonly string[], env: Readonly<Record<string, string>>): void {
  let total = 0;
  for (const [index, arg] of argv.entries()) {
    const bytes = utf8Bytes(arg) + 1;
    if (bytes > MAX_ARG_BYTES) {
      const message = `${index === 0 ? "the command" : `argument ${index}`} is ${bytes - 1} bytes; the OS accepts at most ${MAX_ARG_BYTES - 1} bytes in one argument (pass large data in a file under the shared dir)`;
      throw tooLarge(index === 0 ? "command" : `args[${index - 1}]`, message, MAX_ARG_BYTES - 1);
    }
    total += bytes + 8;
  }
  for (const [name, value] of Object.entries(env)) {
    const bytes = utf8Bytes(name) + 1 + utf8Bytes(value) + 1;
    if (bytes > MAX_ARG_BYTES) {
      throw tooLarge("env", `environment variable ${name.slice(0, 64)} is ${bytes - 1} bytes; the OS accepts at most ${MAX_ARG_BYTES - 1} bytes in one variable`, MAX_ARG_BYTES - 1);
    }
    total += bytes + 8;
  }
  if (total > MAX_COMMAND_LINE_BYTES) {
    throw tooLarge("args", `the command line and environment take ${total} bytes; the limit is ${mib(MAX_COMMAND_LINE_BYTES)} (the OS refuses more when the task starts)`, MAX_COMMAND_LINE_BYTES);
  }
}

/** Throws INVALID_ARGUMENT when a VPS public key is longer than {@link MAX_PUBLIC_KEY_BYTES}. */
export function checkPublicKeySize(publicKey: string): void {
  const bytes = utf8Bytes(publicKey);
  if (bytes > MAX_PUBLIC_KEY_BYTES) throw tooLarge("public_key", `the public key is ${bytes} bytes; the limit is ${mib(MAX_PUBLIC_KEY_BYTES)} (one OpenSSH key line)`, MAX_PUBLIC_KEY_BYTES);
}

/** Throws INVALID_ARGUMENT when there are too many mounts or one is too long. */
export function checkMounts(mounts: readonly string[]): void {
  if (mounts.length > MAX_MOUNTS) {
    throw badField("mounts", ErrorReason.TOO_MANY_MOUNTS, `${mounts.length} mounts given; the limit is ${MAX_MOUNTS}`, `at most ${MAX_MOUNTS} mounts`, { limit: String(MAX_MOUNTS) });
  }
  for (const [index, mount] of mounts.entries()) {
    const bytes = utf8Bytes(mount);
    if (bytes > MAX_MOUNT_BYTES) throw tooLarge(`mounts[${index}]`, `a mount is ${bytes} bytes; the limit is ${mib(MAX_MOUNT_BYTES)}`, MAX_MOUNT_BYTES);
  }
}

/** Throws INVALID_ARGUMENT when a submission names too many targets or would create too many tasks. */
export function checkTaskCount(targets: number, combinations: number): void {
  if (targets > MAX_TARGETS) {
    throw badField("targets", ErrorReason.TOO_MANY_TARGETS, `${targets} targets given; the limit is ${MAX_TARGETS}`, `at most ${MAX_TARGETS} targets`, { limit: String(MAX_TARGETS) });
  }
  const tasks = Math.max(1, targets) * combinations;
  if (tasks > MAX_TASKS_PER_SUBMISSION) {
    const message = `the submission makes ${tasks} tasks (${Math.max(1, targets)} targets × ${combinations} combinations); the limit is ${MAX_TASKS_PER_SUBMISSION}`;
    // The sweep's spans multiply the tasks when there is one; otherwise only the targets do.
    const field = combinations > 1 ? "args" : "targets";
    throw badField(field, ErrorReason.TOO_MANY_TASKS, message, `targets × sweep combinations must be at most ${MAX_TASKS_PER_SUBMISSION} tasks; split the submission`, {
      tasks: String(tasks),
      targets: String(Math.max(1, targets)),
      combinations: String(combinations),
      limit: String(MAX_TASKS_PER_SUBMISSION),
    });
  }
}
