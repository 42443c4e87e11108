/**
 * The Host's SSH jump host (network.host_ssh_jump_port), an SSH server made
 * with ssh2 that a stock OpenSSH client uses as a ProxyJump:
 * `ssh -J jump@HOST:PORT root@vps-ID`. It authenticates by public key (see
 * jump-access.ts for who may go where), serves only `direct-tcpip` to
 * `vps-ID:22`, and carries each such channel over the same runner-opened
 * tunnel stream as the raw-socket proxy, so VPSs behind NAT are reached.
 * The client's own SSH session to the VPS's sshd runs inside the channel:
 * the jump host never sees its keys or its bytes in clear.
 *
 * Connection states: connected (key exchange) → authenticating (at most
 * {@link MAX_AUTH_ATTEMPTS} tries within {@link LOGIN_GRACE_MS}) → ready
 * (channels are asked for; each is checked alone) → closed.
 */
import { createServer, type AddressInfo, type Server as NetServer, type Socket } from "node:net";
import type { Duplex } from "node:stream";
import type { Logger } from "pino";
import ssh2 from "ssh2";
import type { AuthContext, Connection, PublicKeyAuthContext, RejectConnection } from "ssh2";
import { blobType, fingerprintOf } from "../../shared/ssh-public-key.js";
import type { UserPrincipal } from "../auth/principal.js";
import type { SshKeyStore } from "../auth/ssh-key-store.js";
import type { NodeRegistry } from "../runners/node-registry.js";
import type { TaskRepo } from "../store/task-repo.js";
import type { TaskRecord } from "../tasks/task-record.js";
import { spliceTunnel, type TunnelMeter } from "../tunnels/splice.js";
import { TunnelOpenError, type RunnerTunnel, type TunnelBroker } from "../tunnels/tunnel-broker.js";
import { checkJump, OTHER_REFUSAL, parseJumpTarget, SESSION_REFUSAL, submittedWith, type JumpIdentity, type JumpRefusal } from "./jump-access.js";
import type { JumpHostKey } from "./jump-host-key.js";

const { Server, utils } = ssh2;

/** Authentication requests one connection may make (OpenSSH's MaxAuthTries is 6; agents hold several keys). */
export const MAX_AUTH_ATTEMPTS = 20;
/** How long a connection may take to log in (OpenSSH's LoginGraceTime is 120 s). */
export const LOGIN_GRACE_MS = 30_000;
/** SSH_OPEN_ADMINISTRATIVELY_PROHIBITED and SSH_OPEN_CONNECT_FAILED (RFC 4254 §5.1). */
const OPEN_FAILURE_CODE = { prohibited: 1, connect: 2 } as const;

/** What the jump host needs. */
export interface JumpHostDeps {
  readonly repo: Pick<TaskRepo, "get" | "listByStatus">;
  readonly nodes: Pick<NodeRegistry, "isOnline">;
  readonly broker: Pick<TunnelBroker, "open">;
  readonly keys: Pick<SshKeyStore, "findByBlob">;
  /** The user a registered key belongs to, with their role now; undefined when they no longer exist. */
  principalOf(user: string): UserPrincipal | undefined;
  readonly hostKey: JumpHostKey;
  readonly log: Logger;
  /** Records a login or a channel's outcome in the audit trail. */
  recordJump(entry: { actor: string; target: string; address: string; outcome: string; detail: string }): void;
  /** How long the runner may take to open the tunnel stream (default 15 s, as the raw proxy). */
  readonly connectTimeoutMs?: number;
  /** Hears of each relayed channel and its bytes (for /metrics); none = not counted. */
  readonly meter?: TunnelMeter;
}

/** A listening jump host. */
export interface JumpHost {
  readonly port: number;
  close(): Promise<void>;
}

/** The part of ssh2's connection that sends CHANNEL_OPEN_FAILURE (private in ssh2 1.17; see {@link refusalSender}). */
interface OpenFailSender {
  channelOpenFail(recipient: number, reason: number, description: string): void;
}

/**
 * Returns `refuse(reject, refusal)`, which rejects a channel with the
 * refusal's code and text. ssh2's public `reject()` sends an empty
 * description, and ssh shows the description ("open failed: administratively
 * prohibited: <text>"), so the connection's protocol object is wrapped to put
 * ours in: `refuse` sets it, calls `reject()` (which sends at once), and
 * clears it. Rejections ssh2 makes itself (agent, X11, streamlocal) get the
 * generic text. Should a later ssh2 move that method, refusals still happen,
 * with ssh's generic reason only (the e2e test would show it).
 */
