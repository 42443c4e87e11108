/**
 * Tarball names, listing, pruning and deleting (Host) and the runner's
 * choice of the newest tarball; the task container's options.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { create } from "@bufbuild/protobuf";
import { TaskSpecSchema } from "../../gen/hakuriver/v1/runner_pb.js";
import { DomainError } from "../../src/shared/errors.js";
import { deleteTarballs, listTarballs, parseTarballName, pruneTarballs, tarballFileName, tarballsToPrune } from "../../src/host/environments/tarballs.js";
import { newestTarball } from "../../src/runner/images.js";
import { taskContainerOptions } from "../../src/runner/docker/task-container.js";

const dir = mkdtempSync(join(tmpdir(), "hakuriver-tarballs-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test("tarball names parse strictly", () => {
  assert.deepEqual(parseTarballName("myenv-1700000000.tar"), { name: "myenv", timestamp: 1700000000 });
  assert.deepEqual(parseTarballName("my-env.v2_x-12.tar"), { name: "my-env.v2_x", timestamp: 12 }, "the last dash splits");
  for (const bad of ["myenv.tar", "myenv-12.tar.partial", "myenv-12a.tar", "-12.tar", "my env-12.tar", "myenv-12.tgz"]) assert.equal(parseTarballName(bad), undefined, bad);
  assert.equal(tarballFileName("a", 5), "a-5.tar");
});

test("listing is newest first, per environment, and ignores partial files", () => {
  for (const f of ["a-10.tar", "a-30.tar", "a-20.tar", "b-40.tar", "a-50.tar.partial", "notes.txt"]) writeFileSync(join(dir, f), "x");
  assert.deepEqual(listTarballs(dir, "a").map((t) => t.timestamp), [30, 20, 10]);
  assert.deepEqual(listTarballs(dir).map((t) => t.file), ["b-40.tar", "a-30.tar", "a-20.tar", "a-10.tar"]);
  assert.deepEqual(listTarballs(join(dir, "missing")), []);
  assert.deepEqual(newestTarball(dir, "a"), { file: "a-30.tar", timestamp: 30 }, "the runner picks the same newest file");
  assert.equal(newestTarball(dir, "c"), undefined);
});

test("pruning keeps the newest N (at least one)", () => {
  const list = listTarballs(dir, "a");
  assert.deepEqual(tarballsToPrune(list, 2).map((t) => t.timestamp), [10]);
  assert.deepEqual(tarballsToPrune(list, 0).map((t) => t.timestamp), [20, 10], "keep 0 still keeps the newest");
  assert.deepEqual(pruneTarballs(dir, "a", 1).map((t) => t.file), ["a-20.tar", "a-10.tar"]);
  assert.deepEqual(listTarballs(dir).map((t) => t.file), ["b-40.tar", "a-30.tar"]);
});

test("delete-tar removes one by timestamp or all, NOT_FOUND otherwise", () => {
  writeFileSync(join(dir, "b-41.tar"), "x");
  assert.deepEqual(deleteTarballs(dir, "b", 40).map((t) => t.file), ["b-40.tar"]);
  assert.throws(() => deleteTarballs(dir, "b", 40), (e: unknown) => e instanceof DomainError && e.kind === "not_found");
  assert.deepEqual(deleteTarballs(dir, "a", 0).map((t) => t.file), ["a-30.tar"]);
});

test("task container options carry limits, mounts, labels and env", () => {
  const spec = create(TaskSpecSchema, { taskId: "42", command: "sh", args: ["-c", "true"], env: { A: "1" }, cores: 0.5, memoryBytes: 32_000_000n, container: "env1", mounts: ["/data:/data:ro"], gpus: [0, 2], privileged: false });
  const options = taskContainerOptions(spec, { sharedDir: "/s", localTempDir: "/t", note() {} }, "hakuriver/env1:base", "node1");
  assert.equal(options.name, "hakuriver-task-42");
  assert.deepEqual(options.Cmd, ["sh", "-c", "true"]);
  assert.equal(options.WorkingDir, "/shared");
  assert.equal(options.HostConfig?.NanoCpus, 500_000_000);
  assert.equal(options.HostConfig?.Memory, 32_000_000);
  assert.equal(options.HostConfig?.MemorySwap, 32_000_000);
  assert.deepEqual(options.HostConfig?.Binds, ["/s/shared_data:/shared", "/t:/local_temp", "/data:/data:ro"]);
  assert.deepEqual(options.HostConfig?.DeviceRequests?.[0]?.DeviceIDs, ["0", "2"]);
  assert.equal(options.Labels?.["hakuriver.task_id"], "42");
  assert.equal(options.Labels?.["hakuriver.runner"], "node1");
  assert.ok(options.Env?.includes("A=1") && options.Env.includes("HAKURIVER_TASK_ID=42"));
  const unlimited = taskContainerOptions(create(TaskSpecSchema, { taskId: "1", command: "true", container: "e" }), { sharedDir: "/s", localTempDir: "/t", note() {} }, "i", "n");
  assert.equal(unlimited.HostConfig?.NanoCpus, undefined);
  assert.equal(unlimited.HostConfig?.Memory, undefined);
  assert.equal(unlimited.HostConfig?.DeviceRequests, undefined);
});
