import { test } from "node:test";
import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { isLoopbackAddress, loadCertificatePair, resolveHostTls, type HostTlsSettings } from "../../src/host/tls-setup.js";
import { makeSelfSigned, selfSignedPaths, SELF_SIGNED_VALIDITY_MS, subjectAltNames } from "../../src/host/tls-self-signed.js";
import { DomainError } from "../../src/shared/errors.js";
import { clientTlsOf, normalizeFingerprint } from "../../src/shared/tls-client.js";
import { hostBaseUrl } from "../../src/shared/transport.js";

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), "hakuriver-tls-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function settings(stateDir: string, overrides: Partial<HostTlsSettings> = {}): HostTlsSettings {
  return { mode: "", certFile: "", keyFile: "", bind: "0.0.0.0", stateDir, ...overrides };
}

/** Writes a fresh self-signed pair into `dir` as `<name>.crt` / `<name>.key`. */
async function writePair(dir: string, name: string): Promise<{ certFile: string; keyFile: string }> {
  const { cert, key } = await makeSelfSigned(["localhost"]);
  const certFile = join(dir, `${name}.crt`);
  const keyFile = join(dir, `${name}.key`);
  writeFileSync(certFile, cert);
  writeFileSync(keyFile, key);
  return { certFile, keyFile };
}