function refusalSender(client: Connection, log: Logger): (reject: RejectConnection, refusal: JumpRefusal) => void {
  const protocol = (client as unknown as { _protocol?: Partial<OpenFailSender> })._protocol;
  const original = protocol?.channelOpenFail;
  let next: JumpRefusal | undefined;
  if (protocol && typeof original === "function") {
    protocol.channelOpenFail = (recipient, reason, description) => {
      const refusal = next ?? (description ? undefined : OTHER_REFUSAL);
      original.call(protocol, recipient, refusal ? OPEN_FAILURE_CODE[refusal.code] : reason, refusal?.message ?? description);
    };
  } else {
    log.warn("ssh2 has no channelOpenFail to wrap: jump refusals reach clients without their reason text");
  }
  return (reject, refusal) => {
    next = refusal;
    try {
      reject();
    } finally {
      next = undefined;
    }
  };
}

/** Who the offered key names: a registered key's user, or a key some running VPS was submitted with; undefined = unknown. */
async function identify(blob: Buffer, deps: JumpHostDeps): Promise<JumpIdentity | undefined> {
  const fingerprint = fingerprintOf(blob);
  const registered = deps.keys.findByBlob(blob);
  const principal = registered ? deps.principalOf(registered.user) : undefined;
  if (principal) return { fingerprint, principal };
  const active = await deps.repo.listByStatus(["running", "paused"]);
  return active.some((task) => task.kind === "vps" && submittedWith(task, fingerprint)) ? { fingerprint } : undefined;
}

/** Whether the signature over `ctx.blob` was made by the offered key. */
function signatureValid(ctx: PublicKeyAuthContext): boolean {
  const type = blobType(ctx.key.data);
  if (type === undefined || !ctx.blob || !ctx.signature) return false;
  const key = utils.parseKey(`${type} ${ctx.key.data.toString("base64")}`);
  if (key instanceof Error) return false;
  return key.verify(ctx.blob, ctx.signature, ctx.hashAlgo) === true;
}

