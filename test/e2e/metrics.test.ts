/**
 * `GET /metrics` end to end: a real Host and runner, a few native tasks run
 * from the CLI, then the exposition read over HTTP/1.1 (as Prometheus does)
 * and parsed with a Prometheus text-format parser: the series are there
 * with values that fit what ran, the runner's own figures arrived through
 * its heartbeats, and auth decides who may read it (none or a bad token
 * 401, a join token 403, a viewer 200; with auth off anyone).
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { ClientService } from "../../gen/hakuriver/v1/client_pb.js";
import { Role } from "../../gen/hakuriver/v1/auth_pb.js";
import { createHostTransport } from "../../src/shared/transport.js";
import { FAST_TIMING, TestCluster, waitUntil } from "../helpers/cluster.js";
import { histogramOf, parseExposition, sampleValue, type Family } from "../helpers/prometheus.js";

async function scrape(address: string, token?: string): Promise<{ status: number; headers: Headers; text: string }> {
  const response = await fetch(`http://${address}/metrics`, token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

describe("metrics with auth on, after tasks ran on a real runner", () => {
  const cluster = new TestCluster();
  let viewerToken = "";
  let families = new Map<string, Family>();
  let text = "";

  before(async () => {
    await cluster.startHost();
    await cluster.startRunner("metrics-node");
    const added = await cluster.client.addUser({ name: "prometheus", role: Role.VIEWER, tokenLabel: "scraper" });
    viewerToken = added.token;
    for (let i = 0; i < 3; i++) {
      const result = await cluster.cli(["task", "submit", "--wait", "--json", "--container", "NULL", "--", "true"]);
      assert.equal(result.code, 0, result.stderr);
    }
    // One refused call: counted under its code.
    const anonymous = createClient(ClientService, createHostTransport(cluster.address, {}));
    await assert.rejects(anonymous.listNodes({}), (error: unknown) => ConnectError.from(error).code === Code.Unauthenticated);
    // The runner's figures travel with its heartbeats (every 200 ms here): wait for one sent after the three spawns.
    await waitUntil(async () => {
      text = (await scrape(cluster.address, viewerToken)).text;
      families = parseExposition(text);
      // ...and sent after the last of them ended (a heartbeat between spawn and end still counts it active).
      const spawned = (histogramOf(text, "hakuriver_runner_spawn_seconds", { node: "metrics-node" })?.count ?? 0) >= 3;
      return spawned && sampleValue(families, "hakuriver_runner_active_tasks", { node: "metrics-node" }) === 0;
    }, 10_000, () => "no heartbeat brought the runner's three spawns with none of them active");
  });
  after(() => cluster.cleanup());

  it("answers no token and a bad token with 401, a join token with 403, a viewer's token with 200 in the text format", async () => {
    const none = await scrape(cluster.address);
    assert.equal(none.status, 401);
    assert.match(none.headers.get("www-authenticate") ?? "", /^Bearer/);
    assert.match(none.text, /\/metrics needs a user's token: send Authorization: Bearer TOKEN/);
    const bad = await scrape(cluster.address, "hkr_000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    assert.equal(bad.status, 401);
    const join = await scrape(cluster.address, cluster.joinToken);
    assert.equal(join.status, 403);
    assert.match(join.text, /join token is for runners only/);
    const viewer = await scrape(cluster.address, viewerToken);
    assert.equal(viewer.status, 200);
    assert.match(viewer.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
    const post = await fetch(`http://${cluster.address}/metrics`, { method: "POST", headers: { authorization: `Bearer ${viewerToken}` } });
    assert.equal(post.status, 405);
  });

  it("names every family hakuriver_ with help text", () => {
    assert.ok(families.size > 20, `only ${families.size} families`);
    for (const family of families.values()) {
      assert.match(family.name, /^hakuriver_/);
      assert.ok(family.help.length > 10, `${family.name} has no help`);
    }
  });

  it("counts the tasks by status and kind, with an empty queue", () => {
    assert.equal(sampleValue(families, "hakuriver_tasks", { status: "completed", kind: "command" }), 3);
    assert.equal(sampleValue(families, "hakuriver_tasks", { status: "pending", kind: "command" }), 0);
    assert.equal(sampleValue(families, "hakuriver_tasks", { status: "running", kind: "vps" }), 0);
    assert.equal(sampleValue(families, "hakuriver_queue_depth"), 0);
    assert.equal(sampleValue(families, "hakuriver_queue_oldest_wait_seconds"), 0);
  });

  it("has submit→running and running→final histograms with one observation per task, each under ten seconds", () => {
    const series: [string, Record<string, string>][] = [
      ["hakuriver_task_wait_seconds", { kind: "command" }],
      ["hakuriver_task_run_seconds", { kind: "command", status: "completed" }],
    ];
    for (const [name, labels] of series) {
      const histogram = histogramOf(text, name, labels);
      assert.ok(histogram, `${name} missing`);
      assert.equal(histogram.count, 3, name);
      assert.ok(histogram.sum >= 0 && histogram.sum < 30, `${name} sum ${histogram.sum}`);
      assert.equal(histogram.buckets["10"], 3, `${name}: every task within 10 s`);
      assert.equal(histogram.buckets["+Inf"], 3);
    }
  });

  it("counts RPCs by method and code, refused ones included", () => {
    assert.ok((sampleValue(families, "hakuriver_rpcs_total", { service: "hakuriver.v1.ClientService", method: "SubmitTask", code: "ok" }) ?? 0) >= 3);
    assert.ok((sampleValue(families, "hakuriver_rpcs_total", { method: "ListNodes", code: "unauthenticated" }) ?? 0) >= 1);
  });

  it("shows the node online with a fresh heartbeat, and no tunnel open", () => {
    assert.equal(sampleValue(families, "hakuriver_nodes", { state: "online" }), 1);
    assert.equal(sampleValue(families, "hakuriver_nodes", { state: "offline" }), 0);
    assert.equal(sampleValue(families, "hakuriver_nodes", { state: "drained" }), 0);
    const age = sampleValue(families, "hakuriver_node_heartbeat_age_seconds", { node: "metrics-node" });
    assert.ok(age !== undefined && age >= 0 && age < 2, `heartbeat age ${age}`);
    assert.equal(sampleValue(families, "hakuriver_tunnel_sessions"), 0);
    assert.ok(families.has("hakuriver_tunnel_bytes_total"));
  });

  it("times SQLite commits (the three submissions at least)", () => {
    const commits = histogramOf(text, "hakuriver_sqlite_commit_seconds");
    assert.ok(commits && commits.count >= 3, `commits ${commits?.count}`);
    assert.ok(commits.sum > 0 && commits.sum < 10);
    assert.ok((histogramOf(text, "hakuriver_sqlite_commit_group_size")?.count ?? 0) >= 3);
  });

  it("carries the runner's own figures with a node label: spawn times, descriptors, memory, CPU", () => {
    const spawns = histogramOf(text, "hakuriver_runner_spawn_seconds", { node: "metrics-node" })!;
    assert.ok(spawns.sum > 0 && spawns.sum < 10, `spawn seconds ${spawns.sum}`);
    assert.equal(spawns.buckets["+Inf"], spawns.count);
    const node = { node: "metrics-node" };
    const descriptors = sampleValue(families, "hakuriver_runner_open_descriptors", node) ?? 0;
    assert.ok(descriptors >= 3 && descriptors < 10_000, `descriptors ${descriptors}`);
    assert.ok((sampleValue(families, "hakuriver_runner_resident_memory_bytes", node) ?? 0) > 10 * 1024 * 1024);
    assert.ok((sampleValue(families, "hakuriver_runner_cpu_seconds_total", node) ?? 0) > 0);
    assert.equal(sampleValue(families, "hakuriver_runner_spawn_failures_total", node), 0);
    assert.equal(sampleValue(families, "hakuriver_runner_image_loads_total", node), 0);
    assert.equal(sampleValue(families, "hakuriver_runner_active_tasks", node), 0);
  });

  it("includes the Host process's own figures", () => {
    assert.ok((sampleValue(families, "hakuriver_host_process_resident_memory_bytes") ?? 0) > 10 * 1024 * 1024);
  });
});

describe("metrics with auth off", () => {
  const cluster = new TestCluster({ ...FAST_TIMING, HAKURIVER_AUTH_ENABLED: "false" });
  before(() => cluster.startHost());
  after(() => cluster.cleanup());

  it("answers anyone, with zeros for a cluster that has run nothing", async () => {
    const answer = await scrape(cluster.address);
    assert.equal(answer.status, 200, answer.text);
    const families = parseExposition(answer.text);
    assert.equal(sampleValue(families, "hakuriver_tasks", { status: "completed", kind: "command" }), 0);
    assert.equal(sampleValue(families, "hakuriver_nodes", { state: "online" }), 0);
    assert.equal(sampleValue(families, "hakuriver_queue_depth"), 0);
  });
});
