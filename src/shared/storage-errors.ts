/**
 * Storage faults in the one error vocabulary. SQLite (better-sqlite3's
 * SqliteError codes) and node:fs (errno codes) report a full or broken disk
 * in their own words; this turns both into a DomainError a person can act
 * on ("disk full at /var/lib/hakuriver: ..."), so clients get
 * RESOURCE_EXHAUSTED or UNAVAILABLE instead of "internal error", and the
 * Host can tell a storage fault (retry later, keep the stream) from a bug.
 */
import { dirname } from "node:path";
import { DomainError } from "./errors.js";

/** A DomainError caused by the disk: which file or directory, and what was being done. */
export class StorageFault extends DomainError {
  /** The file or directory that could not be written or read. */
  readonly path: string;

  constructor(kind: "resource_exhausted" | "unavailable", path: string, message: string) {
    super(kind, message);
    this.name = "StorageFault";
    this.path = path;
  }
}

/** SQLite result codes (extended ones start with these) that mean the disk, not the query. */
const SQLITE_FULL = /^SQLITE_FULL/;
const SQLITE_UNAVAILABLE = /^SQLITE_(IOERR|READONLY|CANTOPEN|CORRUPT|NOTADB|PROTOCOL)/;
const FS_FULL = new Set(["ENOSPC", "EDQUOT"]);
const FS_UNAVAILABLE = new Set(["EIO", "EROFS", "ENXIO", "ESTALE"]);

/**
 * The StorageFault `error` stands for, or undefined when it is no storage
 * fault (a constraint violation, a bug). `path` is the file being used
 * (fs errors name their own path, which wins); `what` says what was being
 * done, e.g. "writing the database". A full disk is reported at the
 * directory, since that is where space has to be freed.
 */
export function storageFault(error: unknown, path: string, what: string): StorageFault | undefined {
  if (error instanceof StorageFault) return error;
  if (!(error instanceof Error)) return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code !== "string") return undefined;
  // fs messages start with their code ("ENOSPC: no space left on device, write"); SQLite's do not.
  const detail = error.message.startsWith(code) ? error.message : `${code}: ${error.message}`;
  const where = typeof (error as NodeJS.ErrnoException).path === "string" ? (error as NodeJS.ErrnoException).path! : path;
  if (SQLITE_FULL.test(code) || FS_FULL.has(code)) {
    const dir = FS_FULL.has(code) ? dirname(where) : dirname(path);
    return new StorageFault("resource_exhausted", dir, `disk full at ${dir}: ${what} failed (${detail}); free space there and retry`);
  }
  if (SQLITE_UNAVAILABLE.test(code) || FS_UNAVAILABLE.has(code)) {
    return new StorageFault("unavailable", where, `storage unavailable at ${where}: ${what} failed (${detail})`);
  }
  return undefined;
}

/** `error` as a StorageFault when it is one, unchanged otherwise: for rethrowing. */
export function asStorageFault(error: unknown, path: string, what: string): unknown {
  return storageFault(error, path, what) ?? error;
}
