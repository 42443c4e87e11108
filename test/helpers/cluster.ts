/**
 * End-to-end test helpers: real Host and Runner processes on loopback with
 * temp dirs, and the CLI run as a user types it. Every process started here
 * is killed by `cleanup()`.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createClient, type Client } from "@connectrpc/connect";
import { ClientService } from "../../gen/hakuriver/v1/client_pb.js";
import { NodeStatus } from "../../gen/hakuriver/v1/types_pb.js";
import { createHostTransport } from "../../src/shared/transport.js";

/** The compiled CLI entry. */
export const CLI = fileURLToPath(new URL("../../src/bin/hakuriver.js", import.meta.url));
/** The compiled hakurun entry. */
export const HAKURUN = fileURLToPath(new URL("../../src/bin/hakurun.js", import.meta.url));

/** Environment for fast tests: 200 ms heartbeats, offline after 1.5 s. */
export const FAST_TIMING: Record<string, string> = {
  HAKURIVER_TIMING_HEARTBEAT_INTERVAL: "0.2",
  HAKURIVER_TIMING_HEARTBEAT_TIMEOUT_FACTOR: "7.5",
  HAKURIVER_TIMING_CLEANUP_CHECK_INTERVAL: "0.2",
  HAKURIVER_RUNNER_BACKOFF_MS: "200",
  HAKURIVER_LOG_LEVEL: "warn",
};

/** Result of a CLI run. */
export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** A running process with its collected output. */
export interface Proc {
  readonly child: ChildProcess;
  output(): string;
  /** Resolves when the process exited. */
  readonly exited: Promise<number | null>;
}

function startProc(args: string[], env: Record<string, string>, runner?: string[], nodeArgs: readonly string[] = []): Proc {
  const command = runner ? runner[0]! : process.execPath;
  const argv = runner ? [...runner.slice(1), process.execPath, ...nodeArgs, CLI, ...args] : [...nodeArgs, CLI, ...args];
  const child = spawn(command, argv, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, output: () => out, exited };
}

/** A test cluster: a temp dir, a Host, runners, and a client. */
export class TestCluster {
  readonly dir = mkdtempSync(join(tmpdir(), "hakuriver-test-"));
  readonly sharedDir = join(this.dir, "shared");
  readonly dbFile = join(this.dir, "host.db");
  private readonly procs = new Set<Proc>();
  host: Proc | undefined;
  port = 0;
  /** Address the Host binds and clients and runners dial (a test's veth end for runners behind NAT). */
  hostIp = "127.0.0.1";
  /** The Host's SSH proxy port (a free one unless startHost's extraArgs name one). */
  sshProxyPort = 0;
  /** The Host's SSH jump host port (a free one unless startHost's extraArgs name one). */
  sshJumpPort = 0;
  private clientCache: Client<typeof ClientService> | undefined;
  /** The admin token the Host wrote on its first start (CLI calls and `client` use it). */
  adminToken = "";
  /** The runner join token the Host wrote on its first start (runners use it). */
  joinToken = "";

  constructor(readonly env: Record<string, string> = FAST_TIMING) {}

  /** `127.0.0.1:PORT` of the Host (`hostIp:PORT`). */
  get address(): string {
    return `${this.hostIp}:${this.port}`;
  }

  /** A gRPC client of the Host. */
  get client(): Client<typeof ClientService> {
    this.clientCache ??= createClient(ClientService, createHostTransport(this.address, { token: this.adminToken }));
    return this.clientCache;
  }

  /** Options for node itself when it runs the Host (e.g. `--cpu-prof` in a benchmark). */
  hostNodeArgs: readonly string[] = [];

  /** Starts the Host (on `port`, 0 = a free one) and waits until it listens. */
  async startHost(port = 0, extraArgs: string[] = []): Promise<Proc> {
    // A free SSH proxy port by default, so Hosts of parallel tests never collide on 8002.
    const proxyArgs = [
      ...(extraArgs.includes("--ssh-proxy-port") ? [] : ["--ssh-proxy-port", "0"]),
      ...(extraArgs.includes("--ssh-jump-port") ? [] : ["--ssh-jump-port", "0"]),
    ];
    const proc = startProc(["host", "--bind", this.hostIp, "--port", String(port), "--db", this.dbFile, "--shared-dir", this.sharedDir, ...proxyArgs, ...extraArgs], this.env, undefined, this.hostNodeArgs);
    this.procs.add(proc);
    this.host = proc;
    const deadline = Date.now() + 20_000;
    for (;;) {
      // The whole line (up to its newline), so the SSH proxy port is in it too.
      const match = /listening on [^:]+:(\d+)[^\n]*\n/.exec(proc.output());
      if (match) {
        this.port = Number(match[1]);
        this.sshProxyPort = Number(/ssh proxy on (\d+)/.exec(proc.output())?.[1] ?? 0);
        this.sshJumpPort = Number(/ssh jump on (\d+)/.exec(proc.output())?.[1] ?? 0);
        break;
      }
      if (proc.child.exitCode !== null || Date.now() > deadline) throw new Error(`host did not start:\n${proc.output()}`);
      await sleep(50);
    }
    // The state dir is the db file's directory; a restarted Host keeps the first start's tokens.
    const stateDir = dirname(this.dbFile);
    const adminFile = join(stateDir, "admin.token");
    if (existsSync(adminFile)) {
      this.adminToken = readFileSync(adminFile, "utf8").trim();
      this.joinToken = readFileSync(join(stateDir, "join.token"), "utf8").trim();
    }
    this.clientCache = undefined;
    return proc;
  }

