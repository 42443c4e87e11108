/**
 * The credentials file, `~/.hakuriver/credentials`, that `hakuriver login`
 * writes and every client command reads: one entry per Host, keyed by its
 * normalised `host:port`, so `127.0.0.1:8000` and `http://127.0.0.1:8000`
 * find the same entry.
 *
 * ```json
 * { "hosts": { "127.0.0.1:8000": { "token": "hkr_…", "user": "alice", "tlsFingerprint": "…", "caFile": "…" } } }
 * ```
 *
 * The file holds secrets: it is written 0600 inside a 0700 directory, and
 * replaced atomically (a temp file renamed over it), so a crash or a second
 * `login` at the same time never leaves half a file.
 */
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { writeFileAtomically } from "../shared/atomic-file.js";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { hostBaseUrl } from "../shared/transport.js";

/** One Host's entry. */
export interface CredentialEntry {
  /** The token sent as `authorization: Bearer …`. */
  readonly token: string;
  /** The user the token named when it was stored (for display; the Host decides). */
  readonly user: string;
  /** SHA-256 fingerprint of the Host's certificate to pin, when given at login. */
  readonly tlsFingerprint?: string;
  /** PEM CA file to verify the Host against, when given at login. */
  readonly caFile?: string;
}

/** The whole file. */
export interface CredentialsFile {
  readonly hosts: Readonly<Record<string, CredentialEntry>>;
}

/** A credentials file that cannot be read or is not the expected JSON; the message names the file. */
export class CredentialsFileError extends Error {}

/** `~/.hakuriver/credentials` (the home directory follows `HOME`). */
export function credentialsPath(home: string = homedir()): string {
  return join(home, ".hakuriver", "credentials");
}

/**
 * The key of a Host address: `host:port` as the transport would dial it
 * (`ADDR:PORT`, `:PORT`, `PORT` or a URL; host names lowercased, the
 * default port filled in). Throws INVALID_ARGUMENT for an address the
 * transport would refuse too.
 */
export function credentialKey(address: string): string {
  const url = new URL(hostBaseUrl(address));
  const port = url.port || (url.protocol === "https:" ? "443" : "80");
  return `${url.hostname}:${port}`;
}

function optionalString(value: unknown): value is string | undefined {
  return value === undefined || typeof value === "string";
}

function parseEntry(value: unknown): CredentialEntry | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const { token, user, tlsFingerprint, caFile } = value as Record<string, unknown>;
  if (typeof token !== "string" || typeof user !== "string" || !optionalString(tlsFingerprint) || !optionalString(caFile)) return undefined;
  return { token, user, ...(tlsFingerprint ? { tlsFingerprint } : {}), ...(caFile ? { caFile } : {}) };
}

/**
 * Reads the file; a missing file is an empty one. Throws
 * {@link CredentialsFileError} naming the file (and the bad entry) when it
 * is not the expected JSON, rather than acting as if nobody logged in.
 */
export function readCredentials(path: string = credentialsPath()): CredentialsFile {
  if (!existsSync(path)) return { hosts: {} };
  const fix = `fix it, or remove it and run hakuriver login again`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new CredentialsFileError(`cannot read the credentials file ${path}: ${reason} (${fix})`);
  }
  const hosts = (parsed as { hosts?: unknown } | null)?.hosts;
  if (typeof parsed !== "object" || parsed === null || typeof hosts !== "object" || hosts === null || Array.isArray(hosts)) {
    throw new CredentialsFileError(`the credentials file ${path} is malformed: expected {"hosts": {"ADDR:PORT": {"token": ..., "user": ...}}} (${fix})`);
  }
  const entries: Record<string, CredentialEntry> = {};
  for (const [key, value] of Object.entries(hosts)) {
    const entry = parseEntry(value);
    if (!entry) throw new CredentialsFileError(`the credentials file ${path} is malformed: the entry for ${key} needs string "token" and "user" (${fix})`);
    entries[key] = entry;
  }
  return { hosts: entries };
}

/**
 * Replaces the file atomically and durably, mode 0600 (see atomic-file.ts).
 * The directory is made 0700 when missing.
 */
export function writeCredentials(file: CredentialsFile, path: string = credentialsPath()): void {
  const dir = dirname(path);
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileAtomically(path, `${JSON.stringify(file, null, 2)}\n`);
}

/** The entry for a Host address, if one is stored. */
export function credentialFor(address: string, path: string = credentialsPath()): CredentialEntry | undefined {
  return readCredentials(path).hosts[credentialKey(address)];
}

/** Stores (or replaces) the entry for a Host address; other Hosts' entries are kept. */
export function saveCredential(address: string, entry: CredentialEntry, path: string = credentialsPath()): void {
  const current = readCredentials(path);
  writeCredentials({ hosts: { ...current.hosts, [credentialKey(address)]: entry } }, path);
}

/** Removes the entry for a Host address; false when there was none (the file is then left alone). */
export function removeCredential(address: string, path: string = credentialsPath()): boolean {
  const current = readCredentials(path);
  const key = credentialKey(address);
  if (!(key in current.hosts)) return false;
  const { [key]: _removed, ...rest } = current.hosts;
  writeCredentials({ hosts: rest }, path);
  return true;
}
