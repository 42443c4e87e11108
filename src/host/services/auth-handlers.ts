/**
 * The auth RPCs of ClientService: the open cluster description, who-am-I,
 * users (admin), tokens (anyone their own; admin anyone's and join
 * tokens) and the audit trail. Thin: the store and the log do the work.
 */
import type { MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromMs, timestampMs } from "@bufbuild/protobuf/wkt";
import type { ServiceImpl } from "@connectrpc/connect";
import { TokenKind, type TokenInfoSchema, type UserSchema } from "../../../gen/hakuriver/v1/auth_pb.js";
import type { ClientService } from "../../../gen/hakuriver/v1/client_pb.js";
import { badField, DomainError } from "../../shared/errors.js";
import { ErrorReason, RESOURCE_TYPE } from "../../shared/error-reasons.js";
import type { AuditLog } from "../auth/audit-log.js";
import type { AuthStore, TokenState, UserState } from "../auth/auth-store.js";
import { callingUser, type UserPrincipal } from "../auth/principal.js";
import { roleAtLeast, roleEnum, roleFromEnum } from "../../shared/roles.js";

/** The auth RPCs. */
export type AuthHandlers = Pick<
  ServiceImpl<typeof ClientService>,
  "describeCluster" | "whoAmI" | "addUser" | "listUsers" | "removeUser" | "setUserRole" | "createToken" | "listTokens" | "revokeToken" | "listAudit"
>;

/** What the cluster description says about this Host. */
export interface ClusterFacts {
  readonly version: string;
  readonly apiPort: () => number;
  readonly sshProxyPort: () => number;
  /** The SSH jump host's port; 0 when it runs none. */
  readonly sshJumpPort: () => number;
  /** The jump host's public key ("ssh-ed25519 BASE64"); "" when it runs none. */
  readonly sshJumpHostKey: () => string;
  readonly authEnabled: boolean;
  readonly tls: boolean;
  /** Milliseconds between runner heartbeats (timing.heartbeat_interval). */
  readonly heartbeatIntervalMs: number;
}

/** What the auth RPCs need. */
export interface AuthHandlerDeps {
  readonly store: AuthStore;
  readonly audit: AuditLog;
  readonly facts: ClusterFacts;
}

const DEFAULT_AUDIT_LIMIT = 200;
const MAX_AUDIT_LIMIT = 10_000;
/** A token lives at most ten years. */
const MAX_TTL_SECONDS = 10 * 365 * 24 * 3600;

function tokenInfo(token: TokenState): MessageInitShape<typeof TokenInfoSchema> {
  return {
    tokenId: token.tokenId,
    kind: token.kind === "join" ? TokenKind.JOIN : TokenKind.USER,
    user: token.user ?? "",
    label: token.label,
    createdAt: timestampFromMs(token.createdAt),
    expiresAt: token.expiresAt === null ? undefined : timestampFromMs(token.expiresAt),
    revokedAt: token.revokedAt === null ? undefined : timestampFromMs(token.revokedAt),
    lastUsedAt: token.lastUsedAt === null ? undefined : timestampFromMs(token.lastUsedAt),
  };
}

function ttlMs(seconds: bigint): number {
  if (seconds < 0n || seconds > BigInt(MAX_TTL_SECONDS)) {
    throw badField("ttl_seconds", ErrorReason.INVALID_FIELD, `a token's lifetime must be between 0 (no expiry) and ${MAX_TTL_SECONDS} seconds`);
  }
  return Number(seconds) * 1000;
}

/** PERMISSION_DENIED unless the caller is an admin or the token's own user. */
function requireOwnOrAdmin(caller: UserPrincipal, token: Pick<TokenState, "kind" | "user" | "tokenId">, verb: string): void {
  if (roleAtLeast(caller.role, "admin")) return;
  if (token.kind === "user" && token.user === caller.user) return;
  const whose = token.kind === "join" ? "is a runner join token" : `belongs to ${token.user ?? "nobody"}`;
  throw new DomainError("permission_denied", `token ${token.tokenId} ${whose}: only an admin may ${verb} it; ${caller.user} may ${verb} only their own`, {
    reason: ErrorReason.NOT_OWNER,
    metadata: { required_role: "admin", role: caller.role, user: caller.user, action: verb },
    resource: { type: RESOURCE_TYPE.token, name: token.tokenId, owner: token.user ?? "", description: `only its own user or an admin may ${verb} it` },
  });
}

