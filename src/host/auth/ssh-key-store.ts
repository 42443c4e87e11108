/**
 * SSH keys registered for users, as the jump host checks logins against
 * them: a copy in memory (a few keys per person), written through to the
 * ssh_keys table. A key's fingerprint is unique, so an offered key names
 * at most one user.
 */
import { randomBytes } from "node:crypto";
import { badField, DomainError, missingResource } from "../../shared/errors.js";
import { ErrorReason, RESOURCE_TYPE } from "../../shared/error-reasons.js";
import { fingerprintOf, parseSshPublicKey } from "../../shared/ssh-public-key.js";
import type { SshKeyRepo, SshKeyRow } from "../store/ssh-key-repo.js";

/** A registered key as the Host knows it. */
export type SshKeyState = SshKeyRow;

/** Keys kept per user; more is refused (a typo loop, not a person). */
export const MAX_KEYS_PER_USER = 100;

/** Registered keys, checked in memory and kept in the database. */
export class SshKeyStore {
  private readonly byId = new Map<string, SshKeyState>();
  private readonly byFingerprint = new Map<string, SshKeyState>();

  constructor(
    private readonly repo: SshKeyRepo,
    private readonly now: () => number,
  ) {}

  /** Loads every key. */
  async load(): Promise<void> {
    for (const key of await this.repo.loadAll()) this.remember(key);
  }

  private remember(key: SshKeyState): void {
    this.byId.set(key.keyId, key);
    this.byFingerprint.set(key.fingerprint, key);
  }

  /**
   * Registers `line` (one OpenSSH public key) for `user`.
   * INVALID_ARGUMENT for a line that is no supported key, ALREADY_EXISTS
   * when the key is registered (for anyone), RESOURCE_EXHAUSTED past
   * {@link MAX_KEYS_PER_USER}.
   */
  async add(user: string, line: string): Promise<SshKeyState> {
    const parsed = parseSshPublicKey(line);
    if (typeof parsed === "string") throw badField("public_key", ErrorReason.INVALID_PUBLIC_KEY, `not an SSH public key: ${parsed}`, "one OpenSSH public key line: TYPE BASE64 [COMMENT]");
    const taken = this.byFingerprint.get(parsed.fingerprint);
    if (taken) {
      const whose = taken.user === user ? "for this user" : "for another user";
      throw new DomainError("already_exists", `key ${parsed.fingerprint} is registered already ${whose} (as ${taken.user === user ? taken.keyId : "another key id"}); one key names one user`, {
        reason: ErrorReason.SSH_KEY_ALREADY_EXISTS,
        resource: { type: RESOURCE_TYPE.sshKey, name: parsed.fingerprint, description: "a registered key has this fingerprint" },
      });
    }
    if (this.list(user).length >= MAX_KEYS_PER_USER) {
      throw new DomainError("resource_exhausted", `${user || "this user"} has ${MAX_KEYS_PER_USER} keys registered, the most kept: remove one first (hakuriver key remove ID)`);
    }
    const key: SshKeyState = {
      keyId: `key_${randomBytes(4).toString("hex")}`,
      user,
      type: parsed.type,
      keyBase64: parsed.blob.toString("base64"),
      fingerprint: parsed.fingerprint,
      comment: parsed.comment.slice(0, 200),
      createdAt: this.now(),
    };
    await this.repo.insert(key);
    this.remember(key);
    return key;
  }

  /** The keys of `user` (every key when undefined), oldest first. */
  list(user?: string): SshKeyState[] {
    const keys = [...this.byId.values()].filter((key) => user === undefined || key.user === user);
    return keys.sort((a, b) => a.createdAt - b.createdAt || a.keyId.localeCompare(b.keyId));
  }

  /** The key with this id or fingerprint, or NOT_FOUND. */
  require(idOrFingerprint: string): SshKeyState {
    const key = this.byId.get(idOrFingerprint) ?? this.byFingerprint.get(idOrFingerprint);
    if (!key) {
      throw missingResource(ErrorReason.SSH_KEY_NOT_FOUND, RESOURCE_TYPE.sshKey, idOrFingerprint, `SSH key ${idOrFingerprint} not found (hakuriver key list shows key ids)`, "no registered key has this id or fingerprint");
    }
    return key;
  }

  /** Removes a key (see {@link require} for NOT_FOUND). */
  async remove(keyId: string): Promise<SshKeyState> {
    const key = this.require(keyId);
    await this.repo.delete(key.keyId);
    this.byId.delete(key.keyId);
    this.byFingerprint.delete(key.fingerprint);
    return key;
  }

  /** The registered key with this blob, if any (what the jump host asks of an offered key). */
  findByBlob(blob: Uint8Array): SshKeyState | undefined {
    return this.byFingerprint.get(fingerprintOf(blob));
  }
}
