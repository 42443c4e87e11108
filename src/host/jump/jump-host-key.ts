/**
 * The jump host's own SSH host key: an ed25519 key made on the first start
 * and kept in `<stateDir>/ssh_jump_host_ed25519_key` (mode 0600, OpenSSH
 * format, as `ssh-keygen` writes), so its fingerprint stays the same across
 * restarts and clients pin it once.
 */
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import ssh2 from "ssh2";
import { writeFileAtomically } from "../../shared/atomic-file.js";
import { fingerprintOf } from "../../shared/ssh-public-key.js";

const { utils } = ssh2;

/** The host key the jump host serves with. */
export interface JumpHostKey {
  /** The private key, OpenSSH format (what ssh2's server takes). */
  readonly privateKey: string;
  /** "ssh-ed25519 BASE64": the known_hosts form clients pin. */
  readonly publicKey: string;
  /** "SHA256:..." as `ssh-keygen -l` prints it. */
  readonly fingerprint: string;
  /** Where it is kept. */
  readonly file: string;
  /** True when this start made it. */
  readonly created: boolean;
}

/** `<stateDir>/ssh_jump_host_ed25519_key`. */
export function jumpHostKeyFile(stateDir: string): string {
  return join(stateDir, "ssh_jump_host_ed25519_key");
}

/** The public half of a parsed private key, or the reason it cannot be used. */
function describe(privateKey: string, file: string, created: boolean): JumpHostKey {
  const parsed = utils.parseKey(privateKey);
  if (parsed instanceof Error) throw new Error(`the jump host key ${file} cannot be read (${parsed.message}): move it away to have a new one made`);
  if (parsed.type !== "ssh-ed25519") throw new Error(`the jump host key ${file} is a ${parsed.type} key, not ssh-ed25519: move it away to have a new one made`);
  const blob = parsed.getPublicSSH();
  return { privateKey, publicKey: `${parsed.type} ${blob.toString("base64")}`, fingerprint: fingerprintOf(blob), file, created };
}

/**
 * The stored host key under `stateDir`, or a new one made and stored
 * there (durably, before it is used) when there is none. Throws, with what
 * to do, when the stored file is not an ed25519 private key.
 */
export function loadOrCreateJumpHostKey(stateDir: string): JumpHostKey {
  const file = jumpHostKeyFile(stateDir);
  if (existsSync(file)) return describe(readFileSync(file, "utf8"), file, false);
  mkdirSync(stateDir, { recursive: true });
  const made = utils.generateKeyPairSync("ed25519", { comment: "hakuriver-jump" });
  writeFileAtomically(file, made.private, 0o600);
  return describe(made.private, file, true);
}
