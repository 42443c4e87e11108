/**
 * First start: with no users and no tokens yet, the Host makes an `admin`
 * user with a token and a runner join token, and writes the plain tokens
 * once, readable only by its own user, under its state directory. Only
 * their hashes stay in the database.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomically } from "../../shared/atomic-file.js";
import type { AuthStore } from "./auth-store.js";

/** File names of the first tokens under the state directory. */
export const ADMIN_TOKEN_FILE = "admin.token";
export const JOIN_TOKEN_FILE = "join.token";

/** Where the first tokens were written (only on a first start). */
export interface BootstrapResult {
  readonly adminTokenFile: string;
  readonly joinTokenFile: string;
}


/** On a first start (no users yet), makes the admin user, its token and a join token, and writes both tokens; otherwise does nothing. */
export async function bootstrapAuth(store: AuthStore, stateDir: string): Promise<BootstrapResult | undefined> {
  if (store.listUsers().length > 0) return undefined;
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const adminTokenFile = join(stateDir, ADMIN_TOKEN_FILE);
  const joinTokenFile = join(stateDir, JOIN_TOKEN_FILE);
  // Each file is on disk before its hash is committed: a crash in between leaves the store empty, and the next start makes both again.
  await store.createToken("join", null, "first join token", 0, (issued) => writeFileAtomically(joinTokenFile, `${issued.text}\n`));
  await store.addUser("admin", "admin", "first admin token", 0, (issued) => writeFileAtomically(adminTokenFile, `${issued.text}\n`));
  return { adminTokenFile, joinTokenFile };
}
