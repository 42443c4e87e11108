/**
 * The auth interceptor: every call of both services passes it. It finds the
 * RPC's row in the policy (none: refused, fail closed), checks the caller's
 * `authorization: Bearer` token (after the login throttle, so a locked-out
 * address costs no hashing), checks the role the row asks for, hands the
 * principal to the handler in context values, records audited calls with
 * their outcome, and ends a stream the moment its token is revoked.
 */
import { Code, ConnectError, type Interceptor, type StreamRequest, type UnaryRequest } from "@connectrpc/connect";
import { toConnectError } from "../../shared/connect-errors.js";
import { DomainError } from "../../shared/errors.js";
import { ErrorReason } from "../../shared/error-reasons.js";
import { authenticate, type AuthenticatorDeps } from "./authenticator.js";
import { describeCall } from "./call-description.js";
import { ruleOf, type Rule } from "./policy.js";
import { peerAddressKey, principalKey, principalName, type Principal } from "./principal.js";
import { roleAtLeast } from "../../shared/roles.js";
import { INTERRUPTED, InterruptibleReader } from "../services/interruptible-reader.js";
import type { AuthStore } from "./auth-store.js";
import type { Logger } from "pino";

/** What the interceptor needs. */
export interface AuthInterceptorDeps extends AuthenticatorDeps {
  /** False: every call is let through as an admin (or a runner), unchecked, still audited. */
  readonly enabled: boolean;
}

const RUNNER_SERVICE = "hakuriver.v1.RunnerService";

const NO_CREDENTIAL_CLIENT =
  "this Host requires a credential: run hakuriver login --host ADDR:PORT with a token (the first admin token is in the Host's state dir, admin.token), or set HAKURIVER_AUTH_TOKEN";
const NO_CREDENTIAL_RUNNER = "runners need a join token: set auth.join_token or auth.join_token_file (the Host writes join.token in its state dir on first start)";

function bearerToken(header: Headers): string | undefined {
  const value = header.get("authorization");
  if (value === null) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(value);
  return match ? match[1]! : "";
}

function denied(message: string, reason: ErrorReason, method: string, metadata: Record<string, string> = {}): DomainError {
  return new DomainError("permission_denied", message, { reason, metadata: { method, ...metadata } });
}

/**
 * Refuses a principal the row does not admit (PERMISSION_DENIED with a
 * reason; ROLE_REQUIRED names `required_role` and the caller's `role` in the
 * metadata); returns nothing when it may call.
 */
function checkAccess(rule: Rule, principal: Principal, method: string, runnerService: boolean): DomainError | undefined {
  if (runnerService) {
    if (principal.kind === "runner") return undefined;
    return denied(`${method} is for runners: they join with a join token, not a user token`, ErrorReason.RUNNER_TOKEN_REQUIRED, method, { required_role: "runner" });
  }
  if (principal.kind === "runner") return denied(`a join token is for runners only; ${method} needs a user's token`, ErrorReason.USER_TOKEN_REQUIRED, method);
  if (rule.access === "runner") return denied(`${method} is for runners only`, ErrorReason.RUNNER_TOKEN_REQUIRED, method, { required_role: "runner" });
  if (rule.access === "open" || roleAtLeast(principal.role, rule.access)) return undefined;
  return denied(`${method} needs role ${rule.access} or above; ${principal.user} is ${principal.role}`, ErrorReason.ROLE_REQUIRED, method, {
    required_role: rule.access,
    role: principal.role,
    user: principal.user,
  });
}

