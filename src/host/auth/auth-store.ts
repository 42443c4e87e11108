/**
 * Users and tokens as the Host checks calls against them: a copy in memory
 * (small: people and runners), written through to the database. A verified
 * token is remembered by its SHA-256, so scrypt runs once per token per
 * Host start, not per call. Revoking a token (or removing its user) tells
 * every stream opened with it, which then ends at once.
 */
import { createHash } from "node:crypto";
import type { Logger } from "pino";
import { badField, DomainError, failedPrecondition, missingResource } from "../../shared/errors.js";
import { ErrorReason, RESOURCE_TYPE } from "../../shared/error-reasons.js";
import type { AuthRepo, TokenRow, UserRow } from "../store/auth-repo.js";
import { isRoleName, type RoleName } from "../../shared/roles.js";
import type { Principal } from "./principal.js";
import { newToken, parseToken, secretMatches } from "./token-secret.js";

/** A user as the Host knows them. */
export interface UserState {
  readonly name: string;
  role: RoleName;
  readonly createdAt: number;
}

/** A token as the Host knows it. */
export type TokenState = TokenRow;

/** Why a credential was refused (shown to the caller). */
export interface AuthFailure {
  readonly failure: string;
}

/** A token just made: its text is returned this once and never again. */
export interface IssuedToken {
  readonly token: TokenState;
  readonly text: string;
}

const USER_NAME = /^[a-z_][a-z0-9_.-]{0,31}$/;
/** last_used_at is written at most this often per token (ms). */
const TOUCH_INTERVAL_MS = 60_000;
/** A label longer than this is refused. */
const MAX_LABEL = 100;

