/**
 * Which credential a client command sends to a Host, by one rule: the
 * `auth.token` setting (config file or `HAKURIVER_AUTH_TOKEN`) when
 * non-empty, else the Host's entry in the credentials file; the `tls.*`
 * settings likewise win over the entry's TLS pins.
 */
import type { HostTlsOptions } from "../shared/tls-client.js";
import type { Config } from "../shared/config-schema.js";
import { credentialFor, credentialsPath } from "./credentials.js";

/** Where the token came from: the `auth.token` setting, the credentials file, given to `login`, or nowhere. */
export type CredentialSource = "setting" | "credentials-file" | "login" | "none";

/** How to verify the Host's certificate: the transport's own TLS options. */
export type HostTlsSettings = HostTlsOptions;

/** The credential a command uses for one Host. */
export interface ClientCredential {
  /** Empty when none was found. */
  readonly token: string;
  readonly source: CredentialSource;
  /** The user the credentials file names (empty for a token from the setting). */
  readonly storedUser: string;
  /** Empty object when neither the settings nor the entry ask for TLS. */
  readonly tls: HostTlsSettings;
  /** The credentials file consulted (for messages). */
  readonly credentialsFile: string;
}

/**
 * Resolves the credential for `hostAddress`. The file is read only when the
 * setting is empty or TLS settings are missing; a malformed file is an error
 * then (CredentialsFileError), never silently ignored.
 */
export function resolveClientCredential(
  config: Pick<Config, "token" | "tlsCaFile" | "tlsFingerprint">,
  hostAddress: string,
  file: string = credentialsPath(),
): ClientCredential {
  const fromSetting = config.token !== "";
  const needsFile = !fromSetting || (config.tlsCaFile === "" && config.tlsFingerprint === "");
  const entry = needsFile ? credentialFor(hostAddress, file) : undefined;
  const tls = tlsSettings(config.tlsCaFile || entry?.caFile, config.tlsFingerprint || entry?.tlsFingerprint);
  if (fromSetting) return { token: config.token, source: "setting", storedUser: "", tls, credentialsFile: file };
  if (entry && entry.token !== "") return { token: entry.token, source: "credentials-file", storedUser: entry.user, tls, credentialsFile: file };
  return { token: "", source: "none", storedUser: "", tls, credentialsFile: file };
}

/** TLS settings holding only the values given (empty object: plain text). */
export function tlsSettings(caFile: string | undefined, fingerprint: string | undefined): HostTlsSettings {
  return { ...(caFile ? { caFile } : {}), ...(fingerprint ? { fingerprint } : {}) };
}

/** The fix for a Host that wants a credential this client does not have. */
export function noCredentialMessage(hostAddress: string): string {
  return `no credential for ${hostAddress}: run hakuriver login --host ${hostAddress} (the admin token is in the Host's state dir, admin.token)`;
}

/** Where a refused token came from, in words, to append to the Host's reason. */
export function refusedCredentialNote(credential: ClientCredential, hostAddress: string): string {
  if (credential.source === "setting") return "the token came from auth.token / HAKURIVER_AUTH_TOKEN";
  if (credential.source === "login") return "nothing was stored";
  return `the token stored for ${hostAddress} in ${credential.credentialsFile}; run hakuriver login --host ${hostAddress} with a valid token`;
}
