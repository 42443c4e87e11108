/**
 * The pure parts of exec: what a start may ask, which task statuses it
 * refuses and how, users resolved from passwd files, the process tree a
 * kill reaches, and `ssh_mode` at submit.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { create } from "@bufbuild/protobuf";
import { SubmitTaskRequestSchema } from "../../gen/hakuriver/v1/client_pb.js";
import { TaskKind } from "../../gen/hakuriver/v1/types_pb.js";
import { DomainError } from "../../src/shared/errors.js";
import { checkExecStart, requireExecutable } from "../../src/host/exec/exec-session.js";
import { planSubmission } from "../../src/host/tasks/submit-spec.js";
import type { TaskRecord } from "../../src/host/tasks/task-record.js";
import { resolveUser } from "../../src/runner/exec/native-exec.js";
import { processTree, signalTree } from "../../src/runner/exec/process-tree.js";

const DEFAULTS = { container: "env1", privileged: false, mounts: [], queue: true };

function kindOf(run: () => void): string {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof DomainError, String(error));
    return `${error.kind}: ${error.message}`;
  }
  return "ok";
}

test("an exec start needs a command, an absolute workdir, and bounded sizes", () => {
  assert.equal(kindOf(() => checkExecStart({ taskId: "1", command: ["ls"], workdir: "/tmp" })), "ok");
  assert.match(kindOf(() => checkExecStart({ taskId: "1", command: [] })), /^invalid_argument: empty command/);
  assert.match(kindOf(() => checkExecStart({ taskId: "1", command: ["ls"], workdir: "tmp" })), /^invalid_argument: --workdir must be an absolute path/);
  assert.match(kindOf(() => checkExecStart({ taskId: "1", command: ["x".repeat(200 * 1024)] })), /^invalid_argument: argument 0 is/);
});

test("only a running task takes an exec; others say what to do", () => {
  const task = (status: string, kind = "command") => ({ taskId: 7, status, kind, assignedNode: "n1", owner: "" }) as unknown as TaskRecord;
  assert.equal(kindOf(() => requireExecutable(task("running"))), "ok");
  assert.match(kindOf(() => requireExecutable(task("paused", "vps"))), /^failed_precondition: VPS 7 is paused, not running: resume it first: hakuriver vps resume 7/);
  assert.match(kindOf(() => requireExecutable(task("pending"))), /^failed_precondition: task 7 is pending, not running: wait until it runs/);
  assert.match(kindOf(() => requireExecutable(task("completed"))), /^failed_precondition: task 7 is completed, not running: .*hakuriver logs 7/);
});

test("users and groups resolve by name or number from passwd and group files", () => {
  const dir = mkdtempSync(join(tmpdir(), "hakuriver-users-"));
  writeFileSync(join(dir, "passwd"), "root:x:0:0::/root:/bin/sh\nalice:x:1001:1002::/home/alice:/bin/sh\n");
  writeFileSync(join(dir, "group"), "root:x:0:\nstaff:x:50:\n");
  const resolve = (user: string) => resolveUser(user, join(dir, "passwd"), join(dir, "group"));
  assert.deepEqual(resolve("alice"), { uid: 1001, gid: 1002 });
  assert.deepEqual(resolve("1001"), { uid: 1001, gid: 1002 });
  assert.deepEqual(resolve("alice:staff"), { uid: 1001, gid: 50 });
  assert.deepEqual(resolve("2000:3000"), { uid: 2000, gid: 3000 });
  assert.throws(() => resolve("nobody-here"), /no user "nobody-here"/);
  assert.throws(() => resolve("alice:nogroup"), /no group "nogroup"/);
});

test("the process tree holds a shell's children, and a kill of the tree ends them all", async () => {
  const child = spawn("sh", ["-c", "sleep 300 & sleep 300 & wait"], { stdio: "ignore" });
  await new Promise((resolve) => setTimeout(resolve, 300));
  const tree = processTree(child.pid!);
  assert.equal(tree[0], child.pid);
  assert.ok(tree.length >= 3, `tree ${tree}`);
  const exited = new Promise((resolve) => child.once("exit", resolve));
  assert.ok(signalTree(child.pid!) >= 3);
  await exited;
  await new Promise((resolve) => setTimeout(resolve, 100));
  // Gone, or a zombie waiting for its (new) parent to reap it: either way nothing runs.
  const running = (pid: number) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
    } catch {
      return false;
    }
  };
  for (const pid of tree) assert.equal(running(pid), false, `pid ${pid} lives on`);
});

test("ssh_mode: none takes no key, key (the default) needs one, nothing else is accepted", () => {
  const vps = (init: object) => () => planSubmission(create(SubmitTaskRequestSchema, { kind: TaskKind.VPS, ...init }), DEFAULTS);
  assert.equal(vps({ sshMode: "none" })().specs[0]!.publicKey, "");
  assert.equal(vps({ publicKey: "ssh-ed25519 AAAAC3Nza me" })().specs[0]!.publicKey, "ssh-ed25519 AAAAC3Nza me");
  assert.match(kindOf(vps({})), /^invalid_argument: a VPS needs an OpenSSH public key/);
  assert.match(kindOf(vps({ sshMode: "none", publicKey: "ssh-ed25519 AAAAC3Nza me" })), /^invalid_argument: a VPS with ssh_mode none runs no sshd/);
  assert.match(kindOf(vps({ sshMode: "telnet" })), /^invalid_argument: ssh_mode must be "key".*got "telnet"/);
});
