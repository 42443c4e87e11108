/**
 * The README's own commands, as a new user types them: the shell blocks marked
 * `<!-- readme-test -->` are read from README.md and run line by line with
 * bash, in a fresh HOME, against a real local cluster started by the script
 * `npm run cluster` runs, with `hakuriver`/`hakurun` on PATH as shims to this
 * checkout's dist. A line's `# prints: TEXT` comment must appear in its output
 * (`<ID>` is the id the previous submit printed, `~` the home). So the README
 * cannot drift from what works.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../..", import.meta.url));
const base = mkdtempSync(join(tmpdir(), "hakuriver-readme-"));
const home = join(base, "home");
const shims = join(base, "bin");

/** One runnable README line: the command and what its comment says it prints. */
interface ReadmeLine {
  readonly command: string;
  readonly prints: string | undefined;
}

/** The lines of every ```sh block right after a `<!-- readme-test -->` marker, in README order. */
function markedLines(readme: string): ReadmeLine[] {
  const lines: ReadmeLine[] = [];
  for (const block of readme.matchAll(/<!-- readme-test -->\n```sh\n([\s\S]*?)```/g)) {
    for (const raw of (block[1] ?? "").split("\n")) {
      if (raw.trim() === "" || raw.trim().startsWith("#")) continue;
      const match = /^(.*?)\s+#\s*(.*)$/.exec(raw);
      const command = (match ? match[1] : raw)!.trim();
      const prints = match ? /^prints:\s*(.*)$/.exec(match[2]!)?.[1]?.trim() : undefined;
      lines.push({ command, prints });
    }
  }
  return lines;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

let env: Record<string, string> = {};

/** Runs one shell line as the user would, from their home (not the clone). */
function sh(line: string, extraEnv: Record<string, string> = {}, cwd = home) {
  const result = spawnSync("bash", ["-c", line], { cwd, env: { ...env, ...extraEnv }, encoding: "utf8", timeout: 60_000 });
  return { code: result.status, output: `${result.stdout}${result.stderr}` };
}

before(async () => {
  mkdirSync(home);
  mkdirSync(shims);
  for (const name of ["hakuriver", "hakurun"]) {
    const shim = join(shims, name);
    writeFileSync(shim, `#!/bin/sh\nexec '${process.execPath}' '${join(root, "dist/src/bin", `${name}.js`)}' "$@"\n`);
    chmodSync(shim, 0o755);
  }
  const clean: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith("HAKURIVER_") && value !== undefined) clean[key] = value;
  env = {
    ...clean,
    HOME: home,
    PATH: `${shims}:${clean.PATH ?? "/usr/bin:/bin"}`,
    HAKURIVER_NETWORK_HOST_PORT: String(await freePort()),
    HAKURIVER_NETWORK_HOST_SSH_PROXY_PORT: String(await freePort()),
  };
  // `npm run cluster` is this script (checked below); run directly so npm's PATH additions stay out.
  const started = sh(`bash '${join(root, ".ci/local-cluster.sh")}' start`);
  assert.equal(started.code, 0, started.output);
});

after(() => {
  sh(`bash '${join(root, ".ci/local-cluster.sh")}' stop`);
  rmSync(base, { recursive: true, force: true });
});

test("the README's set-up block is the script this test starts, and no README or program text says npx hakuriver", () => {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  assert.match(readme, /bash \.ci\/setup\.sh && npm run cluster/);
  const scripts = (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;
  assert.equal(scripts.cluster, "bash .ci/local-cluster.sh start");
  assert.equal(scripts["cluster:stop"], "bash .ci/local-cluster.sh stop");
  const found = spawnSync("grep", ["-rlE", "npx (hakuriver|hakurun)", "README.md", "src", ".ci"], { cwd: root, encoding: "utf8" });
  assert.equal(found.stdout.trim(), "", "files that still say npx hakuriver");
});

test("every marked README command runs as written and prints what its comment says", () => {
  const lines = markedLines(readFileSync(join(root, "README.md"), "utf8"));
  assert.ok(lines.length >= 10, `marked README lines: ${lines.length}`);
  assert.ok(lines.some((l) => l.command.startsWith("hakuriver task submit --wait -- echo hello")), "the quick start is marked");
  let lastId: string | undefined;
  for (const line of lines) {
    if (line.command.includes("<ID>")) assert.ok(lastId, `${line.command}: no submit printed an id before it`);
    const command = line.command.replaceAll("<ID>", lastId ?? "");
    const result = sh(command);
    assert.equal(result.code, 0, `${command}\n${result.output}`);
    if (line.prints !== undefined) {
      const printed = /Submitted task (\d+)|Task (\d+)/.exec(result.output);
      // An id the comment only names as <ID> comes from this very output (the submit line itself).
      const id = line.command.includes("<ID>") ? lastId : (printed?.[1] ?? printed?.[2]);
      const expected = line.prints.replaceAll("<ID>", id ?? "<no id printed>").replace(/~\//g, `${home}/`);
      assert.ok(result.output.includes(expected), `${command}: expected "${expected}" in:\n${result.output}`);
    }
    const submitted = /Submitted task (\d+)|^Task (\d+) completed/m.exec(result.output);
    if (line.command.includes("task submit") && submitted) lastId = submitted[1] ?? submitted[2];
  }
  // `init config` wrote a real config where the README says.
  assert.match(readFileSync(join(home, ".hakuriver", "config.toml"), "utf8"), /host_port/);
});

test("setup's link step puts hakuriver and hakurun on PATH from anywhere, replacing a stale link", () => {
  const bin = join(base, "usr-local-bin");
  mkdirSync(bin);
  symlinkSync("/nowhere/hakurun.js", join(bin, "hakurun"));
  const linked = sh(`bash '${join(root, ".ci/link-cli.sh")}'`, { HAKURIVER_BIN_DIR: bin });
  assert.equal(linked.code, 0, linked.output);
  assert.match(linked.output, /replacing .*hakurun \(pointed at \/nowhere\/hakurun\.js\)/);
  assert.equal(readlinkSync(join(bin, "hakuriver")), join(root, "dist/src/bin/hakuriver.js"));
  const again = sh(`bash '${join(root, ".ci/link-cli.sh")}'`, { HAKURIVER_BIN_DIR: bin });
  assert.match(again.output, /hakuriver already points at this clone/);
  // Only the linked folder on PATH (no shims, no node_modules/.bin), from a folder outside the clone.
  const path = { PATH: `${bin}:${join(process.execPath, "..")}:/usr/bin:/bin` };
  const help = sh("hakuriver --help", path, base);
  assert.equal(help.code, 0, help.output);
  assert.match(help.output, /hakuriver <command>/);
  const sweep = sh("hakurun --dry-run -- echo a 'span:{1..2}'", path, base);
  assert.equal(sweep.output, "echo a 1\necho a 2\n");
});
