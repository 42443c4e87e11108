/**
 * `hakuriver ssh ID`, `hakuriver ssh-proxy ID` and `hakuriver ssh-config ID`.
 * Logins go through the Host's SSH proxy, so they work when the runner is
 * behind NAT: `ssh-proxy` speaks the proxy's REQUEST_TUNNEL protocol over
 * stdio, as an OpenSSH ProxyCommand; `ssh` runs the system `ssh` with that
 * ProxyCommand; `ssh-config` prints (or installs) a `Host hakuriver-<id>`
 * block so plain `ssh`, `scp`, `sftp` and editors' remote plugins use it too
 * (see ssh-config-install.ts).
 *
 * The ProxyCommand runs this module directly (see the end of the file): it
 * imports no gRPC code, so a login does not wait for the whole CLI to load.
 */
import { spawn } from "node:child_process";
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { connect, type Socket } from "node:net";
import { constants } from "node:os";
import type { Argv } from "yargs";
import { envNameOf } from "../../shared/config.js";
import { loadConfig } from "../../shared/config-file.js";
import { SETTINGS } from "../../shared/config-schema.js";
import { invalidArgument } from "../../shared/errors.js";
import { resolveHostAddress } from "../../shared/host-address.js";
import { configValue } from "../../shared/ssh-config-block.js";
import type { GlobalArgs } from "../context.js";

interface SshArgs extends GlobalArgs {
  id: string;
  user?: string;
  "proxy-port"?: number;
  "--"?: string[];
}

/** `ssh-config`'s options. */
export interface SshConfigArgs extends SshArgs {
  install?: boolean;
  "identity-file"?: string;
  /** Through the Host's SSH jump host (ProxyJump) instead of the ProxyCommand (see ssh-jump-config.ts). */
  jump?: boolean;
  "jump-port"?: number;
  "jump-identity-file"?: string;
}

/** Where to reach the proxy, and the token to present. */
interface ProxyTarget {
  readonly hostAddress: string;
  readonly host: string;
  readonly port: number;
  readonly token: string;
}

/** The host part of `ADDR:PORT`, `[v6]:PORT` or a URL. */
function hostOf(address: string): string {
  const text = address.trim().replace(/^https?:\/\//, "").replace(/\/.*$/, "");
  const host = /^\[([^\]]+)\]/.exec(text)?.[1] ?? text.replace(/:\d+$/, "");
  return host === "" ? "127.0.0.1" : host;
}

/**
 * The proxy's address and the token to present: auth.token when set, else
 * the Host's entry in ~/.hakuriver/credentials. That module is imported only
 * then, as it loads the gRPC transport: `hakuriver ssh` hands its token to
 * the ProxyCommand in HAKURIVER_AUTH_TOKEN, so that path never needs it.
 * The port: --proxy-port, else the one the Host reports (DescribeCluster;
 * the gRPC client loads only then: the ProxyCommand `ssh` and `ssh-config`
 * write always names the port), else network.host_ssh_proxy_port.
 */
async function proxyTarget(args: SshArgs): Promise<ProxyTarget> {
  const config = loadConfig(args.config, {});
  const hostAddress = resolveHostAddress(args.host, config);
  const host = hostOf(hostAddress);
  const port = args["proxy-port"] ?? (await (await import("../cluster-ports.js")).resolveSshProxyPort(args, undefined, config.hostSshProxyPort));
  const token = config.token || (await import("../client-credential.js")).resolveClientCredential(config, hostAddress).token;
  return { hostAddress, host, port, token };
}

function checkId(id: unknown): string {
  const text = String(id);
  if (!/^\d+$/.test(text)) throw invalidArgument(`"${text}" is not a task id`);
  return text;
}

/** auth.token, whose environment name carries `hakuriver ssh`'s token to its ProxyCommand. */
const TOKEN_SETTING = SETTINGS.find((spec) => spec.section === "auth" && spec.key === "token")!;

/** A refused tunnel: the Host's text after `ERROR `. */
class ProxyRefused extends Error {}

