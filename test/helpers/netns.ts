/**
 * A node "behind NAT" for end-to-end tests: a network namespace joined to
 * the root namespace by a veth pair in a private /30 the test picks, where
 * new inbound connections on the veth are dropped (it can dial out to the
 * Host's address; nothing can dial in), plus its own Docker engine started
 * inside it (an engine publishes ports in its own namespace). Everything is
 * removed by `destroy()`. See MACHINE.md: dockerd must be started with
 * `nsenter --net=...`, not `ip netns exec` (which remounts /sys).
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** Runs a command; rejects with its stderr on failure. */
export async function sh(command: string, args: readonly string[], options: { timeoutMs?: number } = {}): Promise<string> {
  try {
    const { stdout } = await run(command, [...args], { timeout: options.timeoutMs ?? 120_000, maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    throw new Error(`${command} ${args.join(" ")} failed: ${e.stderr?.trim() || e.message}`);
  }
}

/** Why the NAT tests cannot run here, or undefined when they can. */
export async function natUnsupported(): Promise<string | undefined> {
  if (process.getuid?.() !== 0) return "needs root (ip netns, dockerd)";
  for (const tool of ["ip", "nsenter", "dockerd", "docker", "iptables", "ssh", "scp", "ssh-keygen"]) {
    const found = await sh("sh", ["-c", `command -v ${tool}`]).catch(() => "");
    if (found.trim() === "") return `${tool} is not installed`;
  }
  return undefined;
}

/** A namespace with a veth link to the root namespace and its own dockerd. */
export class NatNode {
  readonly name: string;
  /** Address of the root namespace's end (where the Host listens). */
  readonly hostIp: string;
  /** Address of the namespace's end. */
  readonly nodeIp: string;
  readonly dir: string;
  readonly dockerSocket: string;
  private dockerd: ChildProcess | undefined;
  private readonly vethRoot: string;
  private readonly vethNode: string;
  private readonly bip: string;

  private constructor() {
    const tag = `${process.pid.toString(36)}${Math.floor(Math.random() * 36 ** 3).toString(36)}`.slice(-7);
    this.name = `hrnat-${tag}`;
    this.vethRoot = `hr${tag}a`;
    this.vethNode = `hr${tag}b`;
    const a = 100 + Math.floor(Math.random() * 100);
    const b = Math.floor(Math.random() * 63) * 4;
    this.hostIp = `10.${a}.${b}.1`;
    this.nodeIp = `10.${a}.${b}.2`;
    this.bip = `10.${a + 1}.${Math.floor(Math.random() * 250)}.1/24`;
    this.dir = mkdtempSync("/tmp/hrnat-");
    this.dockerSocket = join(this.dir, "docker.sock");
  }

  /** `nsenter` prefix that runs a command inside the namespace. */
  get wrapper(): string[] {
    return ["nsenter", `--net=/var/run/netns/${this.name}`];
  }

  /** `unix://` address of the namespace's engine. */
  get dockerHost(): string {
    return `unix://${this.dockerSocket}`;
  }

  /** Creates the namespace, the link and the inbound-drop rule. */
  static async create(): Promise<NatNode> {
    const node = new NatNode();
    const ns = ["-n", node.name];
    await sh("ip", ["netns", "add", node.name]);
    await sh("ip", ["link", "add", node.vethRoot, "type", "veth", "peer", "name", node.vethNode]);
    await sh("ip", ["link", "set", node.vethNode, "netns", node.name]);
    await sh("ip", ["addr", "add", `${node.hostIp}/30`, "dev", node.vethRoot]);
    await sh("ip", ["link", "set", node.vethRoot, "up"]);
    await sh("ip", [...ns, "addr", "add", `${node.nodeIp}/30`, "dev", node.vethNode]);
    await sh("ip", [...ns, "link", "set", node.vethNode, "up"]);
    await sh("ip", [...ns, "link", "set", "lo", "up"]);
    // The NAT property: replies to connections the node opened pass; new inbound connections do not.
    await sh("nsenter", [...node.wrapper, "iptables", "-I", "INPUT", "-i", node.vethNode, "-m", "conntrack", "--ctstate", "NEW", "-j", "DROP"]);
    return node;
  }

  /** Starts the namespace's own dockerd and waits until it answers. */
  async startDocker(timeoutMs = 60_000): Promise<void> {
    const args = [
      ...this.wrapper.slice(1), "setsid", "dockerd",
      "--data-root", join(this.dir, "data"), "--exec-root", join(this.dir, "exec"), "--pidfile", join(this.dir, "docker.pid"),
      "-H", this.dockerHost, "--bip", this.bip,
    ];
    this.dockerd = spawn("nsenter", args, { stdio: ["ignore", "ignore", "pipe"] });
    let log = "";
    this.dockerd.stderr!.on("data", (d: Buffer) => (log = (log + d.toString()).slice(-4000)));
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const ok = await sh("docker", ["-H", this.dockerHost, "version", "--format", "{{.Server.Version}}"], { timeoutMs: 5000 }).then(() => true, () => false);
      if (ok) return;
      if (this.dockerd.exitCode !== null || Date.now() > deadline) throw new Error(`dockerd in ${this.name} did not start:\n${log}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  /** Copies `image` from the root engine into the namespace's engine as `as`. */
  async loadImage(image: string, as: string): Promise<void> {
    await sh("sh", ["-c", `docker save "$0" | docker -H "$1" load`, image, this.dockerHost], { timeoutMs: 300_000 });
    await sh("docker", ["-H", this.dockerHost, "tag", image, as]);
  }

  /** `docker -H <this engine> ...`. */
  docker(args: readonly string[]): Promise<string> {
    return sh("docker", ["-H", this.dockerHost, ...args]);
  }

  /** Removes containers, stops dockerd, deletes the namespace, the link and the directory. */
  async destroy(): Promise<void> {
    if (this.dockerd) {
      const ids = (await this.docker(["ps", "-aq"]).catch(() => "")).split(/\s+/).filter(Boolean);
      if (ids.length > 0) await this.docker(["rm", "-f", ...ids]).catch(() => "");
    }
    const pidFile = join(this.dir, "docker.pid");
    const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, "utf8")) : this.dockerd?.pid;
    if (pid && alive(pid)) {
      process.kill(pid, "SIGTERM");
      const deadline = Date.now() + 20_000;
      while (alive(pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
      if (alive(pid)) process.kill(pid, "SIGKILL");
    }
    await sh("ip", ["netns", "del", this.name]).catch(() => "");
    await sh("ip", ["link", "del", this.vethRoot]).catch(() => "");
    await sh("sh", ["-c", `grep -o " $0[^ ]*" /proc/mounts | xargs -r -n1 umount -l`, this.dir]).catch(() => "");
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
