/**
 * Where this runner can create cgroups for its native tasks: a cgroup v2
 * hierarchy with the cpu and memory controllers, or the cgroup v1 `cpu` and
 * `memory` hierarchies. Found from /proc/self/mountinfo and
 * /proc/self/cgroup, then checked for real by creating and removing a probe
 * directory (a read-only or delegated-away mount is not usable).
 */
import { mkdirSync, readFileSync, rmdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** A cgroup mount as mountinfo lists it. */
export interface CgroupMount {
  readonly version: 1 | 2;
  /** Mount point, for example `/sys/fs/cgroup/memory`. */
  readonly mountPoint: string;
  /** The hierarchy path mounted there (`/` unless a namespace or bind mount hides the top). */
  readonly root: string;
  /** v1 controllers of the hierarchy (`cpu`, `memory`, ...); empty for v2. */
  readonly controllers: readonly string[];
  readonly readOnly: boolean;
}

/** Usable parent directories for task cgroups; absent fields are not usable here. */
export interface CgroupLayout {
  /** cgroup v2: one directory whose children get cpu and memory controllers. */
  readonly v2?: string;
  /** cgroup v1: parent directory in the cpu hierarchy. */
  readonly v1Cpu?: string;
  /** cgroup v1: parent directory in the memory hierarchy. */
  readonly v1Memory?: string;
}

/** Parses /proc/self/mountinfo text into cgroup mounts. */
export function parseCgroupMounts(mountinfo: string): CgroupMount[] {
  const mounts: CgroupMount[] = [];
  for (const line of mountinfo.split("\n")) {
    const [left, right] = line.split(" - ");
    if (!left || !right) continue;
    const fields = left.split(" ");
    const [fsType = "", , superOptions = ""] = right.split(" ");
    const root = unescapeMount(fields[3] ?? "/");
    const mountPoint = unescapeMount(fields[4] ?? "");
    const readOnly = (fields[5] ?? "").split(",").includes("ro");
    if (fsType === "cgroup2") mounts.push({ version: 2, mountPoint, root, controllers: [], readOnly });
    else if (fsType === "cgroup") {
      const controllers = superOptions.split(",").filter((o) => o !== "rw" && o !== "ro" && !o.includes("="));
      mounts.push({ version: 1, mountPoint, root, controllers, readOnly });
    }
  }
  return mounts;
}

function unescapeMount(text: string): string {
  return text.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

/** Parses /proc/PID/cgroup: controller list (`""` for v2) → path. */
export function parseProcCgroup(text: string): Map<string, string> {
  const paths = new Map<string, string>();
  for (const line of text.split("\n")) {
    const match = /^\d+:([^:]*):(.*)$/.exec(line.trim());
    if (!match) continue;
    const [, controllers = "", path = "/"] = match;
    if (controllers === "") paths.set("", path);
    for (const name of controllers.split(",")) if (name !== "") paths.set(name, path);
  }
  return paths;
}

/** The directory of `path` (a hierarchy path) under a mount, or the mount point when the path lies outside the mount's root. */
export function dirInMount(mount: CgroupMount, path: string): string {
  if (mount.root === "/") return join(mount.mountPoint, path);
  if (path === mount.root || path.startsWith(`${mount.root}/`)) return join(mount.mountPoint, path.slice(mount.root.length));
  return mount.mountPoint;
}

/** True when a child directory can be created (and removed) under `dir`. */
function canCreateUnder(dir: string): boolean {
  const probe = join(dir, `hakuriver-probe-${process.pid}`);
  try {
    mkdirSync(probe);
    rmdirSync(probe);
    return true;
  } catch {
    return false;
  }
}

function readText(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}

/** Makes sure `dir`'s children get the cpu and memory controllers (v2); false when they cannot. */
function enableV2Controllers(dir: string): boolean {
  const available = readText(join(dir, "cgroup.controllers")).split(/\s+/);
  if (!available.includes("cpu") || !available.includes("memory")) return false;
  const enabled = readText(join(dir, "cgroup.subtree_control")).split(/\s+/);
  if (enabled.includes("cpu") && enabled.includes("memory")) return true;
  try {
    writeFileSync(join(dir, "cgroup.subtree_control"), "+cpu +memory");
    return true;
  } catch {
    // A non-root cgroup that holds processes cannot delegate controllers.
    return false;
  }
}

/** Picks the first of `candidates` under which a cgroup can be created. */
function firstUsable(candidates: readonly string[], extra: (dir: string) => boolean = () => true): string | undefined {
  return [...new Set(candidates)].find((dir) => canCreateUnder(dir) && extra(dir));
}

/**
 * Detects where task cgroups can go, preferring the runner's own cgroup as
 * parent (so the runner's own limits still cover its tasks) and falling
 * back to the top of the hierarchy. Paths are injectable for tests.
 */
export function detectCgroupLayout(mountinfoPath = "/proc/self/mountinfo", selfCgroupPath = "/proc/self/cgroup"): CgroupLayout {
  const mounts = parseCgroupMounts(readText(mountinfoPath)).filter((m) => !m.readOnly);
  const self = parseProcCgroup(readText(selfCgroupPath));
  const layout: { v2?: string; v1Cpu?: string; v1Memory?: string } = {};
  const v2 = mounts.find((m) => m.version === 2);
  if (v2) {
    const own = dirInMount(v2, self.get("") ?? "/");
    // A v2 cgroup with processes cannot have controller-enabled children,
    // so the runner's own cgroup only works when it is the mount's top.
    layout.v2 = firstUsable(own === v2.mountPoint ? [own] : [v2.mountPoint], enableV2Controllers);
  }
  if (!layout.v2) {
    for (const controller of ["cpu", "memory"] as const) {
      const mount = mounts.find((m) => m.version === 1 && m.controllers.includes(controller));
      if (!mount) continue;
      const dir = firstUsable([dirInMount(mount, self.get(controller) ?? "/"), mount.mountPoint]);
      if (controller === "cpu") layout.v1Cpu = dir;
      else layout.v1Memory = dir;
    }
  }
  return layout;
}
