/**
 * A VPS snapshot on its runner: `docker commit` of the VPS's container to
 * `hakuriver/<name>:base` (a running one is paused only for the commit),
 * then `docker save` of that image to `<name>-<unixts>.tar` in shared
 * storage, written as `.partial` and renamed when complete (runners never
 * load half a file), older tarballs of the name removed. This is the format
 * of environment tarballs, so any runner loads it as it loads environments.
 */
import { mkdirSync, renameSync, rmSync, statSync, unlinkSync } from "node:fs";
import { open } from "node:fs/promises";
import { join } from "node:path";
import type Docker from "dockerode";
import { checkEnvironmentName } from "../../shared/docker-names.js";
import { environmentImage, listTarballs, tarballFileName } from "../../shared/tarballs.js";

/** A saved snapshot: its tarball's file name (in the tarball dir) and size. */
export interface SavedSnapshot {
  readonly file: string;
  readonly sizeBytes: number;
}

/**
 * Commits `containerName` and saves it as snapshot `name` in `dir`. The
 * timestamp is the commit's creation second (so a runner holding the image
 * never reloads its own snapshot), moved past any older tarball of the name.
 */
export async function saveSnapshot(docker: Docker, containerName: string, name: string, dir: string): Promise<SavedSnapshot> {
  checkEnvironmentName(name);
  const tag = environmentImage(name);
  const previousId = await docker.getImage(tag).inspect().then((i) => i.Id, () => undefined);
  const committed = (await docker.getContainer(containerName).commit({ repo: `hakuriver/${name}`, tag: "base", pause: true, comment: `hakuriver snapshot of ${containerName}` })) as { Id: string };
  const image = await docker.getImage(committed.Id).inspect();
  const older = listTarballs(dir, name);
  const timestamp = Math.max(Math.floor(Date.parse(image.Created) / 1000), (older[0]?.timestamp ?? 0) + 1);
  mkdirSync(dir, { recursive: true });
  const file = tarballFileName(name, timestamp);
  const partial = join(dir, `${file}.partial`);
  try {
    const stream = (await docker.getImage(tag).get()) as NodeJS.ReadableStream;
    const handle = await open(partial, "w");
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) await handle.write(chunk);
      await handle.sync();
    } finally {
      await handle.close();
    }
    renameSync(partial, join(dir, file));
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  }
  for (const old of older) {
    try {
      unlinkSync(join(dir, old.file));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
  }
  // The previous commit of this name is untagged now; dropped unless a container still uses it.
  if (previousId && previousId !== committed.Id) await docker.getImage(previousId).remove().catch(() => undefined);
  return { file, sizeBytes: statSync(join(dir, file)).size };
}
