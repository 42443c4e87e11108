/**
 * paths.numactl_path: the numactl binary NUMA-bound native tasks run under
 * (the machine is modelled by injected probes).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { planNativeLimits, type LimitProbes } from "../../src/runner/limits/native-limits.js";

const files = new Set(["/usr/bin/true", "/usr/bin/numactl", "/opt/numa/bin/numactl"]);
const probes: LimitProbes = {
  systemd: () => false,
  cgroups: () => {
    throw new Error("no limits asked, so no cgroup probe");
  },
  which: (command, path) => {
    if (command.startsWith("/")) return files.has(command) ? command : undefined;
    return (path ?? "").split(":").map((dir) => `${dir}/${command}`).find((candidate) => files.has(candidate));
  },
};
const request = { taskId: "7", command: "true", args: ["x"], cores: 0, memoryBytes: 0, numaNode: 1, path: "/usr/bin", cwd: "/" };

test("numactl is found on the task's PATH when paths.numactl_path is empty", async () => {
  const plan = await planNativeLimits({ ...request, numactlPath: "" }, probes);
  assert.deepEqual(plan.argv, ["/usr/bin/numactl", "--cpunodebind=1", "--membind=1", "true", "x"]);
  assert.deepEqual(plan.notes, []);
});

test("paths.numactl_path names the binary used", async () => {
  const plan = await planNativeLimits({ ...request, numactlPath: "/opt/numa/bin/numactl" }, probes);
  assert.deepEqual(plan.argv, ["/opt/numa/bin/numactl", "--cpunodebind=1", "--membind=1", "true", "x"]);
});

test("a paths.numactl_path that is not there is named in a note, never silently replaced", async () => {
  const plan = await planNativeLimits({ ...request, numactlPath: "/missing/numactl" }, probes);
  assert.deepEqual(plan.argv, ["true", "x"]);
  assert.match(plan.notes.join("\n"), /paths\.numactl_path \/missing\/numactl is not an executable file/);
});
