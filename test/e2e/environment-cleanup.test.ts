/**
 * End to end against the real Docker engine, the CLI as typed: task
 * containers stay out of list-containers, create-tar's progress (piped and
 * on a terminal), delete-tar's message when nothing is left, and
 * delete-container keeping or (with --image) removing hakuriver/<env>:base.
 */
import { execFileSync } from "node:child_process";
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { CLI, FAST_TIMING, TestCluster, submittedIds, waitUntil } from "../helpers/cluster.js";
import { docker, removeTestDockerState } from "../helpers/docker.js";
import { failure } from "../helpers/call-failure.js";
import { Code } from "@connectrpc/connect";
import { ErrorInfoSchema } from "../../gen/google/rpc/error_details_pb.js";

const suffix = `${process.pid}${Date.now().toString(36)}`;
const ENV = `envc${suffix}`;
const RUNNER = `dockclean${suffix}`;
let cluster: TestCluster;

before(async () => {
  cluster = new TestCluster({ ...FAST_TIMING, HAKURIVER_TIMING_HEARTBEAT_TIMEOUT_FACTOR: "50" });
  await cluster.startHost();
  await cluster.startRunner(RUNNER);
  const created = await cluster.cli(["docker", "create-container", "hakuriver-test/busybox:latest", ENV]);
  assert.equal(created.code, 0, created.stderr);
});

after(async () => {
  await cluster.cleanup();
  removeTestDockerState(RUNNER, ENV);
});

function imageExists(ref: string): boolean {
  try {
    docker("image", "inspect", ref);
    return true;
  } catch {
    return false;
  }
}

test("create-tar piped prints progress lines with a percent and a final saved line", async () => {
  const tar = await cluster.cli(["docker", "create-tar", ENV]);
  assert.equal(tar.code, 0, tar.stderr);
  assert.match(tar.stderr, new RegExp(`^save: saving ${ENV}-\\d+\\.tar: .+ of about .+ \\(\\d+ %\\)$`, "m"));
  assert.match(tar.stderr, new RegExp(`^save: saved ${ENV}-\\d+\\.tar \\(.+\\) in \\d+\\.\\d s$`, "m"));
  assert.doesNotMatch(tar.stderr, /\r/, "no carriage returns off a terminal");
  const savedAt = tar.stderr.indexOf("save: saved ");
  assert.ok(savedAt < tar.stderr.indexOf("prune: "), `the saved line comes before the prune line:\n${tar.stderr}`);
  assert.doesNotMatch(tar.stderr.slice(savedAt), /save: saving/, "no save line after the saved one");
  assert.match(tar.stdout, new RegExp(`Created ${ENV}-\\d+\\.tar`));
});

test("create-tar on a terminal redraws one live line, then leaves the saved line", () => {
  const out = execFileSync("script", ["-qec", `${process.execPath} ${CLI} docker create-tar ${ENV} --keep 2`, "/dev/null"], {
    env: { ...process.env, ...cluster.cliEnv() },
    encoding: "utf8",
    timeout: 120_000,
  });
  assert.match(out, /\r\x1b\[Ksave: saving /, "a live line");
  assert.match(out, /save: saved .+ in \d+\.\d s\r?\n/);
  assert.match(out, /Created /);
});

test("a running task container is not listed by list-containers (plain and --json)", async () => {
  const submitted = await cluster.cli(["task", "submit", "--json", "--target", RUNNER, "--container", ENV, "--", "sleep", "60"]);
  assert.equal(submitted.code, 0, submitted.stderr);
  const id = submittedIds(submitted.stdout)[0]!;
  const taskContainer = `hakuriver-task-${id}`;
  await waitUntil(() => {
    try {
      return docker("inspect", "--format", "{{.State.Running}}", taskContainer).trim() === "true";
    } catch {
      return false;
    }
  }, 60_000, () => `${taskContainer} did not start`);
  // It inherits the environment's labels from the committed image, but carries its own role.
  assert.equal(docker("inspect", "--format", '{{index .Config.Labels "hakuriver.role"}}', taskContainer).trim(), "task");
  const listed = await cluster.cli(["docker", "list-containers"]);
  assert.equal(listed.code, 0, listed.stderr);
  assert.match(listed.stdout, new RegExp(`^${ENV}\\s`, "m"));
  assert.doesNotMatch(listed.stdout, /hakuriver-task-/);
  const json = JSON.parse((await cluster.cli(["docker", "list-containers", "--json"])).stdout) as { name: string }[];
  assert.deepEqual(json.filter((c) => c.name === ENV || c.name === taskContainer).map((c) => c.name), [ENV]);
  assert.equal((await cluster.cli(["task", "kill", id])).code, 0);
  await waitUntil(() => !docker("ps", "-aq", "--filter", `name=${taskContainer}`).trim(), 30_000, () => `${taskContainer} was not removed after the kill`);
});

test("delete-tar twice: the second says the environment has no tarball, NOT_FOUND", async () => {
  const deleted = await cluster.cli(["docker", "delete-tar", ENV]);
  assert.equal(deleted.code, 0, deleted.stderr);
  const again = await cluster.cli(["docker", "delete-tar", ENV]);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /not found/);
  assert.match(again.stderr, new RegExp(`environment "${ENV}" has no tarball to delete .*hakuriver docker list-tars lists them`));
  assert.doesNotMatch(again.stderr, /no any/);
});

test("delete-container keeps the image and says so; --image removes it", async () => {
  const image = `hakuriver/${ENV}:base`;
  assert.ok(imageExists(image), "create-tar committed the image");
  const kept = await cluster.cli(["docker", "delete-container", ENV]);
  assert.equal(kept.code, 0, kept.stderr);
  assert.match(kept.stdout, new RegExp(`Deleted environment container ${ENV}; its image ${image.replace(/[.:/]/g, "\\$&")} is kept \\(remove it with: hakuriver docker delete-container ${ENV} --image\\)`));
  assert.ok(imageExists(image), "the image stays without --image");
  // Another container on the image: --image refuses with IMAGE_IN_USE (one line, exit 1) and keeps it.
  const user = `hakuriver-imguser-${suffix}`;
  docker("create", "--name", user, image, "true");
  try {
    const busy = await cluster.cli(["docker", "delete-container", ENV, "--image"]);
    assert.equal(busy.code, 1, busy.stderr);
    assert.match(busy.stderr, /^error \(failed precondition\): the image .* is still used by a container .*retry with --image\n$/);
    const refused = await failure(cluster.client.deleteContainer({ name: ENV, removeImage: true }));
    assert.equal(refused.code, Code.FailedPrecondition);
    assert.equal(refused.findDetails(ErrorInfoSchema)[0]?.reason, "IMAGE_IN_USE");
    assert.ok(imageExists(image), "a refused --image keeps the image");
  } finally {
    docker("rm", "-f", user);
  }
  const removed = await cluster.cli(["docker", "delete-container", ENV, "--image"]);
  assert.equal(removed.code, 0, removed.stderr);
  assert.match(removed.stdout, new RegExp(`There was no environment container ${ENV}; removed its image`));
  assert.equal(imageExists(image), false, "the image is gone");
  const nothing = await cluster.cli(["docker", "delete-container", ENV, "--image", "--json"]);
  assert.equal(nothing.code, 1);
  assert.match(nothing.stderr, /not found.*neither an environment container/s);
});
