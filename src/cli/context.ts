/**
 * What every client command needs: the layered config, the Host address,
 * the credential to present and a typed client of the client-facing service.
 */
import { createClient, type Client } from "@connectrpc/connect";
import { ClientService } from "../../gen/hakuriver/v1/client_pb.js";
import type { Config } from "../shared/config-schema.js";
import type { SettingFlags } from "../shared/config.js";
import { loadConfig } from "../shared/config-file.js";
import { resolveHostAddress } from "../shared/host-address.js";
import { createHostConnection, type HostTransportOptions } from "../shared/transport.js";
import { resolveClientCredential, type ClientCredential } from "./client-credential.js";
import { explainRefusals } from "./explain-refusals.js";

/** Global options every command accepts. */
export interface GlobalArgs {
  readonly config?: string;
  readonly host?: string;
  readonly json?: boolean;
  /** `--ca`: PEM CA (or the Host's certificate) to verify the Host against (tls.ca_file). */
  readonly ca?: string;
  /** `--tls-fingerprint`: the Host certificate's SHA-256 fingerprint to pin (tls.fingerprint). */
  readonly "tls-fingerprint"?: string;
}

/** The settings the global options stand for (undefined = not given). */
export function globalFlags(args: GlobalArgs): SettingFlags {
  return { "tls.ca_file": args.ca, "tls.fingerprint": args["tls-fingerprint"] };
}

/** A client of the Host on a connection of its own. */
export interface HostClient {
  readonly client: Client<typeof ClientService>;
  /** Closes the connection to the Host (streams still open on it end). */
  close(): void;
}

/** A client command's context. */
export interface ClientContext extends HostClient {
  readonly config: Config;
  readonly hostAddress: string;
  /** The credential sent on every call, and where it came from. */
  readonly credential: ClientCredential;
  readonly json: boolean;
}

/**
 * A client of the Host at `hostAddress` presenting `credential`, whose
 * UNAUTHENTICATED errors say how to fix them.
 */
export function hostClient(hostAddress: string, credential: ClientCredential, extra: Pick<HostTransportOptions, "wideWindows"> = {}): HostClient {
  const options: HostTransportOptions = { ...extra, token: credential.token, ...(Object.keys(credential.tls).length > 0 ? { tls: credential.tls } : {}) };
  const connection = createHostConnection(hostAddress, options);
  const client = createClient(ClientService, explainRefusals(connection.transport, credential, hostAddress));
  return { client, close: connection.close };
}

/**
 * Loads the config (with the given flag overrides), resolves the Host
 * address and its credential (auth.token, else ~/.hakuriver/credentials)
 * and creates the client (`extra.wideWindows` for bulk byte streams).
 */
export function clientContext(args: GlobalArgs, flags: SettingFlags = {}, extra: Pick<HostTransportOptions, "wideWindows"> = {}): ClientContext {
  const config = loadConfig(args.config, { ...globalFlags(args), ...flags });
  const hostAddress = resolveHostAddress(args.host, config);
  const credential = resolveClientCredential(config, hostAddress);
  return { config, hostAddress, credential, json: args.json === true, ...hostClient(hostAddress, credential, extra) };
}