/** One client connection: login, then channels. */
function serveClient(client: Connection, address: string, deps: JumpHostDeps): void {
  const { log } = deps;
  const refuse = refusalSender(client, log);
  let identity: JumpIdentity | undefined;
  let attempts = 0;
  let closed = false;
  const actor = () => identity?.principal?.user || (identity ? `key:${identity.fingerprint}` : "anonymous");
  const grace = setTimeout(() => {
    log.info({ address }, "jump login took too long; disconnecting");
    client.end();
  }, LOGIN_GRACE_MS);
  grace.unref();
  client.on("error", (error: Error) => log.debug({ address, err: error.message }, "jump connection error"));
  client.on("close", () => {
    closed = true;
    clearTimeout(grace);
  });
  client.on("authentication", (ctx: AuthContext) => {
    if (++attempts > MAX_AUTH_ATTEMPTS) {
      log.info({ address, attempts }, "too many jump login attempts; disconnecting");
      ctx.reject();
      client.end();
      return;
    }
    if (ctx.method !== "publickey") return ctx.reject(["publickey"]);
    void login(ctx).catch((error: unknown) => {
      log.error({ address, err: error instanceof Error ? error.message : String(error) }, "jump login check failed");
      ctx.reject(["publickey"]);
    });
  });
  const login = async (ctx: PublicKeyAuthContext) => {
    const found = await identify(ctx.key.data, deps);
    const fingerprint = fingerprintOf(ctx.key.data);
    if (!found) {
      log.info({ address, fingerprint, user: ctx.username }, "jump login refused: unknown key");
      if (ctx.signature) deps.recordJump({ actor: "anonymous", target: "", address, outcome: "refused", detail: `login: key ${fingerprint} is not known` });
      return ctx.reject(["publickey"]);
    }
    // Without a signature the client only asks whether the key would do (it signs next).
    if (!ctx.signature) return ctx.accept();
    if (!signatureValid(ctx)) {
      log.info({ address, fingerprint }, "jump login refused: bad signature");
      return ctx.reject(["publickey"]);
    }
    identity = found;
    ctx.accept();
  };
  client.on("ready", () => {
    clearTimeout(grace);
    log.info({ address, actor: actor() }, "jump login");
  });
  client.on("session", (_accept, reject) => {
    log.info({ address, actor: actor() }, "jump session channel refused");
    refuse(reject, SESSION_REFUSAL);
  });
  client.on("request", (_accept: unknown, reject: (() => void) | undefined) => reject?.());
  client.on("tcpip", (accept, reject, info) => {
    const asked = `${info.destIP}:${info.destPort}`;
    const deny = (refusal: JumpRefusal, target: string) => {
      deps.recordJump({ actor: actor(), target, address, outcome: "refused", detail: `${asked}: ${refusal.message}`.slice(0, 300) });
      refuse(reject, refusal);
    };
    const parsed = parseJumpTarget(info.destIP, info.destPort);
    if (typeof parsed !== "string") return deny(parsed, "");
    void (async () => {
      const checked = identity ? checkJump(identity, parsed, await deps.repo.get(Number(parsed)), { nodeOnline: (node) => deps.nodes.isOnline(node) }) : OTHER_REFUSAL;
      if ("code" in checked) return deny(checked, parsed);
      const tunnel = await openTunnel(checked, deps).catch((error: unknown) => tunnelRefusal(error, checked, log));
      if ("code" in tunnel) return deny(tunnel, parsed);
      if (closed) return void tunnel.outbox.end(true);
      const channel = accept();
      deps.recordJump({ actor: actor(), target: parsed, address, outcome: "ok", detail: `${asked} via node ${checked.assignedNode}` });
      log.info({ address, actor: actor(), taskId: parsed, tunnelId: tunnel.tunnelId }, "jump channel opened");
      await spliceTunnel(channel as Duplex, tunnel, undefined, deps.meter);
      log.info({ taskId: parsed, tunnelId: tunnel.tunnelId }, "jump channel closed");
    })().catch((error: unknown) => {
      log.error({ address, err: error instanceof Error ? error.message : String(error) }, "jump channel failed");
      deny({ code: "connect", message: "internal error of the jump host (see the Host's log)" }, parsed);
    });
  });
}

function openTunnel(task: TaskRecord, deps: JumpHostDeps): Promise<RunnerTunnel> {
  return deps.broker.open(task.assignedNode!, String(task.taskId), task.sshPort, deps.connectTimeoutMs ?? 15_000);
}

/** The raw proxy's messages, for the jump host's channel refusals. */
function tunnelRefusal(error: unknown, task: TaskRecord, log: Logger): JumpRefusal {
  const reason = error instanceof TunnelOpenError ? error.reason : "failed";
  const id = task.taskId;
  log.warn({ taskId: id, node: task.assignedNode, err: error instanceof Error ? error.message : String(error) }, "jump tunnel open failed");
  if (reason === "timeout") return { code: "connect", message: `timeout connecting to the runner of VPS ${id}` };
  if (reason === "offline") return { code: "connect", message: `node ${task.assignedNode} of VPS ${id} is not online` };
  if (reason === "refused") return { code: "connect", message: `connection refused by VPS ${id} on node ${task.assignedNode} (is its sshd running?)` };
  return { code: "connect", message: `failed to connect to the runner of VPS ${id}` };
}

/** Starts the jump host on `host:port` (0 = a free port) and resolves once it listens. */
export async function startJumpHost(host: string, port: number, deps: JumpHostDeps): Promise<JumpHost> {
  const ssh = new Server({ hostKeys: [deps.hostKey.privateKey], ident: "HakuRiver_jump", keepaliveInterval: 15_000, keepaliveCountMax: 4 });
  ssh.on("connection", (client: Connection, info: { ip: string }) => {
    try {
      serveClient(client, info.ip ?? "", deps);
    } catch (error) {
      deps.log.error({ err: error instanceof Error ? error.message : String(error) }, "jump connection setup failed");
      client.end();
    }
  });
  ssh.on("error", (error: Error) => deps.log.warn({ err: error.message }, "jump host error"));
  // Our own listener, so sockets get no-delay (logins are round trips) and close() can end them.
  const sockets = new Set<Socket>();
  const server: NetServer = createServer((socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    socket.once("close", () => sockets.delete(socket));
    socket.on("error", () => {});
    ssh.injectSocket(socket);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
