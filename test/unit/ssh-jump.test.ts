import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jumpHostKeyFile, loadOrCreateJumpHostKey } from "../../src/host/jump/jump-host-key.js";
import { checkJump, parseJumpTarget, type JumpRefusal } from "../../src/host/jump/jump-access.js";
import type { TaskRecord } from "../../src/host/tasks/task-record.js";
import { keysOfText, parseSshPublicKey } from "../../src/shared/ssh-public-key.js";
import { jumpAlias, renderJumpBlock } from "../../src/shared/ssh-jump-block.js";
import { upsertHostBlock } from "../../src/shared/ssh-config-block.js";

// Keys made by ssh-keygen, with the fingerprints `ssh-keygen -l` printed for them.
const ED25519 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAINmaUYUEniT1j+729G10o0kjHfrHGAUwhCEX+/TsOnz9 root@vm";
const ED25519_FP = "SHA256:VNJoHK+zzXebTZ/zdllCmZBwFDap2c2krd1+aGGYOrM";
const ECDSA = "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBO9MdngVCLS2I77NEknjkyHL+zHr7uPjlrSlTsjRdOwYakn0RgODigNik70DOGzxd5AVjeWfSqgAp2MoExYAq8Y= root@vm";
const ECDSA_FP = "SHA256:UkqyzLNVqkC8gaASlHWoTU1j7X3ESuZU/+3T9OQXSY0";

const vps: TaskRecord = {
  taskId: 100, batchId: 100, kind: "vps", status: "running", command: "", args: [], env: {}, cores: 0, memoryBytes: 0,
  container: "env", privileged: false, mounts: [], target: "", assignedNode: "n1", numaNode: null, gpus: [], gpuCount: 0, exitCode: null,
  message: "", submittedAt: 0, startedAt: 0, completedAt: null, sshPort: 2222, sshHostKeys: [], publicKey: `${ECDSA}\n`, stdoutFinalBytes: -1, stderrFinalBytes: -1, owner: "alice", timeLimitMs: 0, name: "", labels: {},
  dependencies: [], awaitingDependencies: false, placementReason: "",
};
const online = { nodeOnline: (node: string) => node === "n1" };
const refusal = (value: TaskRecord | JumpRefusal | string): JumpRefusal => {
  assert.ok(typeof value === "object" && "code" in value, `expected a refusal, got ${JSON.stringify(value)}`);
  return value;
};

test("public keys parse with ssh-keygen's fingerprints; damaged or private ones are refused with the reason", () => {
  const ed = parseSshPublicKey(ED25519);
  assert.ok(typeof ed !== "string");
  assert.equal(ed.type, "ssh-ed25519");
  assert.equal(ed.fingerprint, ED25519_FP);
  assert.equal(ed.comment, "root@vm");
  const ec = parseSshPublicKey(ECDSA);
  assert.ok(typeof ec !== "string");
  assert.equal(ec.fingerprint, ECDSA_FP);
  assert.match(String(parseSshPublicKey("")), /empty/);
  assert.match(String(parseSshPublicKey("-----BEGIN OPENSSH PRIVATE KEY-----")), /private key/);
  assert.match(String(parseSshPublicKey("ssh-dss AAAA")), /not a key type the jump host accepts/);
  assert.match(String(parseSshPublicKey("ssh-ed25519 !!!")), /base64 part is missing or malformed/);
  // The ed25519 blob under an ecdsa name: the data says otherwise.
  assert.match(String(parseSshPublicKey(`ecdsa-sha2-nistp256 ${ED25519.split(" ")[1]}`)), /says "ssh-ed25519", not ecdsa-sha2-nistp256/);
  assert.deepEqual(keysOfText(`# keys\n${ED25519}\n\nnot a key\n${ECDSA}\n`).map((k) => k.fingerprint), [ED25519_FP, ECDSA_FP]);
});

test("a direct-tcpip target must be vps-ID, hakuriver-ID or ID, port 22", () => {
  assert.equal(parseJumpTarget("vps-100", 22), "100");
  assert.equal(parseJumpTarget("hakuriver-100", 22), "100");
  assert.equal(parseJumpTarget("100", 22), "100");
  assert.equal(parseJumpTarget("VPS-007", 22), "7");
  assert.match(refusal(parseJumpTarget("vps-100", 80)).message, /only to port 22 of a VPS .* vps-100:80 was asked/);
  assert.match(refusal(parseJumpTarget("10.0.0.2", 22)).message, /"10\.0\.0\.2" names no VPS/);
  assert.match(refusal(parseJumpTarget("localhost", 22)).message, /names no VPS/);
  assert.match(refusal(parseJumpTarget("vps-1;rm", 22)).message, /names no VPS/);
  assert.equal(refusal(parseJumpTarget("example.com", 22)).code, "prohibited");
});

