/**
 * Which private key a VPS was submitted for: `vps submit` knows the public
 * key file it sent (`--public-key-file X.pub`, or the default key it
 * picked), so the private key `X` is known on this client. It is kept in
 * `~/.hakuriver/vps-identities.json`, per Host address and task id, for
 * `ssh-config` to write as `IdentityFile`.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { readTextOrEmpty, sshPaths, writePrivateFile } from "./ssh-files.js";

/** The file's shape: Host address → task id → absolute private key path. */
interface IdentitiesFile {
  version: 1;
  hosts: Record<string, Record<string, string>>;
}

/** Entries kept per Host; the oldest (lowest ids) go first. */
const MAX_PER_HOST = 1000;

function load(file: string): IdentitiesFile {
  const text = readTextOrEmpty(file);
  if (text.trim() === "") return { version: 1, hosts: {} };
  const parsed = JSON.parse(text) as Partial<IdentitiesFile>;
  if (typeof parsed !== "object" || parsed === null || typeof parsed.hosts !== "object" || parsed.hosts === null) {
    throw new Error(`${file} is not a hakuriver identities file (delete it to start afresh)`);
  }
  return { version: 1, hosts: parsed.hosts };
}

/**
 * The private key beside public key file `publicKeyFile` (`X.pub` → `X`),
 * as an absolute path, when that file exists; undefined otherwise.
 */
export function privateKeyOf(publicKeyFile: string): string | undefined {
  if (!publicKeyFile.endsWith(".pub")) return undefined;
  const privateKey = resolve(publicKeyFile.slice(0, -".pub".length));
  return existsSync(privateKey) ? privateKey : undefined;
}

/** Remembers that VPS `taskId` of the Host at `hostAddress` logs in with `privateKey`. */
export function rememberIdentity(hostAddress: string, taskId: string, privateKey: string, file = sshPaths().identities): void {
  const data = load(file);
  const entries = { ...(data.hosts[hostAddress] ?? {}), [taskId]: privateKey };
  const ids = Object.keys(entries).sort((a, b) => Number(a) - Number(b));
  for (const old of ids.slice(0, Math.max(0, ids.length - MAX_PER_HOST))) delete entries[old];
  data.hosts[hostAddress] = entries;
  writePrivateFile(file, `${JSON.stringify(data, null, 2)}\n`);
}

/** The private key remembered for VPS `taskId` of the Host at `hostAddress`, if any. */
export function rememberedIdentity(hostAddress: string, taskId: string, file = sshPaths().identities): string | undefined {
  return load(file).hosts[hostAddress]?.[taskId];
}
