/**
 * Replaces a file atomically and durably: the text goes to a temporary file
 * beside it with the given mode (set explicitly: the umask only narrows),
 * is synced, renamed over the old one, and the directory is synced, so a
 * crash or a power cut leaves the old file or the whole new one. For files
 * that exist nowhere else: tokens, credentials, private keys.
 */
import { randomBytes } from "node:crypto";
import { chmodSync, closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";

/** Writes `text` to `path` atomically and durably with `mode` (default 0600, readable only by this user). */
export function writeFileAtomically(path: string, text: string, mode = 0o600): void {
  const dir = dirname(path);
  const temporary = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  try {
    const fd = openSync(temporary, "wx", mode);
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    chmodSync(temporary, mode);
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
  const dirFd = openSync(dir, "r");
  try {
    fsyncSync(dirFd);
  } finally {
    closeSync(dirFd);
  }
}
