/**
 * One error vocabulary for the whole system. Domain code throws DomainError
 * with a kind; the transport layer maps kinds to gRPC codes in one place
 * (`toConnectError`), and the CLI maps them back to messages and exit codes.
 *
 * A DomainError may also carry {@link ErrorDetails}: a stable reason and
 * structured facts a program can act on. They are plain data here (this
 * file is shared with the runner and the CLI and imports no protobuf);
 * `toConnectError` turns them into the standard `google.rpc` detail messages.
 */
import type { ErrorReason } from "./error-reasons.js";

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

/** One bad field of a request (becomes a `google.rpc.BadRequest.FieldViolation`). */
export interface FieldViolation {
  /**
   * The field's path as in the proto request (`memory`, `targets[1]`,
   * `env`); "" while the code that found it does not know the field yet
   * ({@link atField} fills it in).
   */
  readonly field: string;
  /** What is wrong and what is accepted (values, format). */
  readonly description: string;
}

/** The resource an error is about (becomes a `google.rpc.ResourceInfo`). */
export interface ResourceRef {
  /** Its type, such as `hakuriver.v1.Task` (see `RESOURCE_TYPE`). */
  readonly type: string;
  /** Its name or id, such as `123` or `node-a`. */
  readonly name: string;
  /** Its owner, when it has one ("" or absent otherwise). */
  readonly owner?: string;
  /** What about it made the call fail. */
  readonly description?: string;
}

/** One unmet precondition (becomes a `google.rpc.PreconditionFailure.Violation`). */
export interface PreconditionViolation {
  /** The kind of precondition, such as `TASK_STATUS` or `NODE_STATUS`. */
  readonly type: string;
  /** What it is about, such as `task/123` or `node/alpha`. */
  readonly subject: string;
  /** How it failed (for example the current status) and what would satisfy it. */
  readonly description: string;
}

/** Machine-readable facts about a DomainError; every part is optional. */
export interface ErrorDetails {
  /** A stable UPPER_SNAKE_CASE reason from `error-reasons.ts`. */
  readonly reason?: ErrorReason;
  /** Facts beside the reason (ids, limits, statuses), as strings. */
  readonly metadata?: Readonly<Record<string, string>>;
  /** The bad fields of the request. */
  readonly fieldViolations?: readonly FieldViolation[];
  /** The resource the error is about. */
  readonly resource?: ResourceRef;
  /** The preconditions that failed. */
  readonly preconditionViolations?: readonly PreconditionViolation[];
  /** How long a client should wait before it tries again (ms). */
  readonly retryDelayMs?: number;
}

/** An error a person can act on: its message says what was wrong and what to do. */
export class DomainError extends Error {
  /** The error's kind, which decides the gRPC code. */
  readonly kind: ErrorKind;
  /** Structured facts for programs; `{}` when none were given. */
  readonly details: ErrorDetails;

  constructor(kind: ErrorKind, message: string, details: ErrorDetails = {}) {
    super(message);
    this.kind = kind;
    this.details = details;
    this.name = "DomainError";
  }
}

/** Shorthand for a NOT_FOUND DomainError. */
export function notFound(message: string, details?: ErrorDetails): DomainError {
  return new DomainError("not_found", message, details);
}

/** Shorthand for an INVALID_ARGUMENT DomainError. */
export function invalidArgument(message: string, details?: ErrorDetails): DomainError {
  return new DomainError("invalid_argument", message, details);
}

/** Shorthand for a FAILED_PRECONDITION DomainError. */
export function failedPrecondition(message: string, details?: ErrorDetails): DomainError {
  return new DomainError("failed_precondition", message, details);
}

/**
 * An INVALID_ARGUMENT DomainError about one field: `reason`, and one field
 * violation whose description is `description` (default: the message).
 */
export function badField(field: string, reason: ErrorReason, message: string, description = message, metadata?: Record<string, string>): DomainError {
  return invalidArgument(message, { reason, fieldViolations: [{ field, description }], ...(metadata ? { metadata } : {}) });
}

/**
 * Runs `check` and places any INVALID_ARGUMENT DomainError it throws at
 * request field `field`: violations without a field get it, nested ones
 * are prefixed (`x` → `field.x`), and an error with none gets one (its
 * message as the description). The error's own reason is kept; `reason`
 * applies when it has none. Other errors pass unchanged.
 */
export function atField<T>(field: string, reason: ErrorReason, check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (!(error instanceof DomainError) || error.kind !== "invalid_argument") throw error;
    const inner = error.details.fieldViolations ?? [];
    const placed = inner.length === 0
      ? [{ field, description: error.message }]
      : inner.map((v) => ({ field: v.field === "" ? field : v.field.startsWith("[") ? `${field}${v.field}` : `${field}.${v.field}`, description: v.description }));
    const copy = new DomainError(error.kind, error.message, { ...error.details, reason: error.details.reason ?? reason, fieldViolations: placed });
    copy.stack = error.stack;
    throw copy;
  }
}

/** A NOT_FOUND DomainError about resource `name` of `type` (a `RESOURCE_TYPE`), with its ResourceInfo and `reason`. */
export function missingResource(reason: ErrorReason, type: string, name: string, message: string, description = "it does not exist"): DomainError {
  return notFound(message, { reason, resource: { type, name, description } });
}
