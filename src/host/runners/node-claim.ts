/**
 * Whether a runner may take a node name. A name belongs to the join token
 * that first registered it: another token may take it only once that one
 * is revoked. And a name that is online stays with its connection: a second
 * one is refused, never swapped in, unless the first has gone silent (its
 * machine lost power and the Host has not yet noticed the dead stream).
 */
import { DomainError } from "../../shared/errors.js";
import type { NodeState } from "./node-registry.js";

/** What the check needs to know besides the node. */
export interface NodeClaim {
  readonly name: string;
  /** The join token presented ("" with auth off: no binding). */
  readonly tokenId: string;
  readonly now: number;
  /** A session silent for this long may be replaced (ms). */
  readonly staleAfterMs: number;
  /** Whether a token is still valid (not revoked, not expired). */
  readonly tokenLive: (tokenId: string) => boolean;
}

/** Throws PERMISSION_DENIED or FAILED_PRECONDITION when the claim must be refused. */
export function checkNodeClaim(existing: NodeState | undefined, claim: NodeClaim): void {
  if (!existing) return;
  const bound = existing.joinTokenId;
  if (claim.tokenId !== "" && bound !== null && bound !== "" && bound !== claim.tokenId && claim.tokenLive(bound)) {
    throw new DomainError(
      "permission_denied",
      `node name ${claim.name} is bound to another join token (${bound}): a runner may take it only with that token (an admin can free the name with hakuriver token revoke ${bound}), or use another --name`,
    );
  }
  if (existing.session && claim.now - existing.lastHeartbeat < claim.staleAfterMs) {
    throw new DomainError(
      "failed_precondition",
      `node ${claim.name} is online from another connection (last heartbeat ${claim.now - existing.lastHeartbeat} ms ago): a second runner cannot take its name; stop the other runner or start this one with another --name`,
    );
  }
}