/** Creates the interceptor. */
export function authInterceptor(deps: AuthInterceptorDeps): Interceptor {
  return (next) => async (request) => {
    const service = request.service.typeName;
    const method = request.method.name;
    const rule = ruleOf(service, request.method.localName);
    if (!rule) throw new ConnectError(`${service}/${method} has no access rule on this Host; refused`, Code.Unimplemented);
    if (rule.access === "open") return next(request);
    const address = request.contextValues.get(peerAddressKey);
    const runnerService = service === RUNNER_SERVICE;
    const principal = deps.enabled
      ? await authenticate(deps, {
          token: bearerToken(request.header),
          address,
          what: method,
          missingHint: runnerService ? NO_CREDENTIAL_RUNNER : NO_CREDENTIAL_CLIENT,
          failedHint: runnerService ? "give the runner a valid join token" : "log in again with a valid token (hakuriver login)",
        })
      : anyone(runnerService);
    const refused = checkAccess(rule, principal, method, runnerService);
    if (refused) {
      if (rule.audited) record(deps, principal, method, address, request.stream ? undefined : request.message, undefined, refused);
      throw refused;
    }
    request.contextValues.set(principalKey, principal);
    const audited = rule.audited ? peekFirst(request) : undefined;
    try {
      const response = await next(audited?.request ?? request);
      if (!response.stream) {
        if (audited) record(deps, principal, method, address, audited.first(), response.message, undefined);
        return response;
      }
      const ended = (error: unknown) => {
        if (audited) record(deps, principal, method, address, audited.first(), undefined, error);
      };
      return { ...response, message: endOnRevoke(deps, principal, response.message, ended) };
    } catch (error) {
      if (audited) record(deps, principal, method, address, audited.first(), undefined, error);
      throw error;
    }
  };
}

function anyone(runnerService: boolean): Principal {
  return runnerService ? { kind: "runner", tokenId: "" } : { kind: "user", user: "", role: "admin", tokenId: "" };
}

/** For stream requests, remembers the first message as it passes (the audit names its target). */
function peekFirst<R extends UnaryRequest | StreamRequest>(request: R): { request: R; first(): unknown } {
  if (!request.stream) return { request, first: () => request.message };
  let first: unknown;
  const inner = request.message;
  const message = (async function* () {
    for await (const each of inner) {
      first ??= each;
      yield each;
    }
  })();
  return { request: { ...request, message }, first: () => first };
}

function record(deps: AuthInterceptorDeps, principal: Principal, method: string, address: string, request: unknown, response: unknown, error: unknown): void {
  const { target, detail } = describeCall(method, request, response);
  // Handlers throw DomainErrors; errorMapping (outside this interceptor) maps them, so map here too for the record.
  const mapped = error === undefined ? undefined : toConnectError(error);
  const outcome = mapped === undefined ? "ok" : (Code[mapped.code] ?? "Unknown");
  const reason = mapped?.rawMessage ?? "";
  deps.audit.record({ at: deps.now(), actor: principalName(principal), action: method, target, outcome, address, detail: [detail, reason].filter(Boolean).join("; ").slice(0, 300) });
}

/**
 * Yields the stream's messages until it ends or the caller's token is
 * revoked; then the handler is stopped (its generator returned) and the
 * call fails UNAUTHENTICATED.
 */
export async function* endOnRevoke<T>(
  deps: { readonly store: Pick<AuthStore, "onRevoked">; readonly log: Logger },
  principal: Principal,
  stream: AsyncIterable<T>,
  ended: (error: unknown) => void,
): AsyncGenerator<T> {
  const iterator = stream[Symbol.asyncIterator]();
  const reader = new InterruptibleReader(iterator);
  let revokedBecause: string | undefined;
  const stop = principal.tokenId === "" ? () => undefined : deps.store.onRevoked(principal.tokenId, (reason) => ((revokedBecause = reason), reader.interrupt()));
  let failure: unknown;
  let innerDone = false;
  try {
    for (;;) {
      const step = await reader.next();
      if (step === INTERRUPTED) {
        throw new DomainError("unauthenticated", `${revokedBecause || "the credential was revoked"}: this stream has ended`, { reason: ErrorReason.CREDENTIAL_REVOKED });
      }
      if (step.done) {
        innerDone = true;
        return;
      }
      yield step.value;
    }
  } catch (error) {
    failure = error;
    throw error;
  } finally {
    stop();
    ended(failure);
    // Revoked, or the caller went away: stop the handler (its finally blocks run once it is next resumed).
    if (!innerDone) {
      iterator.return?.(undefined)?.catch((error: unknown) => deps.log.debug({ err: String(error) }, "a stream's handler ended with an error after its call had ended"));
    }
  }
}
