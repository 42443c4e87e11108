/**
 * Turning failures into one clear line on stderr and a non-zero exit code,
 * never a stack trace.
 */
import { Code, ConnectError } from "@connectrpc/connect";
import { DomainError } from "../shared/errors.js";

/** A usage error the CLI found itself (exit code 2). */
export class UsageError extends Error {}

/** Exit code for a failed command: 2 for usage and invalid input, 1 otherwise. */
export function exitCodeOf(error: unknown): number {
  if (error instanceof UsageError) return 2;
  if (error instanceof DomainError && error.kind === "invalid_argument") return 2;
  if (error instanceof ConnectError && error.code === Code.InvalidArgument) return 2;
  return 1;
}

const CODE_NAMES: Partial<Record<Code, string>> = {
  [Code.InvalidArgument]: "invalid argument",
  [Code.NotFound]: "not found",
  [Code.FailedPrecondition]: "failed precondition",
  [Code.ResourceExhausted]: "resource exhausted",
  [Code.Unauthenticated]: "unauthenticated",
  [Code.PermissionDenied]: "permission denied",
  [Code.Unavailable]: "unavailable",
  [Code.AlreadyExists]: "already exists",
  [Code.DeadlineExceeded]: "deadline exceeded",
};

/** The line to print for an error; `hostAddress` helps when the Host is unreachable. */
export function describeError(error: unknown, hostAddress?: string): string {
  if (error instanceof ConnectError) {
    const unreachable = error.code === Code.Unavailable && /ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ETIMEDOUT|connect/i.test(error.rawMessage);
    if (unreachable && hostAddress) {
      return `error: cannot reach the Host at ${hostAddress} (${error.rawMessage}). Is "hakuriver host" running? Set --host or HAKURIVER_HOST.`;
    }
    return `error (${CODE_NAMES[error.code] ?? Code[error.code]?.toLowerCase() ?? "unknown"}): ${error.rawMessage}`;
  }
  if (error instanceof DomainError || error instanceof UsageError) return `error: ${error.message}`;
  return `error: ${error instanceof Error ? error.message : String(error)}`;
}