/** Sends the request line; resolves with the socket (paused) and the bytes after `SUCCESS\n`. */
function openTunnel(target: ProxyTarget, taskId: string, timeoutMs = 15_000): Promise<{ socket: Socket; head: Buffer }> {
  const where = `${target.host}:${target.port}`;
  return new Promise((resolve, reject) => {
    const socket = connect({ host: target.host, port: target.port, allowHalfOpen: true });
    let buffered = Buffer.alloc(0);
    const fail = (error: Error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(error);
    };
    const timer = setTimeout(() => fail(new Error(`timeout communicating with the SSH proxy at ${where}`)), timeoutMs);
    socket.once("connect", () => {
      socket.setNoDelay(true);
      socket.write(`REQUEST_TUNNEL ${taskId}${target.token ? ` ${target.token}` : ""}\n`);
    });
    socket.on("error", (error: NodeJS.ErrnoException) =>
      fail(new Error(error.code === "ECONNREFUSED" ? `connection refused by the SSH proxy at ${where} (is the Host running? see --proxy-port / network.host_ssh_proxy_port)` : `SSH proxy at ${where}: ${error.message}`)),
    );
    const onEnd = () => fail(new Error(`the SSH proxy at ${where} closed the connection without a reply`));
    socket.once("end", onEnd);
    const onData = (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      const newline = buffered.indexOf(0x0a);
      if (newline < 0) return void (buffered.length > 4096 && fail(new Error("unexpected response from the SSH proxy")));
      const line = buffered.subarray(0, newline).toString("utf8").replace(/\r$/, "");
      clearTimeout(timer);
      socket.off("data", onData);
      socket.off("end", onEnd);
      socket.pause();
      if (line.startsWith("SUCCESS")) return resolve({ socket, head: buffered.subarray(newline + 1) });
      socket.destroy();
      reject(line.startsWith("ERROR ") ? new ProxyRefused(line.slice(6)) : new Error(`unexpected response from the SSH proxy: ${JSON.stringify(line.slice(0, 100))}`));
    };
    socket.on("data", onData);
  });
}

/** Relays stdin ↔ socket with back-pressure until the remote side ended (or both halves closed). */
function relayStdio(socket: Socket, head: Buffer): Promise<void> {
  return new Promise((resolve) => {
    if (head.length > 0) process.stdout.write(head);
    socket.pipe(process.stdout, { end: false });
    socket.once("end", () => resolve());
    socket.once("close", () => resolve());
    process.stdin.pipe(socket, { end: false });
    process.stdin.once("end", () => socket.end());
    socket.resume();
  });
}

async function sshProxy(args: SshArgs): Promise<number> {
  const taskId = checkId(args.id);
  let tunnel: { socket: Socket; head: Buffer };
  try {
    tunnel = await openTunnel(await proxyTarget(args), taskId);
  } catch (error) {
    // ssh shows a ProxyCommand's stderr: say why, in one line.
    console.error(`hakuriver ssh-proxy: ${error instanceof Error ? error.message : String(error)}`);
    return 255;
  }
  await relayStdio(tunnel.socket, tunnel.head);
  process.stdin.unpipe(tunnel.socket);
  process.stdin.destroy();
  tunnel.socket.destroy();
  return 0;
}

/** Quotes a word for the POSIX shell ssh runs a ProxyCommand with; `%` is doubled for ssh's own expansion. */
function shellWord(word: string): string {
  const quoted = /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
  return quoted.replace(/%/g, "%%");
}

/** The ProxyCommand that runs this CLI's `ssh-proxy` for task `taskId`. */
export function proxyCommand(taskId: string, target: ProxyTarget, config?: string): string {
  const words = [process.execPath, fileURLToPath(import.meta.url), taskId, "--host", target.hostAddress, "--proxy-port", String(target.port)];
  if (config) words.push("--config", config);
  return words.map(shellWord).join(" ");
}

/** Options of `ssh` that take a value (so `-i KEY` stays before the destination). */
const VALUE_OPTIONS = new Set("BbcDEeFIiJLlmOoPpQRSWw".split(""));

/** Splits extra ssh words into options (before the destination) and the remote command (after it). */
export function splitSshArgs(extra: readonly string[]): { options: string[]; command: string[] } {
  const options: string[] = [];
  let i = 0;
  while (i < extra.length && extra[i]!.startsWith("-") && extra[i] !== "--") {
    const word = extra[i++]!;
    options.push(word);
    const letter = word.slice(-1);
    if (/^-[A-Za-z46]+$/.test(word) && VALUE_OPTIONS.has(letter) && i < extra.length) options.push(extra[i++]!);
  }
  if (extra[i] === "--") i++;
  return { options, command: extra.slice(i) };
}

/**
 * `hakuriver ssh ID`: the system ssh through the Host, checking the VPS's
 * host key against the one its runner reported (recorded in
 * ~/.hakuriver/known_hosts under the alias `hakuriver-ID`, as ssh-config
 * does); only when that key is unknown does ssh trust the first key, and a
 * warning says so.
 */
