/**
 * Maps DomainErrors to gRPC codes and standard `google.rpc` error details
 * (the one place this happens). The details travel in the
 * `grpc-status-details-bin` trailer (gRPC, gRPC-web) or the Connect error
 * body, so any client reads them with its own `google.rpc` messages.
 */
import { Code, ConnectError } from "@connectrpc/connect";
import type { DescMessage, MessageInitShape } from "@bufbuild/protobuf";
import {
  BadRequestSchema,
  ErrorInfoSchema,
  PreconditionFailureSchema,
  ResourceInfoSchema,
  RetryInfoSchema,
} from "../../gen/google/rpc/error_details_pb.js";
import { ERROR_DOMAIN } from "./error-reasons.js";
import { DomainError, type ErrorDetails, type ErrorKind } from "./errors.js";

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

/** One outgoing detail, as ConnectError takes it. */
interface OutgoingDetail {
  desc: DescMessage;
  value: MessageInitShape<DescMessage>;
}

function detail<Desc extends DescMessage>(desc: Desc, value: MessageInitShape<Desc>): OutgoingDetail {
  return { desc, value: value as MessageInitShape<DescMessage> };
}

/**
 * The `google.rpc` messages for `details`, in a fixed order: ErrorInfo
 * (only with a reason; it carries the metadata), BadRequest, ResourceInfo,
 * PreconditionFailure, RetryInfo. Empty parts give no message.
 */
export function detailMessages(details: ErrorDetails): OutgoingDetail[] {
  const out: OutgoingDetail[] = [];
  if (details.reason !== undefined) {
    out.push(detail(ErrorInfoSchema, { reason: details.reason, domain: ERROR_DOMAIN, metadata: { ...details.metadata } }));
  }
  if (details.fieldViolations && details.fieldViolations.length > 0) {
    const reason = details.reason ?? "";
    out.push(detail(BadRequestSchema, { fieldViolations: details.fieldViolations.map((v) => ({ field: v.field, description: v.description, reason })) }));
  }
  if (details.resource) {
    const { type, name, owner = "", description = "" } = details.resource;
    out.push(detail(ResourceInfoSchema, { resourceType: type, resourceName: name, owner, description }));
  }
  if (details.preconditionViolations && details.preconditionViolations.length > 0) {
    out.push(detail(PreconditionFailureSchema, { violations: details.preconditionViolations.map((v) => ({ ...v })) }));
  }
  if (details.retryDelayMs !== undefined && details.retryDelayMs >= 0) {
    const ms = Math.ceil(details.retryDelayMs);
    out.push(detail(RetryInfoSchema, { retryDelay: { seconds: BigInt(Math.floor(ms / 1000)), nanos: (ms % 1000) * 1_000_000 } }));
  }
  return out;
}

/**
 * Converts any thrown value into a ConnectError. A DomainError keeps its
 * message, gets its kind's code and its details as `google.rpc` messages;
 * a ConnectError passes unchanged; anything else is INTERNAL with its
 * message only (never a stack), the original kept as the cause for logs.
 */
export function toConnectError(error: unknown): ConnectError {
  if (error instanceof ConnectError) return error;
  if (error instanceof DomainError) return new ConnectError(error.message, CODE_OF[error.kind], undefined, detailMessages(error.details), error);
  const message = error instanceof Error ? error.message : String(error);
  return new ConnectError(`internal error: ${message}`, Code.Internal, undefined, undefined, error);
}
