/**
 * OpenSSH public key lines ("TYPE BASE64 [COMMENT]"), parsed and
 * fingerprinted the way `ssh-keygen -l` does, with no SSH library: the
 * Host checks keys users register, the jump host matches the keys clients
 * offer, and the CLI shows the jump host's fingerprint.
 */
import { createHash } from "node:crypto";

/** Key types the jump host can check a signature of (ssh2's server). */
export const SUPPORTED_KEY_TYPES: readonly string[] = ["ssh-ed25519", "ssh-rsa", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521"];

/** A parsed public key. */
export interface SshPublicKey {
  /** "ssh-ed25519", "ssh-rsa", ... */
  readonly type: string;
  /** The key blob (the base64 part, decoded). */
  readonly blob: Buffer;
  /** What followed the base64 on the line; "" when nothing did. */
  readonly comment: string;
  /** "SHA256:" and the unpadded base64 of the blob's SHA-256, as `ssh-keygen -l` prints. */
  readonly fingerprint: string;
}

/** The longest key line accepted (an RSA 16384-bit key is about 2.8 KiB). */
export const MAX_KEY_LINE_BYTES = 16 * 1024;

/** `ssh-keygen -l`'s SHA-256 fingerprint of a key blob. */
export function fingerprintOf(blob: Uint8Array): string {
  return `SHA256:${createHash("sha256").update(blob).digest("base64").replace(/=+$/, "")}`;
}

/** The first length-prefixed string of an SSH wire blob (its key type), or undefined when malformed. */
export function blobType(blob: Buffer): string | undefined {
  if (blob.length < 4) return undefined;
  const length = blob.readUInt32BE(0);
  if (length === 0 || length > 64 || 4 + length > blob.length) return undefined;
  return blob.subarray(4, 4 + length).toString("latin1");
}

/**
 * Parses one public key line; returns the reason (for a person) when it is
 * not one. Blank lines and `#` comments are not keys. Only the types in
 * {@link SUPPORTED_KEY_TYPES} are accepted.
 */
export function parseSshPublicKey(line: string): SshPublicKey | string {
  const text = line.trim();
  if (text === "") return "the key is empty: give the contents of a .pub file (TYPE BASE64 [COMMENT])";
  if (Buffer.byteLength(text) > MAX_KEY_LINE_BYTES) return `the key line is longer than ${MAX_KEY_LINE_BYTES} bytes`;
  if (text.includes("\n")) return "give one key, not several lines";
  if (/-----BEGIN/.test(text)) return "this is a private key: give the public key (the .pub file beside it)";
  const [type = "", base64 = "", ...rest] = text.split(/\s+/);
  if (!SUPPORTED_KEY_TYPES.includes(type)) {
    return `"${type.slice(0, 40)}" is not a key type the jump host accepts (${SUPPORTED_KEY_TYPES.join(", ")}); a line of an OpenSSH .pub file starts with one`;
  }
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(base64)) return "the key's base64 part is missing or malformed";
  const blob = Buffer.from(base64, "base64");
  const inner = blobType(blob);
  if (inner !== type) return `the key's data says ${inner === undefined ? "nothing readable" : `"${inner}"`}, not ${type}: the line is damaged`;
  return { type, blob, comment: rest.join(" "), fingerprint: fingerprintOf(blob) };
}

/** "TYPE BASE64" of a parsed key (no comment). */
export function publicKeyText(key: Pick<SshPublicKey, "type" | "blob">): string {
  return `${key.type} ${key.blob.toString("base64")}`;
}

/**
 * Every key in authorized_keys-style text (a VPS's submitted key may be
 * several lines); lines that are no key (blank, comments, options we do
 * not read) are skipped.
 */
export function keysOfText(text: string): SshPublicKey[] {
  const keys: SshPublicKey[] = [];
  for (const line of text.split("\n")) {
    const parsed = parseSshPublicKey(line);
    if (typeof parsed !== "string") keys.push(parsed);
  }
  return keys;
}
