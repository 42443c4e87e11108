/**
 * The SSH key RPCs through the real service stack in memory: a user
 * manages their own keys, an admin anyone's; bad keys, duplicates and
 * unknown ids get their codes.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { Code } from "@connectrpc/connect";
import { Role } from "../../gen/hakuriver/v1/auth_pb.js";
import { inMemoryHost, type InMemoryHost } from "../helpers/in-memory-host.js";
import { failure } from "../helpers/call-failure.js";

const ED25519 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAINmaUYUEniT1j+729G10o0kjHfrHGAUwhCEX+/TsOnz9 alice@laptop";
const ECDSA = "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBO9MdngVCLS2I77NEknjkyHL+zHr7uPjlrSlTsjRdOwYakn0RgODigNik70DOGzxd5AVjeWfSqgAp2MoExYAq8Y=";

let host: InMemoryHost;
let alice = "";
let viewer = "";

before(async () => {
  host = await inMemoryHost();
  alice = (await host.client.addUser({ name: "alice", role: Role.USER })).token;
  viewer = (await host.client.addUser({ name: "vera", role: Role.VIEWER })).token;
});

after(async () => host.close());

test("a user adds, lists and removes their own key; the key carries ssh-keygen's fingerprint", async () => {
  const asAlice = host.clientWithToken(alice);
  const { key } = await asAlice.addSshKey({ publicKey: ED25519 });
  assert.ok(key);
  assert.equal(key.user, "alice");
  assert.equal(key.fingerprint, "SHA256:VNJoHK+zzXebTZ/zdllCmZBwFDap2c2krd1+aGGYOrM");
  assert.equal(key.comment, "alice@laptop");
  assert.match(key.keyId, /^key_[0-9a-f]{8}$/);
  assert.deepEqual((await asAlice.listSshKeys({})).keys.map((k) => k.keyId), [key.keyId]);
  const again = await failure(asAlice.addSshKey({ publicKey: ED25519 }));
  assert.equal(again.code, Code.AlreadyExists);
  const taken = await failure(host.client.addSshKey({ publicKey: ED25519 }));
  assert.equal(taken.code, Code.AlreadyExists);
  assert.match(taken.rawMessage, /registered already for another user/);
  const removed = await asAlice.removeSshKey({ keyId: key.fingerprint });
  assert.equal(removed.key?.keyId, key.keyId, "a key may be named by its fingerprint");
  assert.deepEqual((await asAlice.listSshKeys({})).keys, []);
  assert.equal((await failure(asAlice.removeSshKey({ keyId: key.keyId }))).code, Code.NotFound);
});

test("another user's keys need an admin; a viewer may not register keys", async () => {
  const asAlice = host.clientWithToken(alice);
  const forBob = await failure(asAlice.addSshKey({ publicKey: ECDSA, user: "admin" }));
  assert.equal(forBob.code, Code.PermissionDenied);
  assert.match(forBob.rawMessage, /only an admin may add another user's SSH keys; alice may add only their own/);
  const { key } = await host.client.addSshKey({ publicKey: ECDSA, user: "alice" });
  assert.equal(key?.user, "alice");
  assert.deepEqual((await asAlice.listSshKeys({})).keys.map((k) => k.keyId), [key!.keyId]);
  assert.equal((await failure(asAlice.listSshKeys({ user: "admin" }))).code, Code.PermissionDenied);
  const adminKey = await host.client.addSshKey({ publicKey: ED25519 });
  assert.equal((await failure(asAlice.removeSshKey({ keyId: adminKey.key!.keyId }))).code, Code.PermissionDenied);
  assert.equal((await host.client.listSshKeys({})).keys.length, 2, "an admin sees everyone's");
  const viewerCall = await failure(host.clientWithToken(viewer).addSshKey({ publicKey: ED25519 }));
  assert.equal(viewerCall.code, Code.PermissionDenied);
});

test("a line that is no key is INVALID_ARGUMENT with the reason", async () => {
  const bad = await failure(host.clientWithToken(alice).addSshKey({ publicKey: "ssh-dss AAAAB3" }));
  assert.equal(bad.code, Code.InvalidArgument);
  assert.match(bad.rawMessage, /not an SSH public key: "ssh-dss" is not a key type the jump host accepts/);
  const unknownUser = await failure(host.client.addSshKey({ publicKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBmaUYUEniT1j+729G10o0kjHfrHGAUwhCEX+/TsOnz9", user: "nobody" }));
  assert.equal(unknownUser.code, Code.NotFound);
});

test("DescribeCluster says no jump host when none was started", async () => {
  const described = await host.client.describeCluster({});
  assert.equal(described.sshJumpPort, 0);
  assert.equal(described.sshJumpHostKey, "");
});
