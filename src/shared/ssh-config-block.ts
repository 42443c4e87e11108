/**
 * The text `hakuriver ssh-config` writes, as pure functions: the `Host
 * hakuriver-ID` block between marker comments, its insertion into (or
 * replacement in) an ssh_config file, and the known_hosts lines of a VPS.
 * The markers make `--install` idempotent: a second run replaces the block
 * it wrote (or one a user appended from the printed output) in place.
 */

/** The ssh host alias of VPS `taskId` (the block's `Host`, and its `HostKeyAlias`). */
export function sshAlias(taskId: string): string {
  return `hakuriver-${taskId}`;
}

/** The marker lines around the block of VPS `taskId`. */
export function blockMarkers(taskId: string): { begin: string; end: string } {
  return { begin: `# BEGIN hakuriver vps-${taskId}`, end: `# END hakuriver vps-${taskId}` };
}

/** What the block says. */
export interface HostBlockOptions {
  readonly taskId: string;
  readonly user: string;
  /** The ProxyCommand, already quoted for ssh (see `proxyCommand` in commands/ssh.ts). */
  readonly proxyCommand: string;
  /** Absolute path of the known_hosts file that holds (or will hold) the VPS's key. */
  readonly knownHostsFile: string;
  /**
   * Why the host key is not known, when it is not: the block then trusts
   * the key on first use (`accept-new`) and says so in a comment. Absent:
   * the key is in `knownHostsFile` and ssh checks it (`yes`).
   */
  readonly unknownHostKeyReason?: string;
  /** Absolute path of the private key to log in with; absent = ssh's defaults. */
  readonly identityFile?: string;
}

/**
 * A value for ssh_config: `%` doubled (ssh expands `%` tokens in paths and
 * commands) and double quotes around one with blanks.
 */
export function configValue(text: string): string {
  const escaped = text.replace(/%/g, "%%");
  return /[\s"]/.test(escaped) ? `"${escaped.replace(/"/g, "")}"` : escaped;
}

/** The block, markers included, ending in a newline. */
export function renderHostBlock(options: HostBlockOptions): string {
  const alias = sshAlias(options.taskId);
  const { begin, end } = blockMarkers(options.taskId);
  const lines = [
    `${begin} (hakuriver ssh-config ${options.taskId} --install replaces this block)`,
    `Host ${alias}`,
    `  HostName ${alias}`,
    `  User ${options.user}`,
    `  ProxyCommand ${options.proxyCommand}`,
    `  HostKeyAlias ${alias}`,
    `  UserKnownHostsFile ${configValue(options.knownHostsFile)}`,
  ];
  if (options.unknownHostKeyReason === undefined) {
    lines.push("  StrictHostKeyChecking yes");
  } else {
    lines.push(
      `  # The VPS's host key is not known (${options.unknownHostKeyReason.replace(/\n/g, " ")}):`,
      "  # the first login trusts the key it is shown and records it (accept-new).",
      "  StrictHostKeyChecking accept-new",
    );
  }
  if (options.identityFile !== undefined) lines.push(`  IdentityFile ${configValue(options.identityFile)}`, "  IdentitiesOnly yes");
  lines.push(end);
  return `${lines.join("\n")}\n`;
}

/** Where a line starts a `Host` or `Match` section (ssh_config keywords are case-insensitive). */
function isSectionStart(line: string): boolean {
  return /^\s*(host|match)(\s|=)/i.test(line);
}

/** What {@link upsertHostBlock} did. */
export interface UpsertResult {
  readonly text: string;
  readonly action: "added" | "replaced" | "unchanged";
  /**
   * Line numbers (1-based, in the result) of `Host` lines for the same alias
   * outside the markers: ssh takes the first value of each option, so such
   * a block (appended by hand, say) may override this one.
   */
  readonly strayHostLines: readonly number[];
}

/**
 * Puts `block` (from {@link renderHostBlock}) into ssh_config text: in place
 * of the marked block of the same task, else before the first `Host` or
 * `Match` section (ssh uses the first value it finds for each option, so a
 * `Host *` further down must not win), else at the end.
 */
export function upsertHostBlock(config: string, taskId: string, block: string): UpsertResult {
  const { begin, end } = blockMarkers(taskId);
  const lines = config === "" ? [] : config.replace(/\n$/, "").split("\n");
  const blockLines = block.replace(/\n$/, "").split("\n");
  const start = lines.findIndex((line) => line.trim().startsWith(begin) && /^(\s|\(|$)/.test(line.trim().slice(begin.length)));
  const stop = start < 0 ? -1 : lines.findIndex((line, at) => at > start && line.trim() === end);
  let next: string[];
  let action: UpsertResult["action"];
  if (start >= 0 && stop > start) {
    const before = lines.slice(start, stop + 1).join("\n");
    next = [...lines.slice(0, start), ...blockLines, ...lines.slice(stop + 1)];
    action = before === blockLines.join("\n") ? "unchanged" : "replaced";
  } else {
    const section = lines.findIndex(isSectionStart);
    next = section < 0
      ? [...lines, ...(lines.length > 0 && lines.at(-1)!.trim() !== "" ? [""] : []), ...blockLines]
      : [...lines.slice(0, section), ...blockLines, "", ...lines.slice(section)];
    action = "added";
  }
  const ours = next.indexOf(blockLines[0]!);
  const alias = sshAlias(taskId);
  const strayHostLines: number[] = [];
  next.forEach((line, at) => {
    const inOurs = at >= ours && at < ours + blockLines.length;
    const patterns = /^\s*host(?:\s+|\s*=\s*)(.*)$/i.exec(line)?.[1]?.trim().split(/\s+/) ?? [];
    if (!inOurs && patterns.includes(alias)) strayHostLines.push(at + 1);
  });
  return { text: `${next.join("\n")}\n`, action, strayHostLines };
}

/**
 * known_hosts text with every line for `alias` replaced by one `alias KEY`
 * line per key (none: the alias's lines are only removed, so a key
 * recorded for an earlier VPS of the same id cannot block a login).
 */
export function replaceKnownHosts(text: string, alias: string, keys: readonly string[]): string {
  const kept = text.split("\n").filter((line) => {
    if (line.trim() === "" || line.trimStart().startsWith("#")) return line.trim() !== "";
    const names = line.trim().split(/\s+/)[0]!.split(",");
    return !names.includes(alias);
  });
  const lines = [...kept, ...keys.map((key) => `${alias} ${key}`)];
  return lines.length === 0 ? "" : `${lines.join("\n")}\n`;
}
