import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "smol-toml";
import { envNameOf, expandHome, renderDefaultConfig, resolveConfig, toConfig } from "../../src/shared/config.js";
import { ENVIRONMENT_ONLY, SETTINGS } from "../../src/shared/config-schema.js";
import { DomainError } from "../../src/shared/errors.js";

test("defaults apply when nothing else is given", () => {
  const settings = resolveConfig({});
  assert.equal(settings["network.host_port"], 8000);
  assert.equal(settings["network.host_ssh_proxy_port"], 8002);
  assert.equal(settings["timing.heartbeat_interval"], 5);
  assert.equal(settings["scheduler.queue"], true);
});

test("layers: defaults < file < environment < flags", () => {
  const file = { network: { host_port: 9000, host_bind_ip: "10.0.0.1" }, timing: { heartbeat_interval: 2 } };
  const env = { HAKURIVER_NETWORK_HOST_PORT: "9100", HAKURIVER_TIMING_HEARTBEAT_INTERVAL: "1.5" };
  const settings = resolveConfig({ file, env, flags: { "network.host_port": 9200, "paths.shared_dir": undefined } });
  assert.equal(settings["network.host_port"], 9200, "flag wins");
  assert.equal(settings["timing.heartbeat_interval"], 1.5, "env beats file");
  assert.equal(settings["network.host_bind_ip"], "10.0.0.1", "file beats default");
  assert.equal(settings["paths.shared_dir"], "~/.hakuriver/shared", "undefined flag is not given");
});

test("typed coercion from the environment, and clear errors", () => {
  const settings = resolveConfig({ env: { HAKURIVER_SCHEDULER_QUEUE: "false", HAKURIVER_DOCKER_ADDITIONAL_MOUNTS: "/a:/b, /c:/d:ro" } });
  assert.equal(settings["scheduler.queue"], false);
  assert.deepEqual(settings["docker.additional_mounts"], ["/a:/b", "/c:/d:ro"]);
  assert.throws(() => resolveConfig({ env: { HAKURIVER_NETWORK_HOST_PORT: "eighty" } }), /host_port .*must be a number/);
  assert.throws(() => resolveConfig({ file: { network: { host_prot: 1 } }, fileName: "x.toml" }), (e: unknown) => e instanceof DomainError && /x.toml: unknown setting network.host_prot/.test(e.message));
});

test("the default config file parses back to the defaults", () => {
  const parsed = parse(renderDefaultConfig()) as Record<string, unknown>;
  const settings = resolveConfig({ file: parsed });
  for (const spec of SETTINGS) assert.deepEqual(settings[`${spec.section}.${spec.key}`], spec.defaultValue);
  assert.equal(envNameOf(SETTINGS[0]!), "HAKURIVER_NETWORK_HOST_BIND_IP");
});

test("expandHome expands only a leading ~/", () => {
  assert.equal(expandHome("~/x", "/home/u"), "/home/u/x");
  assert.equal(expandHome("/a/~/x", "/home/u"), "/a/~/x");
});

test("the typed Config converts units once and expands paths", () => {
  const config = toConfig(resolveConfig({ file: { timing: { heartbeat_interval: 2, cleanup_check_interval: 0.5 }, paths: { shared_dir: "~/s" } } }), "/home/u");
  assert.equal(config.heartbeatIntervalMs, 2000, "seconds in the file, milliseconds in the Config");
  assert.equal(config.cleanupCheckIntervalMs, 500);
  assert.equal(config.heartbeatTimeoutFactor, 6, "a plain number is taken as it is");
  assert.equal(config.sharedDir, "/home/u/s");
  assert.equal(config.localTempDir, "/home/u/.hakuriver/temp");
  assert.equal(config.dbFile, "/home/u/.hakuriver/cluster.db");
  assert.equal(config.numactlPath, "", "an empty path stays empty");
  assert.equal(config.hostPort, 8000);
  assert.equal(config.queue, true);
  assert.deepEqual(config.additionalMounts, []);
  assert.equal(config.backoffBaseMs, 500);
});

test("every setting has one field in the Config and an environment name from the table", () => {
  const config = toConfig(resolveConfig({}), "/home/u");
  const fields = SETTINGS.map((spec) => spec.field);
  assert.equal(new Set(fields).size, fields.length, "no two rows share a field");
  assert.deepEqual(Object.keys(config).sort(), [...fields].sort());
  const envNames = SETTINGS.map(envNameOf);
  assert.equal(new Set(envNames).size, envNames.length, "no two rows share an environment name");
  assert.ok(envNames.includes("HAKURIVER_RUNNER_BACKOFF_MS"), "the runner's reconnect backoff is a setting");
  assert.ok(envNames.includes("HAKURIVER_PATHS_NUMACTL_PATH"));
  const fromEnv = toConfig(resolveConfig({ env: { HAKURIVER_RUNNER_BACKOFF_MS: "20", HAKURIVER_TIMING_HEARTBEAT_INTERVAL: "0.2", HAKURIVER_PATHS_NUMACTL_PATH: "/opt/numactl" } }));
  assert.equal(fromEnv.backoffBaseMs, 20);
  assert.equal(fromEnv.heartbeatIntervalMs, 200);
  assert.equal(fromEnv.numactlPath, "/opt/numactl");
});

test("init config writes every key, each with its environment name", () => {
  const text = renderDefaultConfig();
  const parsed = parse(text) as Record<string, Record<string, unknown>>;
  for (const spec of SETTINGS) {
    assert.ok(spec.key in (parsed[spec.section] ?? {}), `${spec.section}.${spec.key} is written`);
    assert.ok(text.includes(`(env ${envNameOf(spec)})`), `${envNameOf(spec)} is named`);
  }
  assert.equal(parsed.runner?.backoff_ms, 500);
});

test("every HAKURIVER_* variable the code reads is in a table, and init config lists the environment-only ones", () => {
  const text = renderDefaultConfig();
  for (const variable of Object.values(ENVIRONMENT_ONLY)) assert.ok(text.includes(`#   ${variable.name}: `), `${variable.name} is listed`);
  const known = new Set([...SETTINGS.map(envNameOf), ...Object.values(ENVIRONMENT_ONLY).map((v) => v.name)]);
  const sources = fileURLToPath(new URL("../../../src", import.meta.url));
  const read: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (path.endsWith(".ts")) read.push(...[...readFileSync(path, "utf8").matchAll(/process\.env\.(HAKURIVER_[A-Z0-9_]+)/g)].map((m) => `${m[1]} (${path})`));
    }
  };
  walk(sources);
  assert.deepEqual(read.filter((name) => !known.has(name.split(" ")[0]!)), [], "variables read outside the tables");
});
