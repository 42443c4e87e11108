/**
 * The breaking-change check CI runs (.ci/contract-breaking.sh, buf breaking
 * against the accepted baseline image), exercised on temporary copies of
 * buf.yaml and proto/: the repository passes, a breaking edit fails naming
 * what broke, an additive edit passes.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const check = join(root, ".ci/contract-breaking.sh");

interface CheckResult {
  readonly code: number;
  readonly output: string;
}

function runCheck(workspace?: string): Promise<CheckResult> {
  return new Promise((resolve) => {
    execFile("bash", workspace ? [check, workspace] : [check], { timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
      resolve({ code, output: stdout + stderr });
    });
  });
}

/** A copy of the contract with `edit` applied to one proto file's text. */
function editedCopy(file: string, edit: (text: string) => string): string {
  const dir = mkdtempSync(join(tmpdir(), "hakuriver-contract-"));
  cpSync(join(root, "buf.yaml"), join(dir, "buf.yaml"));
  cpSync(join(root, "proto"), join(dir, "proto"), { recursive: true });
  const path = join(dir, "proto/hakuriver/v1", file);
  const before = readFileSync(path, "utf8");
  const after = edit(before);
  assert.notEqual(after, before, "the edit must change the file");
  writeFileSync(path, after);
  return dir;
}

test("the repository's proto/ matches the accepted contract", async () => {
  const result = await runCheck();
  assert.equal(result.code, 0, result.output);
});

test("renaming a field breaks the contract and the check names it", async () => {
  const dir = editedCopy("client.proto", (text) => text.replace(/\bstring memory = 6;/, "string memory_size = 6;"));
  try {
    const result = await runCheck(dir);
    assert.notEqual(result.code, 0);
    assert.match(result.output, /changed name from "memory" to "memory_size"/);
    assert.match(result.output, /npm run contract:accept/, "the failure says how to accept a break made on purpose");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("removing an RPC breaks the contract", async () => {
  const dir = editedCopy("client.proto", (text) => text.replace(/^\s*rpc GetTask\(GetTaskRequest\) returns \(GetTaskResponse\);$/m, ""));
  try {
    const result = await runCheck(dir);
    assert.notEqual(result.code, 0);
    assert.match(result.output, /GetTask/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("adding a field is not a break", async () => {
  const dir = editedCopy("client.proto", (text) => text.replace(/(message GetTaskRequest \{[^}]*)\}/, "$1  // A new optional field.\n  bool include_logs = 99;\n}"));
  try {
    const result = await runCheck(dir);
    assert.equal(result.code, 0, result.output);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
