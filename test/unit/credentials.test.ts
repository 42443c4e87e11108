import { afterEach, beforeEach, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Code, ConnectError } from "@connectrpc/connect";
import { resolveClientCredential } from "../../src/cli/client-credential.js";
import {
  credentialFor,
  credentialKey,
  credentialsPath,
  CredentialsFileError,
  readCredentials,
  removeCredential,
  saveCredential,
  writeCredentials,
} from "../../src/cli/credentials.js";
import { explainRefusal } from "../../src/cli/explain-refusals.js";

let home: string;
let file: string;
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), "hakuriver-credentials-"));
  file = credentialsPath(home);
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

const mode = (path: string) => statSync(path).mode & 0o777;
const TOKEN = "hkr_0123456789ab_secret";

test("the file lives in ~/.hakuriver, following HOME", () => {
  assert.equal(credentialsPath("/home/alice"), "/home/alice/.hakuriver/credentials");
  const saved = process.env.HOME;
  process.env.HOME = home;
  try {
    assert.equal(credentialsPath(), join(home, ".hakuriver", "credentials"));
  } finally {
    process.env.HOME = saved;
  }
});

test("a Host's key is its host:port as the transport dials it", () => {
  assert.equal(credentialKey("127.0.0.1:8000"), "127.0.0.1:8000");
  assert.equal(credentialKey("http://127.0.0.1:8000"), "127.0.0.1:8000");
  assert.equal(credentialKey("http://127.0.0.1:8000/"), "127.0.0.1:8000");
  assert.equal(credentialKey(" 127.0.0.1:8000 "), "127.0.0.1:8000");
  assert.equal(credentialKey(":8000"), "127.0.0.1:8000");
  assert.equal(credentialKey("Cluster.Example"), "cluster.example:8000");
  assert.equal(credentialKey("[::1]:9000"), "[::1]:9000");
  assert.equal(credentialKey("https://cluster.example"), "cluster.example:443");
  assert.throws(() => credentialKey("not an address"), /not a Host address/);
});

test("a missing file is empty; the first save makes the directory 0700 and the file 0600", () => {
  assert.deepEqual(readCredentials(file), { hosts: {} });
  assert.equal(credentialFor("127.0.0.1:8000", file), undefined);
  saveCredential("127.0.0.1:8000", { token: TOKEN, user: "admin" }, file);
  assert.equal(mode(join(home, ".hakuriver")), 0o700);
  assert.equal(mode(file), 0o600);
  assert.deepEqual(credentialFor("http://127.0.0.1:8000", file), { token: TOKEN, user: "admin" });
});

test("entries are per Host: saving one keeps the others, removing one leaves the rest", () => {
  saveCredential("127.0.0.1:8000", { token: TOKEN, user: "admin" }, file);
  saveCredential("10.0.0.5:8000", { token: "hkr_b_2", user: "alice", tlsFingerprint: "AB:CD", caFile: "/etc/ca.pem" }, file);
  saveCredential("http://127.0.0.1:8000", { token: "hkr_a_3", user: "bob" }, file);
  assert.deepEqual(Object.keys(readCredentials(file).hosts).sort(), ["10.0.0.5:8000", "127.0.0.1:8000"]);
  assert.equal(credentialFor("127.0.0.1:8000", file)?.user, "bob");
  assert.deepEqual(credentialFor("10.0.0.5:8000", file), { token: "hkr_b_2", user: "alice", tlsFingerprint: "AB:CD", caFile: "/etc/ca.pem" });
  assert.equal(removeCredential("127.0.0.1:8000", file), true);
  assert.equal(removeCredential("127.0.0.1:8000", file), false);
  assert.deepEqual(Object.keys(readCredentials(file).hosts), ["10.0.0.5:8000"]);
  assert.equal(mode(file), 0o600);
});

