/**
 * `hakuriver init service` names stable paths: never npx's cache or a temp dir.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { renderUnit, stableUnitPaths, unstableReason, UnstablePathError } from "../../src/cli/systemd-units.js";

/** A machine whose files are `links` (path → real path); anything else does not exist. */
function probes(links: Record<string, string>) {
  return { realpath: (path: string) => links[path], tmpDir: "/tmp" };
}

const NPX_CLI = "/root/.npm/_npx/4b1c/node_modules/hakuriver/dist/src/bin/hakuriver.js";
const NPX_PATH = "/tmp/work/node_modules/.bin:/root/.npm/_npx/4b1c/node_modules/.bin:/usr/local/bin:/usr/bin:/bin";

test("unstableReason names npx's cache and temp dirs, and passes installed paths", () => {
  assert.match(unstableReason(NPX_CLI, "/tmp") ?? "", /npx's cache/);
  assert.match(unstableReason("/tmp/x/hakuriver.js", "/tmp/") ?? "", /temp dir/);
  assert.equal(unstableReason("/tmpfoo/hakuriver.js", "/tmp"), undefined);
  assert.equal(unstableReason("/opt/hakuriver/dist/src/bin/hakuriver.js", "/tmp"), undefined);
});

test("run from a clone: the clone's real entry, node's folder first on PATH, npx folders dropped", () => {
  const paths = stableUnitPaths("/opt/hr/dist/src/bin/hakuriver.js", "/usr/local/node/bin/node", NPX_PATH, probes({ "/opt/hr/dist/src/bin/hakuriver.js": "/opt/hr/dist/src/bin/hakuriver.js", "/usr/local/node/bin/node": "/usr/local/node/bin/node" }));
  assert.equal(paths.cli, "/opt/hr/dist/src/bin/hakuriver.js");
  assert.equal(paths.node, "/usr/local/node/bin/node");
  assert.equal(paths.path, "/usr/local/node/bin:/usr/local/bin:/usr/bin:/bin");
});

test("started through npx's cache: the installed hakuriver on PATH is named instead", () => {
  const machine = probes({ [NPX_CLI]: NPX_CLI, "/usr/bin/node": "/usr/bin/node", "/usr/local/bin/hakuriver": "/srv/hakuriver/dist/src/bin/hakuriver.js", "/root/.npm/_npx/4b1c/node_modules/.bin/hakuriver": NPX_CLI });
  const paths = stableUnitPaths(NPX_CLI, "/usr/bin/node", NPX_PATH, machine);
  assert.equal(paths.cli, "/srv/hakuriver/dist/src/bin/hakuriver.js");
  assert.doesNotMatch(paths.path, /_npx|node_modules|\/tmp/);
  const unit = renderUnit({ role: "host", node: paths.node, cli: paths.cli, config: undefined, workingDirectory: "/srv/hakuriver", path: paths.path });
  assert.match(unit, /^ExecStart=\/usr\/bin\/node \/srv\/hakuriver\/dist\/src\/bin\/hakuriver\.js host$/m);
  assert.match(unit, /^Environment=PATH=\/usr\/bin:\/usr\/local\/bin:\/bin$/m);
});

test("started through npx with nothing installed: a clear error, no unit", () => {
  assert.throws(
    () => stableUnitPaths(NPX_CLI, "/usr/bin/node", NPX_PATH, probes({ [NPX_CLI]: NPX_CLI, "/usr/bin/node": "/usr/bin/node" })),
    (error: unknown) => error instanceof UnstablePathError && /npx's cache, .*no installed hakuriver is on PATH: install it first/.test(error.message),
  );
});

test("a node binary in a temp dir is refused", () => {
  assert.throws(() => stableUnitPaths("/opt/hr/h.js", "/tmp/node-v20/bin/node", "/usr/bin", probes({})), /node binary \/tmp\/node-v20\/bin\/node is under a temp dir/);
});
