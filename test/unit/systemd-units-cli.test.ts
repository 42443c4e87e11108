/**
 * `hakuriver init service` through the CLI as typed, started the way npx
 * starts it: from a copy of the package in npx's cache (`.../_npx/<hash>/`),
 * with that cache's `node_modules/.bin` on PATH, from a temp working dir.
 */
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../..", import.meta.url));
const checkoutCli = realpathSync(join(root, "dist/src/bin/hakuriver.js"));
const base = mkdtempSync(join(tmpdir(), "hakuriver-npx-"));
after(() => rmSync(base, { recursive: true, force: true }));

// npx's cache: a real copy of the package (not a link back to the checkout).
const npxDir = join(base, "home/.npm/_npx/4b1c9e/node_modules");
const npxPackage = join(npxDir, "hakuriver");
mkdirSync(npxPackage, { recursive: true });
cpSync(join(root, "dist"), join(npxPackage, "dist"), { recursive: true });
cpSync(join(root, "package.json"), join(npxPackage, "package.json"));
symlinkSync(realpathSync(join(root, "node_modules")), join(npxPackage, "node_modules"));
mkdirSync(join(npxDir, ".bin"));
symlinkSync(join(npxPackage, "dist/src/bin/hakuriver.js"), join(npxDir, ".bin/hakuriver"));
// A stable install of hakuriver on PATH (outside the temp dir the child sees).
const installedBin = join(base, "usr-local-bin");
mkdirSync(installedBin);
symlinkSync(checkoutCli, join(installedBin, "hakuriver"));
// The child's temp dir, holding the folder the user started npx from.
const childTmp = join(base, "tmp");
const workDir = join(childTmp, "where-npx-ran");
mkdirSync(workDir, { recursive: true });

/** Runs the npx copy of `hakuriver init service` in workDir with the given PATH. */
function initServiceViaNpx(path: string, outputDir: string) {
  return spawnSync(process.execPath, [join(npxPackage, "dist/src/bin/hakuriver.js"), "init", "service", "--output-dir", outputDir], {
    cwd: workDir,
    env: { ...process.env, HOME: join(base, "home"), TMPDIR: childTmp, PATH: path },
    encoding: "utf8",
  });
}

test("init service started through npx names the installed hakuriver and node, never npx's folders", () => {
  const out = join(base, "units");
  const npxPath = `${join(workDir, "node_modules/.bin")}:${join(npxDir, ".bin")}:${installedBin}:/usr/bin:/bin`;
  const result = initServiceViaNpx(npxPath, out);
  assert.equal(result.status, 0, result.stderr);
  for (const role of ["host", "runner"]) {
    const unit = readFileSync(join(out, `hakuriver-${role}.service`), "utf8");
    assert.match(unit, new RegExp(`^ExecStart=${process.execPath} ${checkoutCli} ${role}$`, "m"));
    const pathLine = /^Environment=PATH=(.*)$/m.exec(unit)?.[1] ?? "";
    assert.ok(pathLine.startsWith(`${join(process.execPath, "..")}:`), `node's folder first: ${pathLine}`);
    assert.ok(pathLine.split(":").includes(installedBin), pathLine);
    assert.doesNotMatch(unit, /_npx|node_modules|where-npx-ran/);
  }
});

test("init service started through npx with no installed hakuriver fails with what to do, writing nothing", () => {
  const out = join(base, "units-none");
  const result = initServiceViaNpx(`${join(npxDir, ".bin")}:/usr/bin:/bin`, out);
  assert.equal(result.status, 2, result.stdout);
  assert.match(result.stderr, /is in npx's cache.*no installed hakuriver is on PATH: install it first/);
  assert.equal(existsSync(out), false, "nothing written");
});
