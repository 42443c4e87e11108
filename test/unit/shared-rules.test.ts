/**
 * Rules the Host and runners share: the engine's answers, task log paths
 * and the Host address.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { engineMessage, engineStatus, isEngineNotFound } from "../../src/shared/docker-errors.js";
import { hostAddressOf, resolveHostAddress } from "../../src/shared/host-address.js";
import { taskLogPath } from "../../src/shared/task-log-path.js";
import { logPath } from "../../src/host/logs/log-store.js";
import { outputPath } from "../../src/runner/task-output.js";

test("the engine's status and message are read from a dockerode failure", () => {
  const notFound = Object.assign(new Error("(HTTP code 404) no such container"), { statusCode: 404, json: { message: "No such container: x" } });
  assert.equal(engineStatus(notFound), 404);
  assert.equal(isEngineNotFound(notFound), true);
  assert.equal(engineMessage(notFound), "No such container: x");
  const socket = Object.assign(new Error("connect ENOENT /var/run/docker.sock"), { code: "ENOENT" });
  assert.equal(engineStatus(socket), undefined, "no answer, no status");
  assert.equal(isEngineNotFound(socket), false);
  assert.equal(engineMessage(socket), "connect ENOENT /var/run/docker.sock");
  assert.equal(engineStatus({ statusCode: "404" }), undefined, "only a number is a status");
  assert.equal(engineStatus(null), undefined);
  assert.equal(engineMessage("plain"), "plain");
});

test("the Host and runners name a task's log files alike", () => {
  assert.equal(taskLogPath("/s", 12, "stdout"), join("/s", "task_outputs", "12.out"));
  assert.equal(taskLogPath("/s", "12", "stderr"), join("/s", "task_errors", "12.err"));
  assert.equal(logPath("/s", 12, "stderr"), outputPath("/s", "12", "stderr"));
});

test("host address: --host, then HAKURIVER_HOST, then the config", () => {
  const config = { hostReachableAddress: "10.0.0.5", hostPort: 8100 };
  assert.equal(hostAddressOf(config), "10.0.0.5:8100");
  assert.equal(resolveHostAddress("a:1", config, { HAKURIVER_HOST: "b:2" }), "a:1");
  assert.equal(resolveHostAddress(undefined, config, { HAKURIVER_HOST: "b:2" }), "b:2");
  assert.equal(resolveHostAddress("", config, { HAKURIVER_HOST: "" }), "10.0.0.5:8100", "empty counts as not given");
});
