/**
 * Environment tarballs in `shared_dir/<container_dir>`: `<name>-<unixts>.tar`.
 * Names are parsed strictly, so half-written files (`*.tar.partial`) and
 * foreign files are never mistaken for tarballs.
 */
import { unlinkSync } from "node:fs";
import { join } from "node:path";
import { DomainError } from "../../shared/errors.js";
import { ErrorReason, RESOURCE_TYPE } from "../../shared/error-reasons.js";
import { listTarballs, tarballFileName, type TarballFile } from "../../shared/tarballs.js";

export { listTarballs, parseTarballName, tarballFileName, type TarballFile } from "../../shared/tarballs.js";

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
    const which = timestamp === 0 ? "no tarball" : `no tarball ${tarballFileName(name, timestamp)}`;
    throw new DomainError("not_found", `environment "${name}" has ${which} to delete in ${dir} (hakuriver docker list-tars lists them)`, {
      reason: ErrorReason.NO_SUCH_ENVIRONMENT,
      metadata: { environment: name, ...(timestamp === 0 ? {} : { timestamp: String(timestamp) }) },
      resource: { type: RESOURCE_TYPE.tarball, name: timestamp === 0 ? name : tarballFileName(name, timestamp), description: "no such tarball in the shared dir (ListTarballs shows them)" },
    });
  }
  for (const t of matching) unlinkSync(join(dir, t.file));
  return matching;
}
