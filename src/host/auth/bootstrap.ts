/**
 * First start: with no users and no tokens yet, the Host makes an `admin`
 * user with a token and a runner join token, and writes the plain tokens
 * once, readable only by its own user, under its state directory. Only
 * their hashes stay in the database.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, writeSync } from "node:fs";
import { dirname, join } from "node:path";
import type { AuthStore } from "./auth-store.js";

/** File names of the first tokens under the state directory. */
export const ADMIN_TOKEN_FILE = "admin.token";
export const JOIN_TOKEN_FILE = "join.token";

/** Where the first tokens were written (only on a first start). */
export interface BootstrapResult {
  readonly adminTokenFile: string;
  readonly joinTokenFile: string;
}

/**
 * Writes `text` to `path` with mode 0600, atomically and durably: synced
 * before the rename and the directory after it, so a power cut leaves the
 * old file or the whole new one (the tokens exist nowhere else).
 */
export function writeSecretFile(path: string, text: string): void {
  const temporary = `${path}.${process.pid}.tmp`;
  const fd = openSync(temporary, "w", 0o600);
  try {
    writeSync(fd, `${text}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, path);
  const dir = openSync(dirname(path), "r");
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
}

/** On a first start (no users yet), makes the admin user, its token and a join token, and writes both tokens; otherwise does nothing. */
export async function bootstrapAuth(store: AuthStore, stateDir: string): Promise<BootstrapResult | undefined> {
  if (store.listUsers().length > 0) return undefined;
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const adminTokenFile = join(stateDir, ADMIN_TOKEN_FILE);
  const joinTokenFile = join(stateDir, JOIN_TOKEN_FILE);
  // Each file is on disk before its hash is committed: a crash in between leaves the store empty, and the next start makes both again.
  await store.createToken("join", null, "first join token", 0, (issued) => writeSecretFile(joinTokenFile, issued.text));
  await store.addUser("admin", "admin", "first admin token", 0, (issued) => writeSecretFile(adminTokenFile, issued.text));
  return { adminTokenFile, joinTokenFile };
}
