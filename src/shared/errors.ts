/**
 * One error vocabulary for the whole system. Domain code throws DomainError
 * with a kind; the transport layer maps kinds to gRPC codes in one place
 * (`toConnectError`), and the CLI maps them back to messages and exit codes.
 */
export type ErrorKind =
  | "invalid_argument"
  | "not_found"
  | "already_exists"
  | "failed_precondition"
  | "resource_exhausted"
  | "unavailable"
  | "unauthenticated"
  | "permission_denied"
  | "internal";

/** An error a person can act on: its message says what was wrong and what to do. */
export class DomainError extends Error {
  /** The error's kind, which decides the gRPC code. */
  readonly kind: ErrorKind;

  constructor(kind: ErrorKind, message: string) {
    super(message);
    this.kind = kind;
    this.name = "DomainError";
  }
}

/** Shorthand for a NOT_FOUND DomainError. */
export function notFound(message: string): DomainError {
  return new DomainError("not_found", message);
}

/** Shorthand for an INVALID_ARGUMENT DomainError. */
export function invalidArgument(message: string): DomainError {
  return new DomainError("invalid_argument", message);
}

/** Shorthand for a FAILED_PRECONDITION DomainError. */
export function failedPrecondition(message: string): DomainError {
  return new DomainError("failed_precondition", message);
}
