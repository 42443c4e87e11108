/**
 * Turning failures into one clear line on stderr (and, when the error names
 * bad request fields, one indented line per field under it) and a non-zero
 * exit code, never a stack trace.
 */
import { Code, ConnectError } from "@connectrpc/connect";
import { BadRequestSchema } from "../../gen/google/rpc/error_details_pb.js";
import { DomainError, type FieldViolation } from "../shared/errors.js";
import { UsageError } from "./usage-error.js";

export { UsageError };

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

/**
 * How a plain-text HTTP/2 client fails against a TLS port: the Host's TLS
 * layer drops the connection at the client's preface, which the client sees
 * as a reset or a cancelled stream.
 */
const DROPPED_CONNECTION = /ECONNRESET|socket hang up|error code CANCEL \(0x8\)/;

/** The field violations an error carries (a ConnectError's BadRequest details, a DomainError's own), those naming a field only. */
export function fieldViolationsOf(error: unknown): FieldViolation[] {
  const all = error instanceof ConnectError
    ? error.findDetails(BadRequestSchema).flatMap((request) => request.fieldViolations)
    : error instanceof DomainError
      ? [...(error.details.fieldViolations ?? [])]
      : [];
  return all.filter((v) => v.field !== "" && v.description !== "").map((v) => ({ field: v.field, description: v.description }));
}

/**
 * The text to print for an error: one line, then `  field: description`
 * for each bad field it names; `hostAddress` helps when the Host is
 * unreachable.
 */
export function describeError(error: unknown, hostAddress?: string): string {
  const fields = fieldViolationsOf(error).map((v) => `  ${v.field}: ${v.description}`);
  return [describeErrorLine(error, hostAddress), ...fields].join("\n");
}

function describeErrorLine(error: unknown, hostAddress?: string): string {
  if (error instanceof ConnectError) {
    // `connect` as a word (Node's "connect ECONNREFUSED ..."), not inside the Host's own "... when its runner reconnects".
    const unreachable = error.code === Code.Unavailable && /ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ETIMEDOUT|\bconnect\b/i.test(error.rawMessage);
    if (unreachable && hostAddress) {
      return `error: cannot reach the Host at ${hostAddress} (${error.rawMessage}). Is "hakuriver host" running? Set --host or HAKURIVER_HOST.`;
    }
    const dropped = [Code.Canceled, Code.Aborted, Code.Unavailable].includes(error.code) && DROPPED_CONNECTION.test(error.rawMessage);
    if (dropped && hostAddress) {
      return `error: the Host at ${hostAddress} dropped the connection (${error.rawMessage}). If it serves TLS ("TLS on" in its output) and this client does not, pass --tls-fingerprint FP or --ca FILE.`;
    }
    return `error (${CODE_NAMES[error.code] ?? Code[error.code]?.toLowerCase() ?? "unknown"}): ${error.rawMessage}`;
  }
  if (error instanceof DomainError || error instanceof UsageError) return `error: ${error.message}`;
  return `error: ${error instanceof Error ? error.message : String(error)}`;
}
