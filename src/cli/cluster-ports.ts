/**
 * The Host's own ports, asked of the Host (DescribeCluster needs no
 * credential), so a client told only `--host` reaches a Host started on
 * non-default ports. An explicit client flag still wins; the configured
 * value is the fallback when the Host cannot say.
 */
import { clientContext, type GlobalArgs } from "./context.js";

/** What DescribeCluster says about the ports (0: the Host runs none, or is too old to say). */
export interface ClusterPorts {
  readonly sshProxyPort: number;
  readonly heartbeatIntervalMs: number;
}

/** Asks the Host at `args`' address; rejects when it cannot be reached. */
export async function askClusterPorts(args: GlobalArgs, timeoutMs = 10_000): Promise<ClusterPorts> {
  const ctx = clientContext(args);
  try {
    const described = await ctx.client.describeCluster({}, { timeoutMs });
    return { sshProxyPort: described.sshProxyPort, heartbeatIntervalMs: Number(described.heartbeatIntervalMs) };
  } finally {
    ctx.close();
  }
}

/**
 * The SSH proxy port to use: `flag` when given; else the one the Host
 * reports; else `configured` (network.host_ssh_proxy_port), with a warning
 * on stderr saying why the Host's answer was not used.
 */
export async function resolveSshProxyPort(args: GlobalArgs, flag: number | undefined, configured: number): Promise<number> {
  if (flag !== undefined) return flag;
  try {
    const { sshProxyPort } = await askClusterPorts(args);
    if (sshProxyPort > 0) return sshProxyPort;
    console.error(`warning: the Host reports no SSH proxy port (it runs none, or predates DescribeCluster's ports); trying network.host_ssh_proxy_port ${configured}`);
  } catch (error) {
    console.error(`warning: could not ask the Host for its SSH proxy port (${error instanceof Error ? error.message : String(error)}); trying network.host_ssh_proxy_port ${configured}`);
  }
  return configured;
}