test("a write replaces the file by rename: a new inode, no temp file left, 0600 even over a wider file", () => {
  mkdirSync(join(home, ".hakuriver"), { mode: 0o700 });
  writeFileSync(file, JSON.stringify({ hosts: {} }), { mode: 0o644 });
  const before = statSync(file).ino;
  writeCredentials({ hosts: { "127.0.0.1:8000": { token: TOKEN, user: "admin" } } }, file);
  assert.notEqual(statSync(file).ino, before);
  assert.equal(mode(file), 0o600);
  assert.deepEqual(readdirSync(join(home, ".hakuriver")), ["credentials"]);
  assert.deepEqual(JSON.parse(readFileSync(file, "utf8")), { hosts: { "127.0.0.1:8000": { token: TOKEN, user: "admin" } } });
});

test("a malformed file is an error that names the file, never read as empty", () => {
  mkdirSync(join(home, ".hakuriver"), { mode: 0o700 });
  for (const text of ["{not json", "[]", "null", '{"hosts": []}', '{"hosts": {"127.0.0.1:8000": {"user": "x"}}}', '{"hosts": {"h:1": {"token": "t", "user": "u", "caFile": 5}}}']) {
    writeFileSync(file, text);
    assert.throws(
      () => readCredentials(file),
      (error: unknown) => error instanceof CredentialsFileError && error.message.includes(file) && /hakuriver login/.test(error.message),
      text,
    );
    // Saving over a malformed file refuses too, rather than dropping what it cannot read.
    assert.throws(() => saveCredential("127.0.0.1:8000", { token: TOKEN, user: "admin" }, file), CredentialsFileError, text);
  }
});

test("the token is auth.token when set, else the Host's entry; tls.* settings win over the entry's pins", () => {
  saveCredential("127.0.0.1:8000", { token: TOKEN, user: "alice", tlsFingerprint: "AB:CD", caFile: "/ca.pem" }, file);
  const unset = { token: "", tlsCaFile: "", tlsFingerprint: "" };
  const fromFile = resolveClientCredential(unset, "http://127.0.0.1:8000", file);
  assert.deepEqual([fromFile.token, fromFile.source, fromFile.storedUser, fromFile.tls], [TOKEN, "credentials-file", "alice", { caFile: "/ca.pem", fingerprint: "AB:CD" }]);
  const fromSetting = resolveClientCredential({ ...unset, token: "hkr_x_y" }, "127.0.0.1:8000", file);
  assert.deepEqual([fromSetting.token, fromSetting.source, fromSetting.tls], ["hkr_x_y", "setting", { caFile: "/ca.pem", fingerprint: "AB:CD" }]);
  const pinned = resolveClientCredential({ token: "", tlsCaFile: "/other.pem", tlsFingerprint: "" }, "127.0.0.1:8000", file);
  assert.deepEqual(pinned.tls, { caFile: "/other.pem", fingerprint: "AB:CD" });
  const none = resolveClientCredential(unset, "127.0.0.1:9999", file);
  assert.deepEqual([none.token, none.source, none.tls], ["", "none", {}]);
});

test("UNAUTHENTICATED with no credential says how to log in; with one, where it came from", () => {
  const refused = new ConnectError("this Host requires a credential", Code.Unauthenticated);
  const none = resolveClientCredential({ token: "", tlsCaFile: "", tlsFingerprint: "" }, "127.0.0.1:8000", file);
  assert.equal(
    (explainRefusal(refused, none, "127.0.0.1:8000") as ConnectError).rawMessage,
    "no credential for 127.0.0.1:8000: run hakuriver login --host 127.0.0.1:8000 (the admin token is in the Host's state dir, admin.token)",
  );
  saveCredential("127.0.0.1:8000", { token: TOKEN, user: "alice" }, file);
  const stored = resolveClientCredential({ token: "", tlsCaFile: "", tlsFingerprint: "" }, "127.0.0.1:8000", file);
  const revoked = explainRefusal(new ConnectError("the token was revoked", Code.Unauthenticated), stored, "127.0.0.1:8000") as ConnectError;
  assert.equal(revoked.code, Code.Unauthenticated);
  assert.match(revoked.rawMessage, /^the token was revoked \(the token stored for 127\.0\.0\.1:8000 in .*credentials; run hakuriver login/);
  const other = new ConnectError("nope", Code.PermissionDenied);
  assert.equal(explainRefusal(other, none, "127.0.0.1:8000"), other);
});