test("auto makes an ECDSA P-256 certificate with the Host's names, key 0600 in a 0700 dir, and reuses it", async (t) => {
  const stateDir = tempDir(t);
  const first = await resolveHostTls(settings(stateDir, { mode: "auto", bind: "10.11.12.13" }));
  assert.ok(first);
  assert.equal(first.source, "auto");
  const paths = selfSignedPaths(stateDir);
  assert.equal(first.certFile, paths.certFile);
  const x509 = new X509Certificate(first.cert);
  assert.equal(first.fingerprint, x509.fingerprint256);
  assert.match(first.fingerprint, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  assert.equal(x509.publicKey.asymmetricKeyDetails?.namedCurve, "prime256v1");
  const sans = x509.subjectAltName ?? "";
  for (const name of ["DNS:localhost", "IP Address:127.0.0.1", "IP Address:0:0:0:0:0:0:0:1", `DNS:${hostname()}`, "IP Address:10.11.12.13"]) {
    assert.ok(sans.includes(name), `${name} in ${sans}`);
  }
  const validMs = new Date(x509.validTo).getTime() - Date.now();
  assert.ok(validMs > SELF_SIGNED_VALIDITY_MS - 24 * 3600_000, `valid for ten years (${x509.validTo})`);
  assert.equal(statSync(paths.keyFile).mode & 0o777, 0o600);
  assert.equal(statSync(paths.dir).mode & 0o777, 0o700);

  const second = await resolveHostTls(settings(stateDir, { mode: "auto" }));
  assert.equal(second?.fingerprint, first.fingerprint, "the stored certificate is reused");
  assert.equal(second?.key, first.key);
});

test("SANs list the wildcard bind not at all, a specific one once", () => {
  assert.ok(!subjectAltNames("0.0.0.0").includes("0.0.0.0"));
  assert.ok(!subjectAltNames("::").includes("::"));
  const names = subjectAltNames("127.0.0.1");
  assert.equal(names.filter((n) => n === "127.0.0.1").length, 1);
});

test("a broken stored certificate is an error that says to delete it", async (t) => {
  const stateDir = tempDir(t);
  await resolveHostTls(settings(stateDir, { mode: "auto" }));
  writeFileSync(selfSignedPaths(stateDir).certFile, "garbage");
  await assert.rejects(resolveHostTls(settings(stateDir, { mode: "auto" })), /own certificate .*host\.crt is not a PEM certificate.*delete .*tls/);
});

test("the mode: empty is plain on loopback, auto elsewhere; off is off; unknown is refused", async (t) => {
  const stateDir = tempDir(t);
  assert.equal(await resolveHostTls(settings(stateDir, { bind: "127.0.0.1" })), undefined);
  assert.equal(await resolveHostTls(settings(stateDir, { bind: "localhost" })), undefined);
  assert.equal((await resolveHostTls(settings(stateDir, { bind: "0.0.0.0" })))?.source, "auto");
  const { certFile, keyFile } = await writePair(stateDir, "op");
  assert.equal(await resolveHostTls(settings(stateDir, { mode: "off", certFile, keyFile })), undefined, "off wins over files");
  assert.equal((await resolveHostTls(settings(stateDir, { certFile, keyFile, bind: "127.0.0.1" })))?.source, "files");
  await assert.rejects(resolveHostTls(settings(stateDir, { mode: "on" })), /tls\.mode must be "auto", "off" or empty, got "on"/);
  await assert.rejects(resolveHostTls(settings(stateDir, { mode: "auto", certFile, keyFile })), /tls\.mode is "auto".*tls\.cert_file is set too/);
  assert.ok(isLoopbackAddress("127.1.2.3") && isLoopbackAddress("[::1]") && !isLoopbackAddress("0.0.0.0") && !isLoopbackAddress("") && !isLoopbackAddress("10.0.0.1"));
});

test("files: read, checked, and every problem names the file", async (t) => {
  const dir = tempDir(t);
  const good = await writePair(dir, "good");
  const other = await writePair(dir, "other");
  const loaded = await resolveHostTls(settings(dir, good));
  assert.equal(loaded?.source, "files");
  assert.equal(loaded?.certFile, good.certFile);
  assert.equal(loaded?.fingerprint, new X509Certificate(loaded!.cert).fingerprint256);

  const garbage = join(dir, "garbage.crt");
  writeFileSync(garbage, "-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n");
  await assert.rejects(resolveHostTls(settings(dir, { certFile: garbage, keyFile: good.keyFile })), (e: Error) => e.message.startsWith(`tls.cert_file ${garbage} is not a PEM certificate`));
  const missingKey = join(dir, "missing.key");
  await assert.rejects(resolveHostTls(settings(dir, { certFile: good.certFile, keyFile: missingKey })), (e: Error) => e.message.startsWith(`tls.key_file ${missingKey} cannot be read: ENOENT`));
  await assert.rejects(resolveHostTls(settings(dir, { certFile: good.certFile, keyFile: good.certFile })), new RegExp(`tls.key_file ${good.certFile} is not a PEM private key`));
  await assert.rejects(
    resolveHostTls(settings(dir, { certFile: good.certFile, keyFile: other.keyFile })),
    (e: Error) => e.message === `tls.key_file ${other.keyFile} is not the private key of tls.cert_file ${good.certFile}`,
  );
  await assert.rejects(resolveHostTls(settings(dir, { certFile: good.certFile })), /tls\.cert_file is set .* but tls\.key_file is not/);
  await assert.rejects(resolveHostTls(settings(dir, { keyFile: good.keyFile })), /tls\.key_file is set .* but tls\.cert_file is not/);
  const future = new Date(Date.now() + SELF_SIGNED_VALIDITY_MS + 86_400_000);
  assert.throws(() => loadCertificatePair(good.certFile, good.keyFile, undefined, future), new RegExp(`tls.cert_file ${good.certFile} expired on `));
});

test("fingerprint pins: colons or none, any case, sha256: prefix; anything else refused", () => {
  const canonical = Array.from({ length: 32 }, (_, i) => (i * 7 + 16).toString(16).toUpperCase().padStart(2, "0")).join(":");
  const bare = canonical.replace(/:/g, "");
  for (const pin of [canonical, bare, bare.toLowerCase(), `sha256:${bare.toLowerCase()}`, `SHA256:${canonical}`, ` ${canonical} `]) {
    assert.equal(normalizeFingerprint(pin), canonical, pin);
  }
  for (const pin of ["", "AB:CD", `${bare}00`, bare.replace(/^./, "G"), `md5:${bare}`]) {
    assert.throws(() => normalizeFingerprint(pin), (e: unknown) => e instanceof DomainError && e.kind === "invalid_argument" && /tls\.fingerprint .* is not a SHA-256 fingerprint/.test(e.message), pin);
  }
});

test("client settings: either one means TLS, the base URL turns https, http:// with TLS is refused", () => {
  assert.equal(clientTlsOf({ tlsCaFile: "", tlsFingerprint: "" }), undefined);
  assert.deepEqual(clientTlsOf({ tlsCaFile: "/ca.pem", tlsFingerprint: "" }), { caFile: "/ca.pem" });
  assert.deepEqual(clientTlsOf({ tlsCaFile: "", tlsFingerprint: "AB" }), { fingerprint: "AB" });
  assert.equal(hostBaseUrl("127.0.0.1:8000"), "http://127.0.0.1:8000");
  assert.equal(hostBaseUrl("127.0.0.1:8000", { fingerprint: "AB" }), "https://127.0.0.1:8000");
  assert.equal(hostBaseUrl("[::1]:9", { caFile: "/ca.pem" }), "https://[::1]:9");
  assert.equal(hostBaseUrl("https://h:1/"), "https://h:1");
  assert.throws(() => hostBaseUrl("http://h:1", { caFile: "/ca.pem" }), /plain-text \(http:\/\/\) address, but a TLS CA file or fingerprint is set/);
});
