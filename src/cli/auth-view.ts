/**
 * How users, tokens and the audit trail are printed for people.
 */
import { timestampMs, type Timestamp } from "@bufbuild/protobuf/wkt";
import { TokenKind, type AuditEvent, type TokenInfo, type User } from "../../gen/hakuriver/v1/auth_pb.js";
import { roleName } from "../shared/roles.js";
import { clip, formatTime, table } from "./render.js";

/** An expiry for people: the local time, or `never`. */
export function expiryText(ts: Timestamp | undefined): string {
  return ts ? formatTime(ts) : "never";
}

/** `user` / `join`. */
export function tokenKindText(kind: TokenKind): string {
  return kind === TokenKind.JOIN ? "join" : kind === TokenKind.USER ? "user" : "unknown";
}

/** `revoked`, `expired` (at `nowMs`) or `live`. */
export function tokenState(token: TokenInfo, nowMs: number = Date.now()): "revoked" | "expired" | "live" {
  if (token.revokedAt) return "revoked";
  if (token.expiresAt && timestampMs(token.expiresAt) <= nowMs) return "expired";
  return "live";
}

/** A table of users. */
export function userTable(users: readonly User[]): string {
  return table(
    ["NAME", "ROLE", "TOKENS", "CREATED"],
    users.map((u) => [u.name, roleName(u.role), String(u.tokenCount), formatTime(u.createdAt)]),
  );
}

/** A table of tokens (never their secrets: the Host does not keep them). */
export function tokenTable(tokens: readonly TokenInfo[], nowMs: number = Date.now()): string {
  return table(
    ["ID", "KIND", "USER", "LABEL", "STATE", "CREATED", "EXPIRES", "LAST USED"],
    tokens.map((t) => [
      t.tokenId,
      tokenKindText(t.kind),
      t.user || "-",
      t.label || "-",
      tokenState(t, nowMs),
      formatTime(t.createdAt),
      expiryText(t.expiresAt),
      formatTime(t.lastUsedAt),
    ]),
  );
}

/** A table of audit events, as the Host returns them (newest first). */
export function auditTable(events: readonly AuditEvent[]): string {
  return table(
    ["TIME", "ACTOR", "ACTION", "TARGET", "OUTCOME", "ADDRESS", "DETAIL"],
    events.map((e) => [formatTime(e.at), e.actor, e.action, e.target || "-", e.outcome, e.address || "-", clip(e.detail, 80) || "-"]),
  );
}

/**
 * The lines that hand out a new token: it is printed alone on its own line
 * (easy to copy or to capture), with a warning that it is not shown again.
 */
export function newTokenLines(headline: string, token: string, info: TokenInfo | undefined): string {
  const expiry = info?.expiresAt ? `expires ${formatTime(info.expiresAt)}` : "never expires";
  return [`${headline}: token ${info?.tokenId ?? "?"}, ${expiry}. It is shown only this once:`, token].join("\n");
}
