/**
 * Who a call comes from, as the auth interceptor established it, and the
 * peer address it came from; both travel to handlers in context values.
 */
import { createContextKey, type HandlerContext } from "@connectrpc/connect";
import type { RoleName } from "../../shared/roles.js";

/** A user calling with one of their tokens (or everyone, as admin, when auth is off: user ""). */
export interface UserPrincipal {
  readonly kind: "user";
  readonly user: string;
  readonly role: RoleName;
  /** Empty when auth is off. */
  readonly tokenId: string;
}

/** A runner calling with a join token (tokenId "" when auth is off). */
export interface RunnerPrincipal {
  readonly kind: "runner";
  readonly tokenId: string;
}

/** Who a call comes from. */
export type Principal = UserPrincipal | RunnerPrincipal;

/** Set by the auth interceptor on every call it lets through (absent on the open call). */
export const principalKey = createContextKey<Principal | undefined>(undefined, { description: "the caller" });

/** The peer address of the call (set by the server from the socket; "" in memory). */
export const peerAddressKey = createContextKey<string>("", { description: "the caller's address" });

/** The calling user; an internal error if the interceptor did not run (a wiring bug, not a caller's). */
export function callingUser(ctx: Pick<HandlerContext, "values">): UserPrincipal {
  const principal = ctx.values.get(principalKey);
  if (principal?.kind !== "user") throw new Error("no user principal on this call: the auth interceptor is not installed");
  return principal;
}

/** The calling runner's join token id ("" with auth off). */
export function callingRunnerToken(ctx: Pick<HandlerContext, "values">): string {
  const principal = ctx.values.get(principalKey);
  if (principal?.kind !== "runner") throw new Error("no runner principal on this call: the auth interceptor is not installed");
  return principal.tokenId;
}

/** How a principal is named in messages and the audit trail. */
export function principalName(principal: Principal | undefined): string {
  if (!principal) return "anonymous";
  if (principal.kind === "runner") return `runner:${principal.tokenId || "any"}`;
  return principal.user || "anyone";
}
