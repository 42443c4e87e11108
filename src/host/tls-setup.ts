/**
 * Which TLS the Host's API port serves, decided once before it listens:
 * none (plain h2c), the operator's certificate files, or a self-signed
 * certificate the Host made for itself ("auto"). Every problem is an Error
 * that names the setting or file and says why, so the Host refuses to start
 * rather than start half-configured.
 */
import { readFileSync } from "node:fs";
import { createPrivateKey, X509Certificate } from "node:crypto";
import { isIP } from "node:net";

/** The `tls.*` settings the Host reads, and where it is. */
export interface HostTlsSettings {
  /** `tls.mode`: "" (decide from the other settings), "off" or "auto". */
  readonly mode: string;
  /** `tls.cert_file`: PEM certificate (chain); "" = none. */
  readonly certFile: string;
  /** `tls.key_file`: PEM private key of `certFile`; "" = none. */
  readonly keyFile: string;
  /** The address the API port binds (`network.host_bind_ip`). */
  readonly bind: string;
  /** The Host's state directory; "auto" keeps its certificate in `<stateDir>/tls/`. */
  readonly stateDir: string;
}

/** What the API port serves with, and what to tell the operator about it. */
export interface HostTls {
  /** PEM certificate (chain), as read. */
  readonly cert: string;
  /** PEM private key, as read. */
  readonly key: string;
  /** SHA-256 fingerprint of the leaf certificate, `AA:BB:...` (what clients pin). */
  readonly fingerprint: string;
  /** "files": the operator's `cert_file`; "auto": the Host's own self-signed one. */
  readonly source: "files" | "auto";
  /** Where the certificate lies. */
  readonly certFile: string;
}

/** The modes `tls.mode` takes. */
const MODES = ["", "off", "auto"] as const;

/**
 * True for an address only this machine can reach: 127.0.0.0/8, ::1,
 * `localhost`. A wildcard (0.0.0.0, ::, "") is not loopback: it is reachable
 * from every network the machine is on.
 */
export function isLoopbackAddress(address: string): boolean {
  const host = address.replace(/^\[|\]$/g, "").toLowerCase();
  if (host === "localhost" || host === "::1") return true;
  return isIP(host) === 4 && host.startsWith("127.");
}

/** True when `address` names one address rather than all of them (0.0.0.0, ::, ""). */
export function isSpecificAddress(address: string): boolean {
  const host = address.replace(/^\[|\]$/g, "");
  return host !== "" && host !== "0.0.0.0" && host !== "::";
}

/**
 * Decides the Host's TLS from its settings; resolves with `undefined` for a
 * plain-text port. The rules (see `tls.mode` in config-schema.ts):
 * - "off": plain text, whatever else is set (the deliberate switch-off);
 * - "auto": the self-signed certificate under `<stateDir>/tls/`, made on the
 *   first start and reused after; refused when `cert_file` is set too, as
 *   ignoring a certificate the operator named would surprise them;
 * - "": the files when `cert_file` is set, else plain text on a loopback
 *   bind and "auto" on any other.
 * `cert_file` and `key_file` come as a pair. Throws an Error naming the
 * setting or file on any problem.
 */
export async function resolveHostTls(settings: HostTlsSettings): Promise<HostTls | undefined> {
  const mode = settings.mode.trim().toLowerCase();
  if (!(MODES as readonly string[]).includes(mode)) {
    throw new Error(`tls.mode must be "auto", "off" or empty, got ${JSON.stringify(settings.mode)}`);
  }
  if (mode === "off") return undefined;
  const { certFile, keyFile } = settings;
  if (certFile !== "" && keyFile === "") throw new Error(`tls.cert_file is set (${certFile}) but tls.key_file is not: the Host needs the certificate's private key too`);
  if (keyFile !== "" && certFile === "") throw new Error(`tls.key_file is set (${keyFile}) but tls.cert_file is not: the Host needs the certificate that goes with the key`);
  if (mode === "auto" && certFile !== "") {
    throw new Error(`tls.mode is "auto" (a self-signed certificate) but tls.cert_file is set too (${certFile}): set one or the other`);
  }
  if (certFile !== "") return { ...loadCertificatePair(certFile, keyFile), source: "files", certFile };
  if (mode === "" && isLoopbackAddress(settings.bind)) return undefined;
  // Loaded only when needed: certificate generation pulls in @peculiar/x509 and a Reflect polyfill.
  const { selfSignedCertificate } = await import("./tls-self-signed.js");
  return selfSignedCertificate(settings.stateDir, settings.bind);
}

/** A certificate and key that were read, parsed and found to belong together. */
export interface CertificatePair {
  readonly cert: string;
  readonly key: string;
  readonly fingerprint: string;
}

/** How errors name the two files: a setting (`tls.cert_file`) or a description. */
export interface PairLabels {
  readonly cert: string;
  readonly key: string;
}

const SETTING_LABELS: PairLabels = { cert: "tls.cert_file", key: "tls.key_file" };

/**
 * Reads a PEM certificate and its private key and checks them: both parse,
 * the key is the certificate's, and the certificate is within its validity
 * dates. Throws an Error naming the file (as `labels` call it) and the reason.
 */
export function loadCertificatePair(certFile: string, keyFile: string, labels: PairLabels = SETTING_LABELS, now: Date = new Date()): CertificatePair {
  const certName = `${labels.cert} ${certFile}`;
  const keyName = `${labels.key} ${keyFile}`;
  const cert = readText(certFile, certName);
  const key = readText(keyFile, keyName);
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
  } catch (error) {
    throw new Error(`${certName} is not a PEM certificate: ${reason(error)}`);
  }
  let privateKey: ReturnType<typeof createPrivateKey>;
  try {
    privateKey = createPrivateKey(key);
  } catch (error) {
    throw new Error(`${keyName} is not a PEM private key: ${reason(error)}`);
  }
  if (!x509.checkPrivateKey(privateKey)) throw new Error(`${keyName} is not the private key of ${certName}`);
  if (now < new Date(x509.validFrom)) throw new Error(`${certName} is not valid before ${x509.validFrom}`);
  if (now > new Date(x509.validTo)) throw new Error(`${certName} expired on ${x509.validTo}`);
  return { cert, key, fingerprint: x509.fingerprint256 };
}

function readText(file: string, name: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    throw new Error(`${name} cannot be read: ${reason(error)}`);
  }
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
