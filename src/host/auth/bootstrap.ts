/**
 * First start: with no users and no tokens yet, the Host makes an `admin`
 * user with a token and a runner join token, and writes the plain tokens
 * once, readable only by its own user, under its state directory. Only
 * their hashes stay in the database.
 */
import { chmodSync, mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { AuthStore } from "./auth-store.js";

/** File names of the first tokens under the state directory. */
export const ADMIN_TOKEN_FILE = "admin.token";
export const JOIN_TOKEN_FILE = "join.token";

/** Where the first tokens were written (only on a first start). */
export interface BootstrapResult {
  readonly adminTokenFile: string;
  readonly joinTokenFile: string;
}

/** Writes `text` to `path` with mode 0600, atomically (a reader never sees half a token). */
export function writeSecretFile(path: string, text: string): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${text}\n`, { mode: 0o600 });
  chmodSync(temporary, 0o600);
  renameSync(temporary, path);
}

/** On a first start, makes the admin user, its token and a join token, and writes both tokens; otherwise does nothing. */
export async function bootstrapAuth(store: AuthStore, stateDir: string): Promise<BootstrapResult | undefined> {
  if (!store.isEmpty()) return undefined;
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const admin = await store.addUser("admin", "admin", "first admin token", 0);
  const joinToken = await store.createToken("join", null, "first join token", 0);
  const adminTokenFile = join(stateDir, ADMIN_TOKEN_FILE);
  const joinTokenFile = join(stateDir, JOIN_TOKEN_FILE);
  writeSecretFile(adminTokenFile, admin.issued.text);
  writeSecretFile(joinTokenFile, joinToken.text);
  return { adminTokenFile, joinTokenFile };
}
