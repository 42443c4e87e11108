/**
 * Checks a presented token, once, for every way in (the API's interceptor
 * and the SSH proxy): the login throttle first, so a locked-out address
 * costs no hashing, then the token; each failure is counted against the
 * address and recorded in the audit trail.
 */
import { DomainError } from "../../shared/errors.js";
import { ErrorReason } from "../../shared/error-reasons.js";
import type { Logger } from "pino";
import type { AuditLog } from "./audit-log.js";
import type { AuthStore } from "./auth-store.js";
import type { LoginThrottle } from "./login-throttle.js";
import type { Principal } from "./principal.js";

/** What the authenticator needs. */
export interface AuthenticatorDeps {
  readonly store: AuthStore;
  readonly throttle: LoginThrottle;
  readonly audit: AuditLog;
  readonly now: () => number;
  readonly log: Logger;
}

/** Where a credential was presented: named in the audit trail and in the hint. */
export interface AuthAttempt {
  /** The token's text; undefined when none was sent. */
  readonly token: string | undefined;
  readonly address: string;
  /** What was called: an RPC name or "tunnel". */
  readonly what: string;
  /** What to tell a caller who sent none. */
  readonly missingHint: string;
  /** What to tell a caller whose token failed. */
  readonly failedHint: string;
}

/**
 * The principal a token names. Throws a DomainError: RESOURCE_EXHAUSTED
 * (LOGIN_THROTTLED, with the lockout left as the retry delay) while the
 * address is locked out, UNAUTHENTICATED (CREDENTIAL_MISSING or
 * CREDENTIAL_REJECTED) otherwise.
 */
export async function authenticate(deps: AuthenticatorDeps, attempt: AuthAttempt): Promise<Principal> {
  const { address } = attempt;
  const lockedMs = deps.throttle.lockedFor(address);
  if (lockedMs > 0) {
    throw new DomainError("resource_exhausted", `too many failed logins from ${address || "this address"}: refused for ${Math.ceil(lockedMs / 1000)} s more`, {
      reason: ErrorReason.LOGIN_THROTTLED,
      metadata: { address },
      retryDelayMs: lockedMs,
    });
  }
  if (attempt.token === undefined) throw new DomainError("unauthenticated", attempt.missingHint, { reason: ErrorReason.CREDENTIAL_MISSING });
  const result = attempt.token === "" ? { failure: "the credential is empty or not `Bearer <token>`" } : await deps.store.authenticate(attempt.token);
  if (!("failure" in result)) return result;
  const lockedOut = deps.throttle.fail(address);
  deps.audit.record({ at: deps.now(), actor: "anonymous", action: "login-failed", target: attempt.what, outcome: "Unauthenticated", address, detail: result.failure + (lockedOut ? "; address locked out" : "") });
  if (lockedOut) deps.log.warn({ address }, "too many failed logins: address locked out");
  throw new DomainError("unauthenticated", `${result.failure}: ${attempt.failedHint}`, { reason: ErrorReason.CREDENTIAL_REJECTED, metadata: { failure: result.failure } });
}
