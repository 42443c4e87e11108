/**
 * The files `hakuriver ssh-config` and `vps submit` keep on the client, and
 * how they are written: private directories (0700) and files (0600, written
 * whole to a temporary file and renamed, so a crash never leaves half a
 * config), as OpenSSH expects of ~/.ssh and its config.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, realpathSync, renameSync, statSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";

/** Paths under a home directory (the home directory follows `HOME`). */
export interface SshPaths {
  /** `~/.ssh` */
  readonly sshDir: string;
  /** `~/.ssh/config` */
  readonly sshConfig: string;
  /** `~/.hakuriver/known_hosts`: the host keys of VPSs, kept apart from the user's own known_hosts. */
  readonly knownHosts: string;
  /** `~/.hakuriver/vps-identities.json`: which private key each VPS was submitted for. */
  readonly identities: string;
}

/** The paths under `home`. */
export function sshPaths(home: string = homedir()): SshPaths {
  return {
    sshDir: join(home, ".ssh"),
    sshConfig: join(home, ".ssh", "config"),
    knownHosts: join(home, ".hakuriver", "known_hosts"),
    identities: join(home, ".hakuriver", "vps-identities.json"),
  };
}

/** Creates `dir` (and parents) with mode 0700 when missing; returns whether it created it. */
export function ensurePrivateDir(dir: string): boolean {
  if (existsSync(dir)) return false;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700); // mkdir's mode passes through the umask
  return true;
}

/** The file's text, or "" when it does not exist. */
export function readTextOrEmpty(file: string): string {
  return existsSync(file) ? readFileSync(file, "utf8") : "";
}

/**
 * Writes `text` to `file` through a temporary file and a rename. A new
 * file gets mode 0600; an existing one keeps its mode, and a symlink (a
 * dotfile manager's) is followed, so the link stays a link.
 */
export function writePrivateFile(file: string, text: string): void {
  const target = existsSync(file) ? realpathSync(file) : file;
  ensurePrivateDir(dirname(target));
  const mode = existsSync(target) ? statSync(target).mode & 0o777 : 0o600;
  const temporary = `${target}.hakuriver-${process.pid}.tmp`;
  writeFileSync(temporary, text, { mode });
  chmodSync(temporary, mode);
  renameSync(temporary, target);
}
