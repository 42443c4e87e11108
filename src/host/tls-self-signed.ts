/**
 * The Host's own certificate for `tls.mode = "auto"`: a self-signed ECDSA
 * P-256 certificate made on the first start and kept under
 * `<stateDir>/tls/` (`host.crt`, `host.key`), so its fingerprint stays the
 * same across restarts and clients pin it once. Node can check X.509
 * certificates but not make them, hence @peculiar/x509 (on WebCrypto).
 */
// @peculiar/x509's dependency injection (tsyringe) throws at import without a Reflect polyfill.
import "reflect-metadata";
import { chmodSync, existsSync, mkdirSync } from "node:fs";
import { writeFileAtomically } from "../shared/atomic-file.js";
import { randomBytes, webcrypto } from "node:crypto";
import { hostname, networkInterfaces } from "node:os";
import { isIP } from "node:net";
import { join } from "node:path";
import {
  BasicConstraintsExtension,
  ExtendedKeyUsageExtension,
  KeyUsageFlags,
  KeyUsagesExtension,
  PemConverter,
  SubjectAlternativeNameExtension,
  X509CertificateGenerator,
  cryptoProvider,
  type JsonGeneralName,
} from "@peculiar/x509";
import { isSpecificAddress, loadCertificatePair, type HostTls } from "./tls-setup.js";

/** How long a made certificate is valid (ms): ten years, so no one meets its expiry by surprise. */
export const SELF_SIGNED_VALIDITY_MS = 10 * 365 * 24 * 60 * 60 * 1000;

/** The library's DOM-typed key pair; Node's webcrypto keys are the same objects under Node's types. */
type SelfSignedParams = Parameters<typeof X509CertificateGenerator.createSelfSigned>[0];

/** ECDSA P-256 with SHA-256: small, fast, and accepted by every TLS client. */
const ALGORITHM = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" };

/** `<stateDir>/tls/host.crt` and `host.key`. */
export function selfSignedPaths(stateDir: string): { dir: string; certFile: string; keyFile: string } {
  const dir = join(stateDir, "tls");
  return { dir, certFile: join(dir, "host.crt"), keyFile: join(dir, "host.key") };
}

/**
 * The names a client may dial the Host by: localhost, 127.0.0.1, ::1, this
 * machine's host name, the bind address when it names one, and every
 * non-internal interface address. Unique, in that order.
 */
export function subjectAltNames(bind: string): string[] {
  const names = ["localhost", "127.0.0.1", "::1", hostname()];
  const host = bind.replace(/^\[|\]$/g, "");
  if (isSpecificAddress(host)) names.push(host);
  for (const addresses of Object.values(networkInterfaces())) {
    for (const address of addresses ?? []) if (!address.internal) names.push(address.address);
  }
  return [...new Set(names.filter((name) => name !== ""))];
}

/**
 * The Host's self-signed certificate: the stored one when `host.crt`
 * exists (checked like an operator's files; a broken or expired one is an
 * error that says to delete it), else a new one, written with the key 0600
 * in a 0700 directory. The certificate is written last, so a start cut short
 * leaves no certificate without its key.
 */
export async function selfSignedCertificate(stateDir: string, bind: string, now: Date = new Date()): Promise<HostTls> {
  const { dir, certFile, keyFile } = selfSignedPaths(stateDir);
  const labels = { cert: "the Host's own certificate", key: "the Host's own key" };
  if (existsSync(certFile)) {
    try {
      return { ...loadCertificatePair(certFile, keyFile, labels, now), source: "auto", certFile };
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      throw new Error(`${why} (delete ${dir} to make a new certificate; clients that pinned the old fingerprint must pin the new one)`);
    }
  }
  const { cert, key } = await makeSelfSigned(subjectAltNames(bind), now);
  mkdirSync(stateDir, { recursive: true });
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  writeFileAtomically(keyFile, key);
  writeFileAtomically(certFile, cert, 0o644);
  return { ...loadCertificatePair(certFile, keyFile, labels, now), source: "auto", certFile };
}


/** Makes a self-signed server certificate for `names` (DNS names or IP addresses); PEM text. */
export async function makeSelfSigned(names: readonly string[], now: Date = new Date()): Promise<{ cert: string; key: string }> {
  cryptoProvider.set(webcrypto as unknown as Parameters<typeof cryptoProvider.set>[0]);
  const keys = await webcrypto.subtle.generateKey(ALGORITHM, true, ["sign", "verify"]);
  const serial = randomBytes(16);
  serial[0]! &= 0x7f; // a positive serial number, as RFC 5280 asks
  const altNames: JsonGeneralName[] = names.map((name) => ({ type: isIP(name) ? "ip" : "dns", value: name }));
  const certificate = await X509CertificateGenerator.createSelfSigned({
    serialNumber: serial.toString("hex"),
    name: `CN=HakuRiver host ${hostname()}`,
    notBefore: new Date(now.getTime() - 60_000), // a minute's grace for clients whose clocks run behind
    notAfter: new Date(now.getTime() + SELF_SIGNED_VALIDITY_MS),
    signingAlgorithm: ALGORITHM,
    keys: keys as unknown as SelfSignedParams["keys"],
    extensions: [
      new BasicConstraintsExtension(false, undefined, true),
      new KeyUsagesExtension(KeyUsageFlags.digitalSignature, true),
      new ExtendedKeyUsageExtension(["1.3.6.1.5.5.7.3.1"]), // serverAuth
      new SubjectAlternativeNameExtension(altNames),
    ],
  });
  const pkcs8 = await webcrypto.subtle.exportKey("pkcs8", keys.privateKey);
  return { cert: certificate.toString("pem"), key: PemConverter.encode(pkcs8, "PRIVATE KEY") };
}
