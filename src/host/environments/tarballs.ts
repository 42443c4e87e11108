/**
 * Environment tarballs in `shared_dir/<container_dir>`: `<name>-<unixts>.tar`.
 * Names are parsed strictly, so half-written files (`*.tar.partial`) and
 * foreign files are never mistaken for tarballs.
 */
import { readdirSync, statSync, unlinkSync } from "node:fs";
import { join } from "node:path";
import { DomainError } from "../../shared/errors.js";

/** Tarball file names: environment name, a dash, Unix seconds, `.tar`. */
export const TARBALL_NAME = /^([A-Za-z0-9._-]+)-(\d+)\.tar$/;

/** One tarball on shared storage. */
export interface TarballFile {
  readonly name: string;
  /** Unix seconds from the file name. */
  readonly timestamp: number;
  readonly file: string;
  readonly sizeBytes: number;
}

/** Parses a file name; undefined when it is not a tarball's. */
export function parseTarballName(file: string): { name: string; timestamp: number } | undefined {
  const match = TARBALL_NAME.exec(file);
  if (!match) return undefined;
  return { name: match[1]!, timestamp: Number(match[2]) };
}

/** The file name of an environment's tarball taken at `timestamp` (Unix seconds). */
export function tarballFileName(name: string, timestamp: number): string {
  return `${name}-${timestamp}.tar`;
}

/** Tarballs in `dir` (of one environment when `name` is given), newest first; a missing dir has none. */
export function listTarballs(dir: string, name?: string): TarballFile[] {
  let files: string[];
  try {
    files = readdirSync(dir);
  } catch {
    return [];
  }
  const found: TarballFile[] = [];
  for (const file of files) {
    const parsed = parseTarballName(file);
    if (!parsed || (name !== undefined && parsed.name !== name)) continue;
    let sizeBytes = 0;
    try {
      sizeBytes = statSync(join(dir, file)).size;
    } catch {
      continue; // deleted meanwhile
    }
    found.push({ ...parsed, file, sizeBytes });
  }
  return found.sort((a, b) => b.timestamp - a.timestamp || a.name.localeCompare(b.name));
}

/** Which tarballs pruning to the newest `keep` (at least 1) would delete. */
export function tarballsToPrune(tarballs: readonly TarballFile[], keep: number): TarballFile[] {
  const sorted = [...tarballs].sort((a, b) => b.timestamp - a.timestamp);
  return sorted.slice(Math.max(1, Math.floor(keep)));
}

/** Deletes an environment's tarballs beyond the newest `keep`; returns what it deleted. */
export function pruneTarballs(dir: string, name: string, keep: number): TarballFile[] {
  const doomed = tarballsToPrune(listTarballs(dir, name), keep);
  for (const t of doomed) unlinkSync(join(dir, t.file));
  return doomed;
}

/** Deletes one tarball (timestamp) or all of an environment (timestamp 0); NOT_FOUND when none matched. */
export function deleteTarballs(dir: string, name: string, timestamp: number): TarballFile[] {
  const matching = listTarballs(dir, name).filter((t) => timestamp === 0 || t.timestamp === timestamp);
  if (matching.length === 0) {
    const which = timestamp === 0 ? `any tarball of "${name}"` : `tarball ${tarballFileName(name, timestamp)}`;
    throw new DomainError("not_found", `there is no ${which} in ${dir} (see hakuriver docker list-tars)`);
  }
  for (const t of matching) unlinkSync(join(dir, t.file));
  return matching;
}
