/**
 * VPS stop, start, restart and snapshots, for real: two runners, each behind
 * NAT in its own network namespace with its own Docker engine; the VPS
 * image is loaded only into the first node's engine, so the second can get
 * the VPS's disk only from the snapshot tarball in shared storage. Every
 * step is the CLI as a user types it; what is on the disk is read with
 * `docker exec` in the node's own engine.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { NodeStatus, TaskStatus } from "../../gen/hakuriver/v1/types_pb.js";
import { FAST_TIMING, TestCluster, waitUntil, type CliResult, type Proc } from "../helpers/cluster.js";
import { NatNode, natUnsupported, sh } from "../helpers/netns.js";

const IMAGE = "hakuriver-test/debian-sshd:latest";
const ENV = "vpsdeb";
const SNAPSHOT = "lifebox";

describe("VPS stop, start and snapshots across two NAT'd nodes with their own engines", { timeout: 900_000 }, () => {
  let alpha: NatNode;
  let beta: NatNode;
  let alphaRunner: Proc;
  let betaRunner: Proc;
  const cluster = new TestCluster({ ...FAST_TIMING, HAKURIVER_TLS_MODE: "off" });
  const key = join(cluster.dir, "key");
  const home = join(cluster.dir, "home");
  const cli = (args: string[]) => cluster.cli(args, { HOME: home });
  const task = async (id: string) => (await cluster.client.getTask({ taskId: id })).task!;
  const container = (id: string) => `hakuriver-vps-${id}`;
  const failsWith = (result: CliResult, pattern: RegExp, what: string) => {
    assert.notEqual(result.code, 0, `${what} must fail: ${result.stdout}`);
    assert.match(result.stderr, pattern, what);
    assert.doesNotMatch(result.stderr, /\n\s+at /, `${what}: no stack trace`);
  };
  let vpsId = "";
  let cores = 0;

  const startRunner = (name: string, nat: NatNode) =>
    cluster.startRunner(name, { wrapper: nat.wrapper, hostAddress: `${nat.hostIp}:${cluster.port}`, env: { DOCKER_HOST: nat.dockerHost, HAKURIVER_RUNNER_DOCKER_HOST: nat.dockerHost } });

  const submitVps = async (extra: string[]): Promise<string> => {
    const submitted = await cli(["vps", "submit", "--public-key-file", `${key}.pub`, "--wait", "--json", ...extra]);
    assert.equal(submitted.code, 0, submitted.stderr + submitted.stdout);
    return (JSON.parse(submitted.stdout) as { tasks: { taskId: string }[] }).tasks[0]!.taskId;
  };

  before(async () => {
    const unsupported = await natUnsupported();
    assert.equal(unsupported, undefined, `cannot run the NAT test: ${unsupported}`);
    await sh("docker", ["image", "inspect", IMAGE]).catch(() => assert.fail(`${IMAGE} is missing (run .ci/test-images.sh)`));
    [alpha, beta] = await Promise.all([NatNode.create(), NatNode.create()]);
    await Promise.all([alpha.startDocker(), beta.startDocker()]);
    await alpha.loadImage(IMAGE, `hakuriver/${ENV}:base`);
    await sh("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", key]);
    // Bound to every address: each namespace reaches the Host at its own veth end; the CLI at loopback.
    cluster.hostIp = "0.0.0.0";
    await cluster.startHost();
    cluster.hostIp = "127.0.0.1";
    alphaRunner = await startRunner("alpha", alpha);
    betaRunner = await startRunner("beta", beta);
    const { nodes } = await cluster.client.listNodes({});
    cores = nodes.find((n) => n.name === "alpha")!.resources!.cores;
    vpsId = await submitVps(["--container", ENV, "--target", "alpha", "--cores", String(cores)]);
    await alpha.docker(["exec", container(vpsId), "sh", "-c", "echo kept-across-stops > /root/marker"]);
  });

  after(async () => {
    await cluster.cleanup();
    await Promise.all([alpha?.destroy(), beta?.destroy()]);
  });

  it("vps stop keeps the container, frees the node's cores, and a task that needs them runs", async () => {
    const stopped = await cli(["vps", "stop", vpsId]);
    assert.equal(stopped.code, 0, stopped.stderr);
    assert.match(stopped.stdout, /stopped on alpha/);
    assert.equal((await task(vpsId)).status, TaskStatus.STOPPED);
    const inspect = JSON.parse(await alpha.docker(["inspect", container(vpsId)]))[0];
    assert.equal(inspect.State.Running, false, "the container is stopped");
    const node = (await cluster.client.listNodes({})).nodes.find((n) => n.name === "alpha")!;
    assert.equal(node.coresInUse, 0, "its cores are released");
    const list = await cli(["vps", "list"]);
    assert.match(list.stdout, new RegExp(`${vpsId}\\s+stopped\\s+alpha`));
    const json = JSON.parse((await cli(["vps", "status", vpsId, "--json"])).stdout) as { status: string };
    assert.equal(json.status, "stopped");
    const needsAll = await cli(["task", "submit", "--target", "alpha", "--cores", String(cores), "--container", "NULL", "--wait", "--", "true"]);
    assert.equal(needsAll.code, 0, `a task that needs every core of alpha ran: ${needsAll.stderr}`);
  });

  it("refuses what makes no sense, with one line and the right words", async () => {
    failsWith(await cli(["vps", "stop", vpsId]), /already stopped/, "stop of a stopped VPS");
    const command = await cli(["task", "submit", "--container", "NULL", "--target", "alpha", "--wait", "--json", "--", "true"]);
    const commandId = (JSON.parse(command.stdout) as { tasks: { taskId: string }[] }).tasks[0]!.taskId;
    failsWith(await cli(["vps", "stop", commandId]), /command task; only a VPS can be stopped/, "stop of a command task");
    failsWith(await cli(["vps", "start", commandId]), /command task/, "start of a command task");
    failsWith(await cli(["vps", "start", "12345"]), /not found/, "start of an unknown task");
    failsWith(await cli(["vps", "start", vpsId, "--node", "nowhere"]), /unknown node "nowhere"/, "start on an unknown node");
    failsWith(await cli(["vps", "start", vpsId, "--node", "beta"]), /no snapshot/, "a move without a snapshot");
    failsWith(await cli(["vps", "snapshot", vpsId, "--name", "Bad Name"]), /not a valid environment name/, "a bad snapshot name");
    failsWith(await cli(["vps", "submit", "--public-key-file", `${key}.pub`, "--from-snapshot", "nope"]), /no snapshot is named "nope"/, "an unknown snapshot");
    failsWith(await cli(["vps", "snapshot", "delete", "nope"]), /no snapshot is named "nope"/, "delete of an unknown snapshot");
  });

  it("vps start queues while the node is full, and starts the kept container when it frees up: the file is there", async () => {
    const hog = await cli(["task", "submit", "--target", "alpha", "--cores", String(cores), "--container", "NULL", "--json", "--", "sleep", "60"]);
    const hogId = (JSON.parse(hog.stdout) as { tasks: { taskId: string }[] }).tasks[0]!.taskId;
    await waitUntil(async () => (await task(hogId)).status === TaskStatus.RUNNING, 20_000, () => "the hog runs");
    const queued = await cli(["vps", "start", vpsId]);
    assert.equal(queued.code, 0, queued.stderr);
    assert.match(queued.stdout, /queued to start: waiting: /);
    assert.equal((await task(vpsId)).status, TaskStatus.PENDING);
    assert.equal((await cli(["task", "kill", hogId])).code, 0);
    await waitUntil(async () => (await task(vpsId)).status === TaskStatus.RUNNING, 120_000, () => "the VPS runs again once alpha has room");
    const node = (await cluster.client.listNodes({})).nodes.find((n) => n.name === "alpha")!;
    assert.equal(node.coresInUse, cores, "its cores are reserved again");
    assert.equal((await alpha.docker(["exec", container(vpsId), "cat", "/root/marker"])).trim(), "kept-across-stops");
    failsWith(await cli(["vps", "start", vpsId]), /is not stopped; it is running: hakuriver vps restart/, "start of a running VPS");
  });

  it("vps restart stops and starts it; a runner restart keeps a stopped VPS stopped, and it starts again", async () => {
    const restarted = await cli(["vps", "restart", vpsId]);
    assert.equal(restarted.code, 0, restarted.stderr);
    assert.match(restarted.stdout, /is running on alpha/);
    assert.equal((await cli(["vps", "stop", vpsId])).code, 0);
    await cluster.kill(alphaRunner, "SIGTERM");
    alphaRunner = await startRunner("alpha", alpha);
    // Its hello lists the stopped VPS: the Host keeps it stopped (not lost), and the container is still there.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.equal((await task(vpsId)).status, TaskStatus.STOPPED, (await task(vpsId)).message);
    assert.equal(JSON.parse(await alpha.docker(["inspect", container(vpsId)]))[0].State.Running, false);
    const started = await cli(["vps", "start", vpsId]);
    assert.equal(started.code, 0, started.stderr + started.stdout);
    assert.equal((await task(vpsId)).status, TaskStatus.RUNNING);
    assert.equal((await alpha.docker(["exec", container(vpsId), "cat", "/root/marker"])).trim(), "kept-across-stops");
  });

  it("a snapshot is a tarball in shared storage; vps start --node beta brings the same disk up in beta's own engine", async () => {
    const saved = await cli(["vps", "snapshot", vpsId, "--name", SNAPSHOT]);
    assert.equal(saved.code, 0, saved.stderr);
    assert.match(saved.stdout, new RegExp(`Saved snapshot ${SNAPSHOT} of VPS ${vpsId}`));
    const tarballs = readdirSync(join(cluster.sharedDir, "hakuriver-containers")).filter((f) => f.startsWith(`${SNAPSHOT}-`) && f.endsWith(".tar"));
    assert.equal(tarballs.length, 1, `one tarball: ${tarballs.join(", ")}`);
    const listed = await cli(["vps", "snapshots"]);
    assert.match(listed.stdout, new RegExp(`${SNAPSHOT}\\s+${vpsId}\\s+alpha`));
    await assert.rejects(beta.docker(["image", "inspect", `hakuriver/${SNAPSHOT}:base`]), "beta's engine has no such image before the start");
    assert.equal((await cli(["vps", "stop", vpsId])).code, 0);
    const moved = await cli(["vps", "start", vpsId, "--node", "beta"]);
    assert.equal(moved.code, 0, moved.stderr + moved.stdout);
    assert.match(moved.stdout, /is running on beta/);
    const now = await task(vpsId);
    assert.equal(now.assignedNode, "beta");
    assert.equal((await beta.docker(["exec", container(vpsId), "cat", "/root/marker"])).trim(), "kept-across-stops");
    // The old node's kept container is no longer its disk: alpha's runner removes it.
    await waitUntil(() => alpha.docker(["inspect", container(vpsId)]).then(() => false, () => true), 30_000, () => "alpha's old container is removed");
  });

  it("vps submit --from-snapshot starts a new VPS with the snapshot's disk", async () => {
    const copy = await submitVps(["--from-snapshot", SNAPSHOT, "--target", "beta"]);
    assert.equal((await beta.docker(["exec", container(copy), "cat", "/root/marker"])).trim(), "kept-across-stops");
    assert.equal((await cli(["vps", "kill", copy])).code, 0);
  });

  it("vps kill of a stopped VPS ends it for good and removes its container", async () => {
    assert.equal((await cli(["vps", "stop", vpsId])).code, 0);
    const killed = await cli(["vps", "kill", vpsId]);
    assert.equal(killed.code, 0, killed.stderr);
    assert.equal((await task(vpsId)).status, TaskStatus.KILLED);
    await waitUntil(() => beta.docker(["inspect", container(vpsId)]).then(() => false, () => true), 30_000, () => "the stopped container is removed");
    failsWith(await cli(["vps", "start", vpsId]), /already killed/, "start of a killed VPS");
    failsWith(await cli(["vps", "stop", vpsId]), /already killed; nothing to stop/, "stop of a finished VPS");
  });

  it("vps start --node of an offline node, and snapshot delete", async () => {
    const other = await submitVps(["--container", ENV, "--target", "alpha"]);
    assert.equal((await cli(["vps", "stop", other])).code, 0);
    await cluster.kill(betaRunner, "SIGKILL");
    await cluster.waitForNode("beta", "offline", 30_000);
    const nodes = (await cluster.client.listNodes({})).nodes;
    assert.equal(nodes.find((n) => n.name === "beta")!.status, NodeStatus.OFFLINE);
    failsWith(await cli(["vps", "start", other, "--node", "beta"]), /node beta is offline/, "start on an offline node");
    const deleted = await cli(["vps", "snapshot", "delete", SNAPSHOT]);
    assert.equal(deleted.code, 0, deleted.stderr);
    assert.deepEqual(readdirSync(join(cluster.sharedDir, "hakuriver-containers")).filter((f) => f.startsWith(`${SNAPSHOT}-`)), []);
    assert.doesNotMatch((await cli(["vps", "snapshots"])).stdout, new RegExp(SNAPSHOT));
    assert.equal((await cli(["vps", "kill", other])).code, 0);
  });
});
