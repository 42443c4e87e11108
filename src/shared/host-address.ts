/**
 * Where a client or a runner reaches the Host: the one rule every command
 * and the runner follow.
 */
import { ENVIRONMENT_ONLY, type Config } from "./config-schema.js";

/** The Host's address from the config alone: `host_reachable_address:host_port`. */
export function hostAddressOf(config: Pick<Config, "hostReachableAddress" | "hostPort">): string {
  return `${config.hostReachableAddress}:${config.hostPort}`;
}

/**
 * The Host address a client command uses, first found wins: the `--host`
 * flag, then `HAKURIVER_HOST`, then {@link hostAddressOf} the config.
 * An empty flag or variable counts as not given.
 */
export function resolveHostAddress(
  flag: string | undefined,
  config: Pick<Config, "hostReachableAddress" | "hostPort">,
  env: Readonly<Record<string, string | undefined>> = process.env,
): string {
  return flag || env[ENVIRONMENT_ONLY.host.name] || hostAddressOf(config);
}
