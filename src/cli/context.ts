/**
 * What every client command needs: the layered config, the Host address and
 * a typed client of the client-facing service.
 */
import { createClient, type Client } from "@connectrpc/connect";
import { ClientService } from "../../gen/hakuriver/v1/client_pb.js";
import type { Config } from "../shared/config-schema.js";
import type { SettingFlags } from "../shared/config.js";
import { loadConfig } from "../shared/config-file.js";
import { resolveHostAddress } from "../shared/host-address.js";
import { clientTlsOf } from "../shared/tls-client.js";
import { createHostConnection } from "../shared/transport.js";

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

/** A client command's context. */
export interface ClientContext {
  readonly config: Config;
  readonly hostAddress: string;
  readonly client: Client<typeof ClientService>;
  readonly json: boolean;
  /** Closes the connection to the Host (streams still open on it end). */
  close(): void;
}

/** Loads the config (the global options and the given flags override it) and creates the client. */
export function clientContext(args: GlobalArgs, flags: SettingFlags = {}): ClientContext {
  const config = loadConfig(args.config, { ...globalFlags(args), ...flags });
  const hostAddress = resolveHostAddress(args.host, config);
  const connection = createHostConnection(hostAddress, { token: config.token, tls: clientTlsOf(config) });
  const client = createClient(ClientService, connection.transport);
  return { config, hostAddress, client, json: args.json === true, close: connection.close };
}