function fingerprint(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** Users and tokens, checked in memory and kept in the database. */
export class AuthStore {
  private readonly users = new Map<string, UserState>();
  private readonly tokens = new Map<string, TokenState>();
  /** SHA-256 of a verified token's text → its id. */
  private readonly verified = new Map<string, string>();
  private readonly revokeListeners = new Map<string, Set<(reason: string) => void>>();
  private readonly touched = new Map<string, number>();

  constructor(
    private readonly repo: AuthRepo,
    private readonly now: () => number,
    private readonly log: Logger,
  ) {}

  /** Loads every user and token. */
  async load(): Promise<void> {
    const { users, tokens } = await this.repo.loadAll();
    for (const user of users) this.users.set(user.name, { name: user.name, role: isRoleName(user.role) ? user.role : "viewer", createdAt: user.createdAt });
    for (const token of tokens) this.tokens.set(token.tokenId, token);
  }

  /**
   * Who the token's text names, or why it is refused. Join tokens name a
   * runner; user tokens a user with their current role.
   */
  async authenticate(text: string): Promise<Principal | AuthFailure> {
    const parsed = parseToken(text);
    if (!parsed) return { failure: "the token is malformed (tokens look like hkr_<id>_<secret>)" };
    const token = this.tokens.get(parsed.tokenId);
    if (!token) return { failure: `token ${parsed.tokenId} is not known to this Host` };
    const key = fingerprint(text);
    if (this.verified.get(key) !== token.tokenId) {
      if (!(await secretMatches(parsed.secret, token.secretHash))) return { failure: `token ${parsed.tokenId} has a wrong secret` };
      this.verified.set(key, token.tokenId);
    }
    // Checked after the secret, so these answers reveal nothing to a guesser.
    if (token.revokedAt !== null) return { failure: `token ${token.tokenId} was revoked` };
    if (token.expiresAt !== null && token.expiresAt <= this.now()) return { failure: `token ${token.tokenId} expired at ${new Date(token.expiresAt).toISOString()}` };
    this.touch(token);
    if (token.kind === "join") return { kind: "runner", tokenId: token.tokenId };
    const user = token.user === null ? undefined : this.users.get(token.user);
    if (!user) return { failure: `the user of token ${token.tokenId} no longer exists` };
    return { kind: "user", user: user.name, role: user.role, tokenId: token.tokenId };
  }

  private touch(token: TokenState): void {
    const at = this.now();
    if ((this.touched.get(token.tokenId) ?? 0) > at - TOUCH_INTERVAL_MS) return;
    this.touched.set(token.tokenId, at);
    this.tokens.set(token.tokenId, { ...token, lastUsedAt: at });
    this.repo.touchToken(token.tokenId, at).catch((error: unknown) => this.log.warn({ tokenId: token.tokenId, err: String(error) }, "could not record a token's last use"));
  }

  /** The user, or NOT_FOUND. */
  requireUser(name: string): UserState {
    const user = this.users.get(name);
    if (!user) throw missingResource(ErrorReason.USER_NOT_FOUND, RESOURCE_TYPE.user, name, `user "${name}" not found (hakuriver user list shows who exists)`, "no user has this name (ListUsers shows who exists)");
    return user;
  }

  /** The user, or undefined (no error: for checks that refuse quietly, as the jump host's login). */
  findUser(name: string): UserState | undefined {
    return this.users.get(name);
  }

  /** Every user, by name. */
  listUsers(): UserState[] {
    return [...this.users.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Live tokens of a user. */
  liveTokenCount(user: string): number {
    return this.listTokens({ user, all: false }).length;
  }

  /** Adds a user with a first token; ALREADY_EXISTS for a taken name. `beforeCommit` sees the token before it is stored. */
  async addUser(name: string, role: RoleName, label: string, ttlMs: number, beforeCommit?: (issued: IssuedToken) => void): Promise<{ user: UserState; issued: IssuedToken }> {
    if (!USER_NAME.test(name)) {
      throw badField("name", ErrorReason.INVALID_FIELD, `"${name}" is not a valid user name: 1-32 characters, lower-case letters, digits, _ . -, starting with a letter or _`,
        "1-32 characters, lower-case letters, digits, _ . -, starting with a letter or _");
    }
    if (this.users.has(name)) {
      throw new DomainError("already_exists", `user "${name}" already exists (hakuriver user set-role changes a role; hakuriver token create gives a new token)`, {
        reason: ErrorReason.USER_ALREADY_EXISTS,
        resource: { type: RESOURCE_TYPE.user, name, description: "a user of this name exists" },
      });
    }
    const user: UserState = { name, role, createdAt: this.now() };
    const issued = await this.issue("user", name, label || "first token", ttlMs);
    const row: UserRow = { name, role, createdAt: user.createdAt };
    beforeCommit?.(issued);
    await this.repo.insertUser(row, issued.token);
    this.users.set(name, user);
    this.tokens.set(issued.token.tokenId, issued.token);
    return { user, issued };
  }

  /** Changes a user's role (next call on; open streams keep what they were allowed). */
  async setRole(name: string, role: RoleName): Promise<UserState> {
    const user = this.requireUser(name);
    if (user.role === "admin" && role !== "admin") this.refuseLastAdmin(name, "take the admin role from");
    await this.repo.setRole(name, role);
    user.role = role;
    return user;
  }

  /** Removes a user and revokes every token of theirs at once; returns how many were revoked. */
  async removeUser(name: string): Promise<number> {
    const user = this.requireUser(name);
    if (user.role === "admin") this.refuseLastAdmin(name, "remove");
    const at = this.now();
    await this.repo.deleteUser(name, at);
    this.users.delete(name);
    let revoked = 0;
    for (const token of this.tokens.values()) {
      if (token.user !== name || token.revokedAt !== null) continue;
      this.tokens.set(token.tokenId, { ...token, revokedAt: at });
      this.notifyRevoked(token.tokenId, `user ${name} was removed`);
      revoked++;
    }
    return revoked;
  }

  private refuseLastAdmin(name: string, verb: string): void {
    const admins = [...this.users.values()].filter((u) => u.role === "admin");
    if (admins.length <= 1) {
      throw failedPrecondition(`cannot ${verb} ${name}: they are the only admin (make another admin first)`, {
        reason: ErrorReason.LAST_ADMIN,
        metadata: { user: name, admins: String(admins.length) },
        preconditionViolations: [{ type: "ADMIN_COUNT", subject: `user/${name}`, description: "the Host must keep at least one admin; make another admin first" }],
      });
    }
  }

  /** Makes a token for a user (kind user) or for runners (kind join, user null). `beforeCommit` sees it before it is stored. */
  async createToken(kind: "user" | "join", user: string | null, label: string, ttlMs: number, beforeCommit?: (issued: IssuedToken) => void): Promise<IssuedToken> {
    if (kind === "user") this.requireUser(user ?? "");
    const issued = await this.issue(kind, kind === "user" ? user : null, label, ttlMs);
    beforeCommit?.(issued);
    await this.repo.insertToken(issued.token);
    this.tokens.set(issued.token.tokenId, issued.token);
    return issued;
  }

  private async issue(kind: "user" | "join", user: string | null, label: string, ttlMs: number): Promise<IssuedToken> {
    if (label.length > MAX_LABEL) throw badField("label", ErrorReason.INVALID_FIELD, `a token label may have at most ${MAX_LABEL} characters`);
    if (!Number.isFinite(ttlMs) || ttlMs < 0) throw badField("ttl_seconds", ErrorReason.INVALID_FIELD, "a token's lifetime must be zero (no expiry) or more seconds");
    const made = await newToken();
    const createdAt = this.now();
    const token: TokenState = { tokenId: made.tokenId, kind, user, label, secretHash: made.hash, createdAt, expiresAt: ttlMs > 0 ? createdAt + ttlMs : null, revokedAt: null, lastUsedAt: null };
    return { token, text: made.text };
  }

  /** The token, or NOT_FOUND. */
  requireToken(tokenId: string): TokenState {
    const token = this.tokens.get(tokenId);
    if (!token) throw missingResource(ErrorReason.TOKEN_NOT_FOUND, RESOURCE_TYPE.token, tokenId, `token ${tokenId} not found (hakuriver token list shows token ids)`, "no token has this id (ListTokens shows token ids)");
    return token;
  }

  /** Whether the token exists, is not revoked and has not expired. */
  isLive(tokenId: string): boolean {
    const token = this.tokens.get(tokenId);
    return token !== undefined && token.revokedAt === null && (token.expiresAt === null || token.expiresAt > this.now());
  }

  /** Tokens, oldest first: one user's or all; without `all`, only live ones. */
  listTokens(filter: { readonly user?: string; readonly all: boolean }): TokenState[] {
    return [...this.tokens.values()]
      .filter((t) => filter.user === undefined || t.user === filter.user)
      .filter((t) => filter.all || this.isLive(t.tokenId))
      .sort((a, b) => a.createdAt - b.createdAt || a.tokenId.localeCompare(b.tokenId));
  }

  /** Revokes a token; streams opened with it end at once. Revoking a revoked token is a no-op. */
  async revoke(tokenId: string): Promise<TokenState> {
    const token = this.requireToken(tokenId);
    if (token.revokedAt !== null) return token;
    const at = this.now();
    await this.repo.revokeToken(tokenId, at);
    const revoked = { ...token, revokedAt: at };
    this.tokens.set(tokenId, revoked);
    this.notifyRevoked(tokenId, `token ${tokenId} was revoked`);
    return revoked;
  }

  /** Calls `listener` (once) when the token is revoked; returns a function that stops listening. */
  onRevoked(tokenId: string, listener: (reason: string) => void): () => void {
    let set = this.revokeListeners.get(tokenId);
    if (!set) this.revokeListeners.set(tokenId, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.revokeListeners.delete(tokenId);
    };
  }

  private notifyRevoked(tokenId: string, reason: string): void {
    for (const [key, id] of this.verified) if (id === tokenId) this.verified.delete(key);
    const listeners = this.revokeListeners.get(tokenId);
    this.revokeListeners.delete(tokenId);
    listeners?.forEach((listener) => listener(reason));
  }
}
