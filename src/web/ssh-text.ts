/**
 * What a person copies to log in to a VPS: `hakuriver ssh ID`, and the
 * block `hakuriver ssh-config ID` prints for ~/.ssh/config. The CLI's own
 * block names its node binary and script path in the ProxyCommand, which
 * only that machine knows; the dashboard writes the same block with
 * `hakuriver ssh-proxy` (the same relay, found on PATH) instead.
 * Keep in step with sshConfig() in src/cli/commands/ssh.ts.
 */

/** `hakuriver ssh ID`. */
export function sshCommand(taskId: string): string {
  return `hakuriver ssh ${taskId}`;
}

/** `hakuriver ssh-config ID`, whose output goes into ~/.ssh/config. */
export function sshConfigCommand(taskId: string): string {
  return `hakuriver ssh-config ${taskId}`;
}

/** Quotes a word as the CLI does for the shell ssh runs a ProxyCommand with (`%` doubled for ssh). */
function shellWord(word: string): string {
  const quoted = /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
  return quoted.replace(/%/g, "%%");
}

/**
 * The Host block for task `taskId`, as `hakuriver ssh-config ID --user USER`
 * prints it with `hakuriver` on PATH. `hostAddress` is how clients reach the
 * Host's API (`host:port`, the dashboard's own origin); `proxyPort` is its
 * SSH proxy (DescribeCluster's ssh_proxy_port).
 */
export function sshConfigBlock(taskId: string, hostAddress: string, proxyPort: number, user = "root"): string {
  const proxy = ["hakuriver", "ssh-proxy", taskId, "--host", hostAddress, "--proxy-port", String(proxyPort)].map(shellWord).join(" ");
  return [
    `Host hakuriver-${taskId}`,
    `  HostName hakuriver-${taskId}`,
    `  User ${user}`,
    `  ProxyCommand ${proxy}`,
    "  StrictHostKeyChecking no",
    "  UserKnownHostsFile /dev/null",
    "  LogLevel ERROR",
  ].join("\n");
}
