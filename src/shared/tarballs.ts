/**
 * Environment tarballs on shared storage, `<name>-<unixts>.tar`, and the
 * image each becomes: the one naming rule the Host (which writes them) and
 * runners (which load them) share. Names are parsed strictly, so
 * half-written files (`*.tar.partial`) and foreign files never count.
 */
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { ENVIRONMENT_NAME_PATTERN } from "./docker-names.js";

/** The image tag of an environment: `hakuriver/<name>:base`. */
export function environmentImage(name: string): string {
  return `hakuriver/${name}:base`;
}

/** Tarball file names: an environment name ({@link ENVIRONMENT_NAME_PATTERN}), a dash, Unix seconds, `.tar`. */
export const TARBALL_NAME = new RegExp(`^(${ENVIRONMENT_NAME_PATTERN})-(\\d+)\\.tar$`);

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

