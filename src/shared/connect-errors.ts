/**
 * Maps DomainError kinds to gRPC codes (the one place this happens).
 */
import { Code, ConnectError } from "@connectrpc/connect";
import { DomainError, type ErrorKind } from "./errors.js";

const CODE_OF: Record<ErrorKind, Code> = {
  invalid_argument: Code.InvalidArgument,
  not_found: Code.NotFound,
  already_exists: Code.AlreadyExists,
  failed_precondition: Code.FailedPrecondition,
  resource_exhausted: Code.ResourceExhausted,
  unavailable: Code.Unavailable,
  unauthenticated: Code.Unauthenticated,
  permission_denied: Code.PermissionDenied,
  internal: Code.Internal,
};

/** Converts any thrown value into a ConnectError; DomainErrors keep their message and code. */
export function toConnectError(error: unknown): ConnectError {
  if (error instanceof ConnectError) return error;
  if (error instanceof DomainError) return new ConnectError(error.message, CODE_OF[error.kind]);
  const message = error instanceof Error ? error.message : String(error);
  return new ConnectError(`internal error: ${message}`, Code.Internal);
}
