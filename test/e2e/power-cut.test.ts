/**
 * Acknowledged work survives a power cut. The Host's database lives on a
 * loop-mounted ext4; after acknowledged submissions the Host is SIGKILLed and
 * the file system is shut down with EXT4_IOC_SHUTDOWN / NOLOGFLUSH, which
 * drops whatever was not yet flushed to the disk, as a power cut would. After
 * a remount, a new Host on the same database must hold every acknowledged task.
 *
 * Needs root (mount, losetup). Without it the test fails with a message:
 * a skipped durability test would look like a passing one.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TaskStatus } from "../../gen/hakuriver/v1/types_pb.js";
import { TestCluster } from "../helpers/cluster.js";

/** EXT4_IOC_SHUTDOWN, _IOR('X', 125, __u32). */
const EXT4_IOC_SHUTDOWN = 0x8004587d;
/** Shut down without flushing the journal: unflushed data is lost. */
const EXT4_GOING_FLAGS_NOLOGFLUSH = 2;
const IMAGE_BYTES = 64 * 1024 * 1024;
/** Submissions, sent this many at a time (so concurrent ones share commits). */
const SUBMISSIONS = 40;
const CONCURRENCY = 8;

/** A cluster whose Host database is at a path of the test's choosing. */
class ClusterWithDb extends TestCluster {
  constructor(override readonly dbFile: string) {
    super();
  }
}

const work = mkdtempSync(join(tmpdir(), "hakuriver-powercut-"));
const image = join(work, "disk.img");
const mountDir = join(work, "mnt");
let mounted = false;
const clusters: TestCluster[] = [];

function sh(command: string, args: string[]): string {
  return execFileSync(command, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

function mount(): void {
  sh("mount", ["-o", "loop", image, mountDir]);
  mounted = true;
}

function unmount(): void {
  sh("umount", [mountDir]);
  mounted = false;
}

/** Cuts the power under the mounted file system: nothing more reaches the disk. */
function powerCut(): void {
  const script = `import fcntl, os, struct\nfd = os.open(${JSON.stringify(mountDir)}, os.O_RDONLY)\nfcntl.ioctl(fd, ${EXT4_IOC_SHUTDOWN}, struct.pack("I", ${EXT4_GOING_FLAGS_NOLOGFLUSH}))\nos.close(fd)\n`;
  sh("python3", ["-c", script]);
}

/** Loop devices still attached to the image (mount -o loop normally detaches its own). */
function attachedLoops(): string[] {
  return sh("losetup", ["-j", image])
    .split("\n")
    .map((line) => line.split(":")[0]!.trim())
    .filter((device) => device !== "");
}

before(() => {
  if (process.getuid?.() !== 0) {
    throw new Error("the power-cut test needs root: it makes and mounts a loop ext4 file system (run the e2e tests as root, as CI does)");
  }
  mkdirSync(mountDir);
  sh("truncate", ["-s", String(IMAGE_BYTES), image]);
  sh("mkfs.ext4", ["-q", "-F", image]);
  mount();
});

after(async () => {
  const problems: string[] = [];
  for (const cluster of clusters) await cluster.cleanup();
  if (mounted) {
    try {
      unmount();
    } catch (error) {
      problems.push(`umount ${mountDir}: ${String(error)}`);
    }
  }
  try {
    for (const device of attachedLoops()) sh("losetup", ["-d", device]);
  } catch (error) {
    problems.push(`losetup -d: ${String(error)}`);
  }
  if (problems.length === 0) rmSync(work, { recursive: true, force: true });
  else throw new Error(`cleanup failed, ${work} left in place: ${problems.join("; ")}`);
});

test("every acknowledged submission is still there after a power cut", async () => {
  const dbFile = join(mountDir, "host.db");
  const first = new ClusterWithDb(dbFile);
  clusters.push(first);
  await first.startHost();

  // No runner: tasks stay pending (queued), which is all this test needs.
  const acknowledged: string[] = [];
  for (let sent = 0; sent < SUBMISSIONS; sent += CONCURRENCY) {
    const round = Array.from({ length: Math.min(CONCURRENCY, SUBMISSIONS - sent) }, (_, i) =>
      first.client.submitTask({ command: "echo", args: [String(sent + i)], container: "NULL" }),
    );
    for (const { tasks } of await Promise.all(round)) acknowledged.push(...tasks.map((t) => t.taskId));
  }
  assert.equal(acknowledged.length, SUBMISSIONS);

  await first.kill(first.host!, "SIGKILL");
  powerCut();
  unmount();
  mount();

  const second = new ClusterWithDb(dbFile);
  clusters.push(second);
  await second.startHost();
  const { tasks } = await second.client.listTasks({ limit: SUBMISSIONS * 2 });
  const stored = new Map(tasks.map((t) => [t.taskId, t]));
  const lost = acknowledged.filter((id) => !stored.has(id));
  assert.deepEqual(lost, [], `${lost.length} of ${acknowledged.length} acknowledged tasks were lost in the power cut`);
  assert.ok(acknowledged.every((id) => stored.get(id)?.status === TaskStatus.PENDING), "each came back as it was acknowledged: pending");
});