test("the VPS's own key, or a registered key of someone who may act on it, passes; others are refused", () => {
  const ownKey = { fingerprint: ECDSA_FP };
  assert.equal(checkJump(ownKey, "100", vps, online), vps);
  const stranger = { fingerprint: ED25519_FP };
  assert.match(refusal(checkJump(stranger, "100", vps, online)).message, new RegExp(`key ${ED25519_FP.replace(/[+/]/g, "\\$&")} is not the key VPS 100 was submitted with`));
  const alice = { fingerprint: ED25519_FP, principal: { kind: "user", user: "alice", role: "user", tokenId: "" } as const };
  assert.equal(checkJump(alice, "100", vps, online), vps);
  const bob = { fingerprint: ED25519_FP, principal: { kind: "user", user: "bob", role: "user", tokenId: "" } as const };
  assert.match(refusal(checkJump(bob, "100", vps, online)).message, /VPS 100 belongs to alice: a user may jump to only their own work.*registered for bob/);
  const operator = { fingerprint: ED25519_FP, principal: { kind: "user", user: "olga", role: "operator", tokenId: "" } as const };
  assert.equal(checkJump(operator, "100", vps, online), vps);
  const viewer = { fingerprint: ED25519_FP, principal: { kind: "user", user: "alice", role: "viewer", tokenId: "" } as const };
  assert.equal(refusal(checkJump(viewer, "100", vps, online)).code, "prohibited");
});

test("a VPS that is unknown, a command task, not running, without a port or on an offline node is refused", () => {
  const key = { fingerprint: ECDSA_FP };
  assert.match(refusal(checkJump(key, "5", undefined, online)).message, /VPS 5 not found/);
  assert.match(refusal(checkJump(key, "100", { ...vps, kind: "command" }, online)).message, /command task, not a VPS/);
  const paused = refusal(checkJump(key, "100", { ...vps, status: "paused" }, online));
  assert.deepEqual([paused.code, paused.message], ["connect", "VPS 100 is not running (status: paused): hakuriver vps resume it first"]);
  assert.match(refusal(checkJump(key, "100", { ...vps, status: "killed" }, online)).message, /not running \(status: killed\)/);
  assert.match(refusal(checkJump(key, "100", { ...vps, sshPort: 0 }, online)).message, /no sshd port yet/);
  assert.match(refusal(checkJump(key, "100", { ...vps, assignedNode: "n2" }, online)).message, /node n2 of VPS 100 is not online/);
});

test("the --jump block: ProxyJump to its own jump-hop section, both keys checked, installable in place", () => {
  const block = renderJumpBlock({ taskId: "100", user: "root", jumpHost: "10.0.0.1", jumpPort: 8003, knownHostsFile: "/home/a/.hakuriver/known_hosts", identityFile: "/home/a/.ssh/id_ed25519" });
  const hop = jumpAlias("10.0.0.1", 8003);
  assert.equal(hop, "hakuriver-jump-10.0.0.1-8003");
  assert.match(block, /^# BEGIN hakuriver vps-100 /);
  assert.match(block, /^Host hakuriver-100\n  HostName vps-100\n  User root\n  ProxyJump hakuriver-jump-10\.0\.0\.1-8003\n  HostKeyAlias hakuriver-100\n/m);
  assert.match(block, /^Host hakuriver-jump-10\.0\.0\.1-8003\n  HostName 10\.0\.0\.1\n  Port 8003\n  User jump\n  HostKeyAlias hakuriver-jump-10\.0\.0\.1-8003\n/m);
  assert.equal(block.match(/StrictHostKeyChecking yes/g)?.length, 2);
  assert.equal(block.match(/IdentityFile \/home\/a\/\.ssh\/id_ed25519/g)?.length, 2);
  assert.match(block, /# END hakuriver vps-100\n$/);
  const other = renderJumpBlock({ taskId: "100", user: "root", jumpHost: "10.0.0.1", jumpPort: 8003, knownHostsFile: "/k", unknownJumpKeyReason: "an older Host", jumpIdentityFile: "/j" });
  assert.match(other, /# The jump host's host key is not known \(an older Host\)/);
  assert.match(other, /Host hakuriver-jump[^]*IdentityFile \/j/);
  // A proxy block of the same VPS is replaced by the jump block (same markers).
  const replaced = upsertHostBlock("# BEGIN hakuriver vps-100 (x)\nHost hakuriver-100\n  ProxyCommand x\n# END hakuriver vps-100\n", "100", block);
  assert.equal(replaced.action, "replaced");
  assert.doesNotMatch(replaced.text, /ProxyCommand/);
});

test("the jump host key is made once, kept 0600, and read back with the same fingerprint", () => {
  const dir = mkdtempSync(join(tmpdir(), "hakuriver-jump-key-"));
  try {
    const made = loadOrCreateJumpHostKey(join(dir, "state"));
    assert.equal(made.created, true);
    assert.match(made.publicKey, /^ssh-ed25519 [A-Za-z0-9+/]+=*$/);
    assert.equal(statSync(made.file).mode & 0o777, 0o600);
    const parsed = parseSshPublicKey(made.publicKey);
    assert.ok(typeof parsed !== "string");
    assert.equal(parsed.fingerprint, made.fingerprint);
    const kept = loadOrCreateJumpHostKey(join(dir, "state"));
    assert.deepEqual([kept.created, kept.fingerprint, kept.publicKey], [false, made.fingerprint, made.publicKey]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a jump host key file that is no ed25519 private key stops the start with what to do", () => {
  const dir = mkdtempSync(join(tmpdir(), "hakuriver-jump-key-"));
  try {
    writeFileSync(jumpHostKeyFile(dir), "not a key\n");
    assert.throws(() => loadOrCreateJumpHostKey(dir), /the jump host key .* cannot be read .*move it away to have a new one made/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
