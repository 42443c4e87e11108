/**
 * The Host's raw-socket SSH proxy (network.host_ssh_proxy_port). It keeps
 * the original's wire lines: the client sends `REQUEST_TUNNEL <task_id>\n`
 * (we accept an optional ` <token>`), the Host answers `SUCCESS\n` or
 * `ERROR <message>\n`, then relays bytes. Unlike the original, the Host never
 * dials the runner: it asks the runner over its control stream to open a
 * tunnel stream back, so runners behind NAT work.
 */
import { createServer, type AddressInfo, type Server, type Socket } from "node:net";
import type { Logger } from "pino";
import type { NodeRegistry } from "../runners/node-registry.js";
import type { TaskRepo } from "../store/task-repo.js";
import type { UserPrincipal } from "../auth/principal.js";
import { checkTunnelRequest, parseTunnelRequest } from "./tunnel-request.js";
import { TunnelOpenError, type RunnerTunnel, type TunnelBroker } from "./tunnel-broker.js";
import { spliceTunnel, type TunnelMeter } from "./splice.js";

/** What the proxy needs. */
export interface SshProxyDeps {
  readonly repo: TaskRepo;
  readonly nodes: NodeRegistry;
  readonly broker: TunnelBroker;
  readonly log: Logger;
  /** Who a request line's token names (with the connection's address), or why it is refused. */
  authenticate(token: string, address: string): Promise<UserPrincipal | string>;
  /** Records a tunnel request's outcome in the audit trail. */
  recordTunnel(entry: { actor: string; taskId: string; address: string; outcome: string; detail: string }): void;
  /** How long a client may take to send its request line (default 10 s, as the original). */
  readonly requestTimeoutMs?: number;
  /** How long the runner may take to open the tunnel stream (default 15 s, as the original). */
  readonly connectTimeoutMs?: number;
  /** Hears of each relayed session and its bytes (for /metrics); none = not counted. */
  readonly meter?: TunnelMeter;
}

/** A listening proxy. */
export interface SshProxy {
  readonly port: number;
  close(): Promise<void>;
}

const MAX_LINE_BYTES = 1024;

/** Reads one `\n`-terminated line; resolves with the line and any bytes after it. */
function readLine(socket: Socket, timeoutMs: number): Promise<{ line: string; rest: Buffer } | "timeout" | "closed" | "too-long"> {
  return new Promise((resolve) => {
    let buffered = Buffer.alloc(0);
    const done = (value: { line: string; rest: Buffer } | "timeout" | "closed" | "too-long") => {
      clearTimeout(timer);
      socket.off("data", onData);
      socket.off("end", onEnd);
      socket.off("close", onEnd);
      socket.pause();
      resolve(value);
    };
    const onData = (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      const newline = buffered.indexOf(0x0a);
      if (newline >= 0) done({ line: buffered.subarray(0, newline).toString("latin1"), rest: buffered.subarray(newline + 1) });
      else if (buffered.length > MAX_LINE_BYTES) done("too-long");
    };
    const onEnd = () => done("closed");
    const timer = setTimeout(() => done("timeout"), timeoutMs);
    socket.on("data", onData);
    socket.once("end", onEnd);
    socket.once("close", onEnd);
  });
}

function refuse(socket: Socket, message: string): void {
  socket.end(`ERROR ${message}\n`);
  setTimeout(() => socket.destroy(), 2000).unref();
}

async function serve(socket: Socket, deps: SshProxyDeps): Promise<void> {
  const read = await readLine(socket, deps.requestTimeoutMs ?? 10_000);
  if (read === "closed") return void socket.destroy();
  if (read === "timeout") return refuse(socket, "Timeout waiting for request.");
  if (read === "too-long") return refuse(socket, "Invalid request format.");
  const request = parseTunnelRequest(read.line);
  if (typeof request === "string") return refuse(socket, request);
  const address = socket.remoteAddress ?? "";
  const checked = await checkTunnelRequest(request, { repo: deps.repo, nodes: deps.nodes, authenticate: (token) => deps.authenticate(token, address) });
  if (typeof checked === "string") {
    deps.recordTunnel({ actor: "anonymous", taskId: request.taskId, address, outcome: "refused", detail: checked });
    return refuse(socket, checked);
  }
  const { task, principal } = checked;
  const id = request.taskId;
  deps.recordTunnel({ actor: principal.user || "anyone", taskId: id, address, outcome: "ok", detail: `node ${task.assignedNode}` });
  let tunnel: RunnerTunnel;
  try {
    tunnel = await deps.broker.open(task.assignedNode!, id, task.sshPort, deps.connectTimeoutMs ?? 15_000);
  } catch (error) {
    const reason = error instanceof TunnelOpenError ? error.reason : "failed";
    deps.log.warn({ taskId: id, node: task.assignedNode, err: error instanceof Error ? error.message : String(error) }, "tunnel open failed");
    if (reason === "timeout") return refuse(socket, `Timeout connecting to Runner for task ${id}.`);
    if (reason === "offline") return refuse(socket, `Assigned node for VPS task ${id} is not online.`);
    if (reason === "refused") return refuse(socket, `Connection refused by VPS task ${id} on node ${task.assignedNode}.`);
    return refuse(socket, `Failed to connect to Runner for task ${id}.`);
  }
  if (socket.destroyed) {
    tunnel.outbox.end(true);
    return;
  }
  socket.write("SUCCESS\n");
  deps.log.info({ taskId: id, node: task.assignedNode, tunnelId: tunnel.tunnelId }, "ssh tunnel opened");
  await spliceTunnel(socket, tunnel, read.rest, deps.meter);
  deps.log.info({ taskId: id, tunnelId: tunnel.tunnelId }, "ssh tunnel closed");
}

/** Starts the proxy on `host:port` (0 = a free port) and resolves once it listens. */
export async function startSshProxy(host: string, port: number, deps: SshProxyDeps): Promise<SshProxy> {
  const sockets = new Set<Socket>();
  const server: Server = createServer({ allowHalfOpen: true, pauseOnConnect: true }, (socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    socket.once("close", () => sockets.delete(socket));
    socket.on("error", () => {});
    socket.resume();
    serve(socket, deps).catch((error: unknown) => {
      deps.log.error({ err: error instanceof Error ? error.message : String(error) }, "ssh proxy connection failed");
      if (!socket.destroyed) refuse(socket, "Internal server error.");
    });
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
