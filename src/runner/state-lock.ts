/**
 * One runner per local state directory: a second runner process started
 * over the same directory would recover the first one's tasks from its
 * journal and kill them as orphans before the Host could refuse it. The
 * lock is a file holding the owner's pid; a stale one (its process gone)
 * is taken over.
 */
import { openSync, readFileSync, rmSync, writeSync, closeSync } from "node:fs";
import { join } from "node:path";

/** A held lock. */
export interface StateLock {
  release(): void;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Takes the lock of `dir` or throws, naming the process that holds it. */
export function lockStateDir(dir: string): StateLock {
  const path = join(dir, "runner.lock");
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, "wx", 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return { release: () => rmSync(path, { force: true }) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const holder = Number(readFileSync(path, "utf8").trim());
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && alive(holder)) {
        throw new Error(`another runner (pid ${holder}) uses ${dir}: stop it, or give this one another paths.local_temp_dir (--local-temp-dir)`);
      }
      rmSync(path, { force: true });
    }
  }
  throw new Error(`could not take the lock ${path}`);
}