  /** Starts a runner named `name` and waits until its node is online. */
  async startRunner(name: string, options: { env?: Record<string, string>; wrapper?: string[]; wait?: boolean; sharedDir?: string; localTempDir?: string; hostAddress?: string } = {}): Promise<Proc> {
    const proc = startProc(
      // hostAddress: where this runner dials (a Host bound to 0.0.0.0 is reached at each namespace's own veth end).
      ["runner", "--host", options.hostAddress ?? this.address, "--name", name, "--shared-dir", options.sharedDir ?? this.sharedDir, "--local-temp-dir", options.localTempDir ?? join(this.dir, `temp-${name}`)],
      { HAKURIVER_AUTH_JOIN_TOKEN: this.joinToken, ...this.env, ...options.env },
      options.wrapper,
    );
    this.procs.add(proc);
    if (options.wait !== false) await this.waitForNode(name, "online", 20_000, proc);
    return proc;
  }

  /** Waits until the node has the given status. */
  async waitForNode(name: string, status: "online" | "offline", timeoutMs = 20_000, proc?: Proc): Promise<void> {
    const want = status === "online" ? NodeStatus.ONLINE : NodeStatus.OFFLINE;
    await waitUntil(async () => {
      const { nodes } = await this.client.listNodes({}).catch(() => ({ nodes: [] }));
      return nodes.some((n) => n.name === name && n.status === want);
    }, timeoutMs, () => `node ${name} never became ${status}\n${proc?.output() ?? ""}`);
  }

  /** The environment a CLI process needs to reach this cluster as the admin (or as `env` says). */
  cliEnv(env: Record<string, string> = {}): Record<string, string> {
    return { HAKURIVER_HOST: this.address, HAKURIVER_AUTH_TOKEN: this.adminToken, ...env };
  }

  /** Runs the CLI against this cluster, as the admin unless `env` names another token, and collects its output. */
  cli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
    return runCli(args, this.cliEnv(env));
  }

  /** Kills a process the hard way. */
  kill(proc: Proc, signal: NodeJS.Signals = "SIGKILL"): Promise<number | null> {
    proc.child.kill(signal);
    return proc.exited;
  }

  /** Stops every process and removes the temp dir. */
  async cleanup(): Promise<void> {
    for (const proc of this.procs) {
      if (proc.child.exitCode === null && proc.child.signalCode === null) {
        proc.child.kill("SIGTERM");
        const timer = setTimeout(() => proc.child.kill("SIGKILL"), 5000);
        await proc.exited;
        clearTimeout(timer);
      }
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * Runs the CLI with the given env additions. A run still going after
 * `timeoutMs` is killed and reported (code -1, "timed out" on stderr), so a
 * hang fails one test with its command line instead of stalling the file.
 */
export function runCli(args: string[], env: Record<string, string> = {}, input?: string, timeoutMs = 120_000): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.stdin.end(input ?? "");
    const timer = setTimeout(() => {
      stderr += `\n[test helper] timed out after ${timeoutMs} ms: hakuriver ${args.join(" ")}`;
      child.kill("SIGKILL");
    }, timeoutMs);
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

/** Sleeps. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `check` every 100 ms until it is true; throws with `describe()` after the timeout. */
export async function waitUntil(check: () => Promise<boolean> | boolean, timeoutMs: number, describe: () => string = () => "condition"): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${describe()}`);
    await sleep(100);
  }
}

/** The task id of a `--json` submit's output. */
export function submittedIds(stdout: string): string[] {
  const parsed = JSON.parse(stdout) as { tasks: { taskId: string }[] };
  return parsed.tasks.map((t) => t.taskId);
}