/** Creates the auth RPCs. */
export function authHandlers(deps: AuthHandlerDeps): AuthHandlers {
  const { store } = deps;
  const userInfo = (user: UserState): MessageInitShape<typeof UserSchema> => ({
    name: user.name,
    role: roleEnum(user.role),
    createdAt: timestampFromMs(user.createdAt),
    tokenCount: store.liveTokenCount(user.name),
  });
  return {
    describeCluster() {
      const { facts } = deps;
      return {
        version: facts.version,
        apiPort: facts.apiPort(),
        sshProxyPort: facts.sshProxyPort(),
        sshJumpPort: facts.sshJumpPort(),
        sshJumpHostKey: facts.sshJumpHostKey(),
        authEnabled: facts.authEnabled,
        tls: facts.tls,
        heartbeatIntervalMs: BigInt(facts.heartbeatIntervalMs),
      };
    },
    whoAmI(_request, ctx) {
      const caller = callingUser(ctx);
      const token = caller.tokenId === "" ? undefined : store.requireToken(caller.tokenId);
      return {
        user: caller.user,
        role: roleEnum(caller.role),
        tokenId: caller.tokenId,
        tokenLabel: token?.label ?? "",
        tokenExpiresAt: token?.expiresAt == null ? undefined : timestampFromMs(token.expiresAt),
      };
    },
    async addUser(request) {
      const role = roleFromEnum(request.role);
      const { user, issued } = await store.addUser(request.name.trim(), role, request.tokenLabel, ttlMs(request.tokenTtlSeconds));
      return { user: userInfo(user), tokenInfo: tokenInfo(issued.token), token: issued.text };
    },
    listUsers() {
      return { users: store.listUsers().map(userInfo) };
    },
    async removeUser(request) {
      return { revokedTokens: await store.removeUser(request.name.trim()) };
    },
    async setUserRole(request) {
      return { user: userInfo(await store.setRole(request.name.trim(), roleFromEnum(request.role))) };
    },
    async createToken(request, ctx) {
      const caller = callingUser(ctx);
      const kind = request.kind === TokenKind.JOIN ? "join" : "user";
      const user = kind === "join" ? null : request.user.trim() || caller.user;
      if (kind === "user" && user === "") throw badField("user", ErrorReason.INVALID_FIELD, "auth is off on this Host: name the user the token is for");
      requireOwnOrAdmin(caller, { kind, user, tokenId: "(new)" }, "create");
      const issued = await store.createToken(kind, user, request.label, ttlMs(request.ttlSeconds));
      return { tokenInfo: tokenInfo(issued.token), token: issued.text };
    },
    listTokens(request, ctx) {
      const caller = callingUser(ctx);
      const admin = roleAtLeast(caller.role, "admin");
      const wanted = request.user.trim();
      if (!admin && wanted !== "" && wanted !== caller.user) {
        throw new DomainError("permission_denied", `only an admin may list ${wanted}'s tokens; ${caller.user} may list their own`, {
          reason: ErrorReason.NOT_OWNER,
          metadata: { required_role: "admin", role: caller.role, user: caller.user, owner: wanted, action: "list" },
        });
      }
      const user = admin ? wanted || undefined : caller.user;
      return { tokens: store.listTokens({ user, all: request.all }).map(tokenInfo) };
    },
    async revokeToken(request, ctx) {
      const caller = callingUser(ctx);
      const token = store.requireToken(request.tokenId.trim());
      requireOwnOrAdmin(caller, token, "revoke");
      return { tokenInfo: tokenInfo(await store.revoke(token.tokenId)) };
    },
    async listAudit(request) {
      if (request.limit < 0 || request.limit > MAX_AUDIT_LIMIT) {
        throw badField("limit", ErrorReason.INVALID_FIELD, `limit must be between 0 (the default, ${DEFAULT_AUDIT_LIMIT}) and ${MAX_AUDIT_LIMIT}`);
      }
      const events = await deps.audit.list({
        actor: request.user.trim() || undefined,
        since: request.since ? timestampMs(request.since) : undefined,
        limit: request.limit || DEFAULT_AUDIT_LIMIT,
      });
      return { events: events.map((e) => ({ id: BigInt(e.id), at: timestampFromMs(e.at), actor: e.actor, action: e.action, target: e.target, outcome: e.outcome, address: e.address, detail: e.detail })) };
    },
  };
}