async function ssh(args: SshArgs): Promise<number> {
  const taskId = checkId(args.id);
  const target = await proxyTarget(args);
  const { options, command } = splitSshArgs((args["--"] ?? []).map(String));
  // Only now the gRPC client loads (the task's host keys); ssh-proxy never needs it.
  const { recordHostKeys } = await import("../ssh-config-install.js");
  const keys = await recordHostKeys(args, taskId);
  const argv = [
    "-o", `ProxyCommand=${proxyCommand(taskId, target, args.config)}`,
    "-o", `UserKnownHostsFile=${configValue(keys.knownHostsFile)}`,
    "-o", `StrictHostKeyChecking=${keys.unknownReason === undefined ? "yes" : "accept-new"}`,
    "-o", `HostKeyAlias=hakuriver-${taskId}`,
    "-l", args.user ?? "root",
    ...options,
    `hakuriver-${taskId}`,
    ...command,
  ];
  return new Promise<number>((resolve) => {
    // The token reaches the ProxyCommand in its environment, never on a command line (ps would show it).
    const env = target.token ? { ...process.env, [envNameOf(TOKEN_SETTING)]: target.token } : process.env;
    const child = spawn("ssh", argv, { stdio: "inherit", env });
    child.once("error", (error: NodeJS.ErrnoException) => {
      console.error(error.code === "ENOENT" ? "error: the ssh client is not installed (install openssh-client)" : `error: cannot run ssh: ${error.message}`);
      resolve(127);
    });
    child.once("exit", (code, signal) => resolve(code ?? (signal ? 128 + (constants.signals[signal] ?? 1) : 255)));
  });
}

async function sshConfig(args: SshConfigArgs): Promise<number> {
  const taskId = checkId(args.id);
  if (args.jump) return (await import("../ssh-jump-config.js")).writeJumpSshConfig(args, taskId);
  const target = await proxyTarget(args);
  // Only this command needs the task (its host keys): the gRPC client loads here, not for ssh-proxy.
  const { writeSshConfig } = await import("../ssh-config-install.js");
  return writeSshConfig(args, taskId, proxyCommand(taskId, target, args.config), target.hostAddress);
}

/** Registers `ssh`, `ssh-proxy` and `ssh-config`. */
export function sshCommands(y: Argv<GlobalArgs>, run: (fn: () => Promise<number>) => Promise<void>): Argv<GlobalArgs> {
  const common = <T>(s: Argv<T>) =>
    s
      .positional("id", { type: "string", demandOption: true, describe: "VPS task id" })
      .option("proxy-port", { type: "number", describe: "the Host's SSH proxy port (default: the port the Host reports, else network.host_ssh_proxy_port)" });
  return y
    .command(
      "ssh <id>",
      "log in to a VPS with the system ssh, through the Host: hakuriver ssh ID [-- SSH-OPTIONS [COMMAND...]]",
      (s) => common(s).option("user", { type: "string", default: "root", describe: "login user" }),
      (a) => run(() => ssh(a)),
    )
    .command("ssh-proxy <id>", "relay stdio to a VPS's sshd through the Host (an OpenSSH ProxyCommand)", (s) => common(s), (a) => run(() => sshProxy(a)))
    .command(
      "ssh-config <id>",
      "print (or --install into ~/.ssh/config) a Host block, so ssh/scp/sftp hakuriver-ID work, checking the VPS's host key",
      (s) =>
        common(s)
          .option("user", { type: "string", default: "root", describe: "login user" })
          .option("install", { type: "boolean", describe: "add or replace the block in ~/.ssh/config (creating ~/.ssh 0700 and the file 0600) instead of printing it" })
          .option("identity-file", { type: "string", describe: "private key for IdentityFile (default: the one beside the public key `vps submit` sent, when known)" })
          .option("jump", { type: "boolean", describe: "reach the VPS through the Host's SSH jump host (ProxyJump jump@HOST:PORT; port and key asked of the Host) instead of a hakuriver ProxyCommand" })
          .option("jump-port", { type: "number", describe: "with --jump: the jump host's port (default: what the Host says)" })
          .option("jump-identity-file", { type: "string", describe: "with --jump: private key for the jump hop (a key registered with hakuriver key add; default: --identity-file's)" }),
      (a) => run(() => sshConfig(a)),
    );
}

/** `node ssh.js ID --host ADDR --proxy-port PORT [--config FILE]`: the ProxyCommand fast path. */
async function proxyMain(argv: readonly string[]): Promise<number> {
  const flag = (name: string) => {
    const at = argv.indexOf(name);
    return at >= 0 ? argv[at + 1] : undefined;
  };
  const port = flag("--proxy-port");
  try {
    return await sshProxy({ id: argv[0] ?? "", host: flag("--host"), config: flag("--config"), ...(port ? { "proxy-port": Number(port) } : {}) });
  } catch (error) {
    console.error(`hakuriver ssh-proxy: ${error instanceof Error ? error.message : String(error)}`);
    return 2;
  }
}

if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await proxyMain(process.argv.slice(2));
}
