/**
 * The SSH key RPCs of ClientService: a user registers, lists and removes
 * their own keys; an admin anyone's. Thin: the key store does the work.
 */
import type { MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import type { ServiceImpl } from "@connectrpc/connect";
import type { ClientService } from "../../../gen/hakuriver/v1/client_pb.js";
import type { SshKeySchema } from "../../../gen/hakuriver/v1/ssh_keys_pb.js";
import { DomainError } from "../../shared/errors.js";
import { ErrorReason, RESOURCE_TYPE } from "../../shared/error-reasons.js";
import { roleAtLeast } from "../../shared/roles.js";
import type { AuthStore } from "../auth/auth-store.js";
import { callingUser, type UserPrincipal } from "../auth/principal.js";
import type { SshKeyState, SshKeyStore } from "../auth/ssh-key-store.js";

/** The SSH key RPCs. */
export type SshKeyHandlers = Pick<ServiceImpl<typeof ClientService>, "addSshKey" | "listSshKeys" | "removeSshKey">;

/** What the SSH key RPCs need. */
export interface SshKeyHandlerDeps {
  readonly keys: SshKeyStore;
  /** Users, to check that a named one exists (with auth on). */
  readonly users: Pick<AuthStore, "requireUser">;
  readonly authEnabled: boolean;
}

/** A key as the contract shows it. */
export function sshKeyInfo(key: SshKeyState): MessageInitShape<typeof SshKeySchema> {
  return {
    keyId: key.keyId,
    user: key.user,
    type: key.type,
    fingerprint: key.fingerprint,
    comment: key.comment,
    publicKey: `${key.type} ${key.keyBase64}`,
    createdAt: timestampFromMs(key.createdAt),
  };
}

/** PERMISSION_DENIED unless the caller is an admin or `owner` themselves. */
function requireOwnOrAdmin(caller: UserPrincipal, owner: string, verb: string, keyId = ""): void {
  if (roleAtLeast(caller.role, "admin") || owner === caller.user) return;
  throw new DomainError("permission_denied", `${keyId ? `key ${keyId} belongs to ${owner || "nobody"}: ` : ""}only an admin may ${verb} another user's SSH keys; ${caller.user} may ${verb} only their own`, {
    reason: ErrorReason.NOT_OWNER,
    metadata: { required_role: "admin", role: caller.role, user: caller.user, owner, action: verb },
    ...(keyId ? { resource: { type: RESOURCE_TYPE.sshKey, name: keyId, owner, description: `only its own user or an admin may ${verb} it` } } : {}),
  });
}

/** Creates the SSH key RPCs. */
export function sshKeyHandlers(deps: SshKeyHandlerDeps): SshKeyHandlers {
  const { keys } = deps;
  return {
    async addSshKey(request, ctx) {
      const caller = callingUser(ctx);
      const user = request.user.trim() || caller.user;
      requireOwnOrAdmin(caller, user, "add");
      if (deps.authEnabled) deps.users.requireUser(user);
      return { key: sshKeyInfo(await keys.add(user, request.publicKey)) };
    },
    listSshKeys(request, ctx) {
      const caller = callingUser(ctx);
      const wanted = request.user.trim();
      const admin = roleAtLeast(caller.role, "admin");
      if (!admin && wanted !== "") requireOwnOrAdmin(caller, wanted, "list");
      return { keys: keys.list(admin ? wanted || undefined : caller.user).map(sshKeyInfo) };
    },
    async removeSshKey(request, ctx) {
      const caller = callingUser(ctx);
      const key = keys.require(request.keyId.trim());
      requireOwnOrAdmin(caller, key.user, "remove", key.keyId);
      return { key: sshKeyInfo(await keys.remove(key.keyId)) };
    },
  };
}
