/**
 * Packs an environment: commits its container to `hakuriver/<name>:base`
 * (the container keeps running; Docker pauses it only for the commit),
 * saves the image to `<name>-<unixts>.tar` through a `.partial` file that is
 * renamed when complete, and prunes older tarballs.
 */
import { mkdirSync, renameSync, rmSync } from "node:fs";
import { open } from "node:fs/promises";
import { join } from "node:path";
import type Docker from "dockerode";
import { DomainError } from "../../shared/errors.js";
import { engineError, environmentImage } from "./docker-client.js";
import type { HostContainers } from "./host-containers.js";
import { listTarballs, pruneTarballs, tarballFileName, type TarballFile } from "./tarballs.js";

/** One step of packing, for progress display. */
export type PackEvent =
  | {
      readonly kind: "progress";
      readonly phase: "commit" | "save" | "prune";
      readonly bytes: number;
      readonly message: string;
      /** While saving: the committed image's size, an estimate of the tar's (0 = unknown). */
      readonly estimatedTotalBytes?: number;
      /** While saving: milliseconds since the save began. */
      readonly elapsedMs?: number;
    }
  | { readonly kind: "done"; readonly tarball: TarballFile };

/** What {@link createTarball} needs. */
export interface PackOptions {
  readonly docker: Docker;
  readonly containers: HostContainers;
  /** `shared_dir/<container_dir>`. */
  readonly dir: string;
  readonly name: string;
  /** Tarballs of this environment to keep, the new one included (at least 1). */
  readonly keep: number;
  readonly signal?: AbortSignal;
  /** Minimum milliseconds between save progress events. */
  readonly progressEveryMs?: number;
}

/**
 * Packs the environment, yielding progress and finally the tarball.
 * The timestamp is the commit's own creation second (so a runner that loads
 * the tarball sees an image exactly as new as the file), moved past any
 * existing tarball of the same name so the newest file is always the newest pack.
 */
export async function* createTarball(options: PackOptions): AsyncGenerator<PackEvent> {
  const { docker, dir, name } = options;
  const container = await options.containers.get(name);
  const tag = environmentImage(name);
  const previousId = await docker.getImage(tag).inspect().then((i) => i.Id, () => undefined);
  yield { kind: "progress", phase: "commit", bytes: 0, message: `committing ${name} to ${tag} (the container keeps running)` };
  let imageId: string;
  try {
    const committed = (await docker.getContainer(container.id).commit({ repo: `hakuriver/${name}`, tag: "base", pause: true })) as { Id: string };
    imageId = committed.Id;
  } catch (error) {
    throw engineError(error, `container ${name}`);
  }
  const image = await docker.getImage(imageId).inspect();
  const created = Date.parse(image.Created);
  // The tar stream is the image's layers plus a little metadata: close to Docker's Size, not equal.
  const estimatedTotalBytes = Number.isFinite(image.Size) && image.Size > 0 ? image.Size : 0;
  const newestExisting = listTarballs(dir, name)[0]?.timestamp ?? 0;
  const timestamp = Math.max(Math.floor(created / 1000), newestExisting + 1);
  mkdirSync(dir, { recursive: true });
  const file = tarballFileName(name, timestamp);
  const partial = join(dir, `${file}.partial`);
  let bytes = 0;
  const saveStarted = Date.now();
  const saving = () => ({ kind: "progress", phase: "save", bytes, estimatedTotalBytes, elapsedMs: Date.now() - saveStarted }) as const;
  try {
    const stream = (await docker.getImage(tag).get()) as NodeJS.ReadableStream & { destroy(): void };
    const abort = () => stream.destroy();
    options.signal?.addEventListener("abort", abort, { once: true });
    const handle = await open(partial, "w");
    try {
      yield { ...saving(), message: `saving ${file}` };
      let lastReport = Date.now();
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        if (options.signal?.aborted) throw new DomainError("unavailable", "create-tar was cancelled");
        await handle.write(chunk);
        bytes += chunk.length;
        if (Date.now() - lastReport >= (options.progressEveryMs ?? 250)) {
          lastReport = Date.now();
          yield { ...saving(), message: `saving ${file}` };
        }
      }
      await handle.sync();
    } finally {
      await handle.close();
      options.signal?.removeEventListener("abort", abort);
    }
    renameSync(partial, join(dir, file));
  } catch (error) {
    rmSync(partial, { force: true });
    throw engineError(error, `image ${tag}`);
  }
  yield { ...saving(), message: `saved ${file}` };
  const pruned = pruneTarballs(dir, name, options.keep);
  if (previousId && previousId !== imageId) {
    // The old commit is now untagged; drop it unless something still uses it.
    await docker.getImage(previousId).remove().catch(() => undefined);
  }
  yield { kind: "progress", phase: "prune", bytes, message: pruned.length === 0 ? "nothing to prune" : `deleted ${pruned.map((t) => t.file).join(", ")}` };
  const tarball = listTarballs(dir, name).find((t) => t.file === file);
  if (!tarball) throw new DomainError("internal", `the tarball ${file} vanished right after it was written`);
  yield { kind: "done", tarball };
}
