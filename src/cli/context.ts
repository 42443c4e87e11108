/**
 * What every client command needs: layered settings, the Host address and
 * a typed client of the client-facing service.
 */
import { createClient, type Client } from "@connectrpc/connect";
import { ClientService } from "../../gen/hakuriver/v1/client_pb.js";
import { getNumber, getString, type SettingValue, type Settings } from "../shared/config.js";
import { loadSettings } from "../shared/config-file.js";
import { createHostConnection } from "../shared/transport.js";

/** Global options every command accepts. */
export interface GlobalArgs {
  readonly config?: string;
  readonly host?: string;
  readonly json?: boolean;
}

/** A client command's context. */
export interface ClientContext {
  readonly settings: Settings;
  readonly hostAddress: string;
  readonly client: Client<typeof ClientService>;
  readonly json: boolean;
  /** Closes the connection to the Host (streams still open on it end). */
  close(): void;
}

/** Address order: --host, HAKURIVER_HOST, then the config's host_reachable_address:host_port. */
export function resolveHostAddress(args: GlobalArgs, settings: Settings, env: NodeJS.ProcessEnv = process.env): string {
  if (args.host) return args.host;
  if (env.HAKURIVER_HOST) return env.HAKURIVER_HOST;
  return `${getString(settings, "network.host_reachable_address")}:${getNumber(settings, "network.host_port")}`;
}

/** Loads settings (with the given flag overrides) and creates the client. */
export function clientContext(args: GlobalArgs, flags: Record<string, SettingValue | undefined> = {}): ClientContext {
  const settings = loadSettings(args.config, flags);
  const hostAddress = resolveHostAddress(args, settings);
  const connection = createHostConnection(hostAddress, { token: getString(settings, "auth.token") });
  const client = createClient(ClientService, connection.transport);
  return { settings, hostAddress, client, json: args.json === true, close: connection.close };
}
