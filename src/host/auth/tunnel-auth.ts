/**
 * The SSH proxy's credential check: the token on a `REQUEST_TUNNEL <id>
 * <token>` line goes through the same authenticator as API calls (throttle,
 * audit of failures) and must name a user.
 */
import { DomainError } from "../../shared/errors.js";
import { authenticate, type AuthenticatorDeps } from "./authenticator.js";
import type { UserPrincipal } from "./principal.js";

/** The user a tunnel request's token names, or the reason it is refused (for the `ERROR` line). */
export async function tunnelPrincipal(enabled: boolean, deps: AuthenticatorDeps, token: string, address: string): Promise<UserPrincipal | string> {
  if (!enabled) return { kind: "user", user: "", role: "admin", tokenId: "" };
  try {
    const principal = await authenticate(deps, {
      token: token === "" ? undefined : token,
      address,
      what: "tunnel",
      missingHint: "no token: send REQUEST_TUNNEL <task_id> <token> (hakuriver ssh sends it once you have logged in)",
      failedHint: "log in again with a valid token (hakuriver login)",
    });
    if (principal.kind !== "user") return "a join token is for runners only; use a user's token";
    return principal;
  } catch (error) {
    if (error instanceof DomainError) return error.message;
    throw error;
  }
}
