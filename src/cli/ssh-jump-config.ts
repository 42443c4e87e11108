/**
 * `hakuriver ssh-config ID --jump [--install]`: a Host block that reaches
 * the VPS through the Host's SSH jump host (ProxyJump), so plain OpenSSH,
 * scp, sftp and editors' remote plugins log in with no hakuriver on the
 * path. The jump host's port and key come from DescribeCluster (unless
 * --jump-port names the port); both host keys, the VPS's and the jump
 * host's, go to ~/.hakuriver/known_hosts and are checked strictly.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { UsageError } from "./cli-error.js";
import type { SshConfigArgs } from "./commands/ssh.js";
import { clientContext } from "./context.js";
import { replaceKnownHosts } from "../shared/ssh-config-block.js";
import { jumpAlias, renderJumpBlock } from "../shared/ssh-jump-block.js";
import { parseSshPublicKey, publicKeyText } from "../shared/ssh-public-key.js";
import { emitHostBlock, identityFile, recordHostKeys } from "./ssh-config-install.js";
import { readTextOrEmpty, sshPaths, writePrivateFile } from "./ssh-files.js";

/** The jump host's port and key, as the Host describes them (the port overridden by --jump-port). */
async function describeJump(args: SshConfigArgs): Promise<{ port: number; hostKey: string; hostAddress: string }> {
  const ctx = clientContext(args);
  try {
    const cluster = await ctx.client.describeCluster({});
    const port = args["jump-port"] ?? cluster.sshJumpPort;
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      throw new UsageError(`the Host at ${ctx.hostAddress} runs no SSH jump host (network.host_ssh_jump_port is -1 there, or the Host is older): use hakuriver ssh-config ${args.id} without --jump`);
    }
    return { port, hostKey: cluster.sshJumpHostKey, hostAddress: ctx.hostAddress };
  } finally {
    ctx.close();
  }
}

/** The host part of `ADDR:PORT`, `[v6]:PORT` or a URL. */
function hostOf(address: string): string {
  const text = address.trim().replace(/^https?:\/\//, "").replace(/\/.*$/, "");
  const host = /^\[([^\]]+)\]/.exec(text)?.[1] ?? text.replace(/:\d+$/, "");
  return host === "" ? "127.0.0.1" : host;
}

/** Writes both host keys to ~/.hakuriver/known_hosts, then prints (or installs) the jump block. */
export async function writeJumpSshConfig(args: SshConfigArgs, taskId: string): Promise<number> {
  const paths = sshPaths();
  const jump = await describeJump(args);
  const jumpHost = hostOf(jump.hostAddress);
  const { unknownReason } = await recordHostKeys(args, taskId, paths);
  const parsed = jump.hostKey === "" ? "the Host did not describe it (an older Host)" : parseSshPublicKey(jump.hostKey);
  const jumpKeyReason = typeof parsed === "string" ? parsed : undefined;
  const hop = jumpAlias(jumpHost, jump.port);
  writePrivateFile(paths.knownHosts, replaceKnownHosts(readTextOrEmpty(paths.knownHosts), hop, typeof parsed === "string" ? [] : [publicKeyText(parsed)]));
  if (typeof parsed === "string") console.error(`warning: the jump host's key is not known (${parsed}); ssh trusts it on first use (StrictHostKeyChecking accept-new)`);
  const identity = identityFile(args, jump.hostAddress, taskId, paths);
  let jumpIdentity: string | undefined;
  if (args["jump-identity-file"] !== undefined) {
    jumpIdentity = resolve(args["jump-identity-file"]);
    if (!existsSync(jumpIdentity)) throw new UsageError(`identity file ${jumpIdentity} does not exist`);
  }
  const block = renderJumpBlock({
    taskId,
    user: args.user ?? "root",
    jumpHost,
    jumpPort: jump.port,
    knownHostsFile: paths.knownHosts,
    ...(unknownReason !== undefined ? { unknownHostKeyReason: unknownReason } : {}),
    ...(jumpKeyReason !== undefined ? { unknownJumpKeyReason: jumpKeyReason } : {}),
    ...(typeof parsed !== "string" ? { jumpFingerprint: parsed.fingerprint } : {}),
    ...(identity !== undefined ? { identityFile: identity } : {}),
    ...(jumpIdentity !== undefined ? { jumpIdentityFile: jumpIdentity } : {}),
  });
  return emitHostBlock(args, taskId, block, paths);
}
