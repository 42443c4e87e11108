/**
 * The text `hakuriver ssh-config ID --jump` writes, as pure functions: the
 * VPS's `Host hakuriver-ID` section, which reaches `vps-ID:22` through the
 * Host's SSH jump host with `ProxyJump`, and a section for the jump hop
 * itself (`Host hakuriver-jump-HOST-PORT`: `jump@HOST:PORT`), both between
 * the same marker comments as the proxy block, so `--install` replaces
 * either kind in place. The jump hop has its own section because OpenSSH
 * runs the hop as a separate `ssh` that reads only the config file: that
 * is where its host key check (the jump host's pinned key) and its
 * IdentityFile live.
 */
import { blockMarkers, configValue, sshAlias } from "./ssh-config-block.js";

/** The ssh user name the jump host expects (any name is accepted; keys identify). */
export const JUMP_USER = "jump";

/** The alias of the jump hop of the jump host at `host:port`. */
export function jumpAlias(host: string, port: number): string {
  return `hakuriver-jump-${host.replace(/[^A-Za-z0-9.-]/g, "-")}-${port}`;
}

/** What the jump block says. */
export interface JumpBlockOptions {
  readonly taskId: string;
  /** Login user on the VPS. */
  readonly user: string;
  /** The jump host's address (the Host's, as the client dials it) and port. */
  readonly jumpHost: string;
  readonly jumpPort: number;
  /** Absolute path of the known_hosts file holding the VPS's and the jump host's keys. */
  readonly knownHostsFile: string;
  /** Why the VPS's host key is not known, when it is not (the block then trusts it on first use). */
  readonly unknownHostKeyReason?: string;
  /** The jump host key's "SHA256:..." fingerprint, shown in a comment (as the Host prints it at start); absent when not known. */
  readonly jumpFingerprint?: string;
  /** Why the jump host's key is not known, when it is not. */
  readonly unknownJumpKeyReason?: string;
  /** Private key for the VPS's sshd; absent = ssh's defaults. */
  readonly identityFile?: string;
  /** Private key for the jump hop; absent = {@link identityFile}. */
  readonly jumpIdentityFile?: string;
}

function checkLines(reason: string | undefined, what: string): string[] {
  if (reason === undefined) return ["  StrictHostKeyChecking yes"];
  return [`  # ${what}'s host key is not known (${reason.replace(/\n/g, " ")}):`, "  # the first login trusts the key it is shown and records it (accept-new).", "  StrictHostKeyChecking accept-new"];
}

function identityLines(file: string | undefined): string[] {
  return file === undefined ? [] : [`  IdentityFile ${configValue(file)}`, "  IdentitiesOnly yes"];
}

/** The block, markers included, ending in a newline. */
export function renderJumpBlock(options: JumpBlockOptions): string {
  const alias = sshAlias(options.taskId);
  const hop = jumpAlias(options.jumpHost, options.jumpPort);
  const { begin, end } = blockMarkers(options.taskId);
  const knownHosts = `  UserKnownHostsFile ${configValue(options.knownHostsFile)}`;
  const lines = [
    `${begin} (hakuriver ssh-config ${options.taskId} --jump --install replaces this block)`,
    `Host ${alias}`,
    `  HostName vps-${options.taskId}`,
    `  User ${options.user}`,
    `  ProxyJump ${hop}`,
    `  HostKeyAlias ${alias}`,
    knownHosts,
    ...checkLines(options.unknownHostKeyReason, "The VPS"),
    ...identityLines(options.identityFile),
    `# The Host's SSH jump host (${JUMP_USER}@${options.jumpHost}:${options.jumpPort}), used by ProxyJump above${options.jumpFingerprint ? `; its key: ${options.jumpFingerprint}` : ""}.`,
    `Host ${hop}`,
    `  HostName ${options.jumpHost}`,
    `  Port ${options.jumpPort}`,
    `  User ${JUMP_USER}`,
    `  HostKeyAlias ${hop}`,
    knownHosts,
    ...checkLines(options.unknownJumpKeyReason, "The jump host"),
    ...identityLines(options.jumpIdentityFile ?? options.identityFile),
    end,
  ];
  return `${lines.join("\n")}\n`;
}
