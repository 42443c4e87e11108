/**
 * Checks a presented token, once, for every way in (the API's interceptor
 * and the SSH proxy): the login throttle first, so a locked-out address
 * costs no hashing, then the token; each failure is counted against the
 * address and recorded in the audit trail.
 */
import { Code, ConnectError } from "@connectrpc/connect";
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

/** The principal a token names; RESOURCE_EXHAUSTED while the address is locked out, UNAUTHENTICATED otherwise. */
export async function authenticate(deps: AuthenticatorDeps, attempt: AuthAttempt): Promise<Principal> {
  const { address } = attempt;
  const lockedMs = deps.throttle.lockedFor(address);
  if (lockedMs > 0) {
    throw new ConnectError(`too many failed logins from ${address || "this address"}: refused for ${Math.ceil(lockedMs / 1000)} s more`, Code.ResourceExhausted);
  }
  if (attempt.token === undefined) throw new ConnectError(attempt.missingHint, Code.Unauthenticated);
  const result = attempt.token === "" ? { failure: "the credential is empty or not `Bearer <token>`" } : await deps.store.authenticate(attempt.token);
  if (!("failure" in result)) return result;
  const lockedOut = deps.throttle.fail(address);
  deps.audit.record({ at: deps.now(), actor: "anonymous", action: "login-failed", target: attempt.what, outcome: "Unauthenticated", address, detail: result.failure + (lockedOut ? "; address locked out" : "") });
  if (lockedOut) deps.log.warn({ address }, "too many failed logins: address locked out");
  throw new ConnectError(`${result.failure}: ${attempt.failedHint}`, Code.Unauthenticated);
}
