/**
 * What a person copies to log in to a VPS: `hakuriver ssh ID`, the
 * `hakuriver ssh-config ID --install` command, and what that writes: the
 * `Host hakuriver-ID` block (built by the same function the CLI uses,
 * src/shared/ssh-config-block.ts) and the VPS's host key lines for
 * ~/.hakuriver/known_hosts, so logins check the key instead of trusting any.
 * The CLI's own block names its node binary and script path in the
 * ProxyCommand, which only that machine knows; the dashboard writes
 * `hakuriver ssh-proxy` (the same relay, found on PATH) instead.
 */
import { renderHostBlock, sshAlias } from "../shared/ssh-config-block.js";

/** Where `ssh-config` keeps VPS host keys, as ssh_config may write it (`~` is the user's home). */
export const KNOWN_HOSTS_FILE = "~/.hakuriver/known_hosts";

/** `hakuriver ssh ID`. */
export function sshCommand(taskId: string): string {
  return `hakuriver ssh ${taskId}`;
}

/** `hakuriver ssh-config ID --install`: adds (or replaces) the block in ~/.ssh/config and records the host key. */
export function sshConfigCommand(taskId: string): string {
  return `hakuriver ssh-config ${taskId} --install`;
}

/** `ssh -J jump@HOST:PORT root@vps-ID`: a login through the Host's SSH jump host with stock OpenSSH only. */
export function jumpCommand(taskId: string, host: string, jumpPort: number, user = "root"): string {
  return `ssh -J jump@${host}:${jumpPort} ${user}@vps-${taskId}`;
}

/** Quotes a word as the CLI does for the shell ssh runs a ProxyCommand with (`%` doubled for ssh). */
function shellWord(word: string): string {
  const quoted = /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
  return quoted.replace(/%/g, "%%");
}

/**
 * The block `hakuriver ssh-config ID --install` writes for task `taskId`,
 * with `hakuriver` on PATH. `hostAddress` is how clients reach the Host's
 * API (`host:port`, the dashboard's own origin); `proxyPort` is its SSH
 * proxy (DescribeCluster's ssh_proxy_port); `hostKeys` the VPS's keys
 * (Task.ssh_host_keys): with none yet, the block trusts the first key it
 * sees and says so.
 */
export function sshConfigBlock(taskId: string, hostAddress: string, proxyPort: number, hostKeys: readonly string[], user = "root"): string {
  const proxyCommand = ["hakuriver", "ssh-proxy", taskId, "--host", hostAddress, "--proxy-port", String(proxyPort)].map(shellWord).join(" ");
  return renderHostBlock({
    taskId,
    user,
    proxyCommand,
    knownHostsFile: KNOWN_HOSTS_FILE,
    ...(hostKeys.length === 0 ? { unknownHostKeyReason: "the runner has not reported it yet" } : {}),
  });
}

/** The known_hosts lines for the VPS's keys, as `ssh-config --install` writes them. */
export function knownHostsLines(taskId: string, hostKeys: readonly string[]): string {
  return hostKeys.map((key) => `${sshAlias(taskId)} ${key}`).join("\n");
}
