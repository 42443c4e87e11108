/**
 * `hakuriver forward ID REMOTE_PORT [--local [ADDR:]PORT]`: listens on the
 * user's machine and carries each accepted connection to REMOTE_PORT as
 * seen from inside the task (127.0.0.1 on its runner for a command task,
 * the container's own address for a VPS). Each connection is one
 * ForwardPort call over one shared HTTP/2 connection to the Host; the
 * runner opens the stream to the Host, so a task behind NAT is reached
 * too. Several connections at once; Ctrl-C stops it.
 */
import { createServer, type AddressInfo, type Server, type Socket } from "node:net";
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { Argv } from "yargs";
import type { ForwardPortRequestSchema } from "../../../gen/hakuriver/v1/forward_pb.js";
import { TaskKind } from "../../../gen/hakuriver/v1/types_pb.js";
import { PipeOutbox, writeWithBackPressure } from "../../shared/byte-pipe.js";
import { failedPrecondition, invalidArgument } from "../../shared/errors.js";
import { statusName } from "../../shared/task-status.js";
import { describeError } from "../cli-error.js";
import { clientContext, type ClientContext, type GlobalArgs } from "../context.js";
import { formatAddress, listenAddress, remotePort, type ListenAddress } from "../forward-address.js";

type Run = (fn: () => Promise<number>) => Promise<void>;
type ForwardRequest = MessageInitShape<typeof ForwardPortRequestSchema>;

interface ForwardArgs extends GlobalArgs {
  id: string;
  port: string;
  local?: string;
}

/** One forwarded connection: relays until both sides closed; never throws (failures are printed). */
async function carry(ctx: ClientContext, socket: Socket, taskId: string, port: number, signal: AbortSignal): Promise<void> {
  const from = formatAddress(socket.remoteAddress ?? "?", socket.remotePort ?? 0);
  const call = new AbortController();
  const stop = () => call.abort();
  signal.addEventListener("abort", stop, { once: true });
  const requests = new PipeOutbox<ForwardRequest>((bytes) => ({ message: { case: "data", value: bytes } }));
  requests.push({ message: { case: "open", value: { taskId, port } } });
  requests.onDrain = () => socket.resume();
  let localEnded = false;
  socket.setNoDelay(true);
  socket.on("data", (chunk: Buffer) => {
    if (!requests.data(chunk)) socket.pause();
  });
  socket.once("end", () => {
    localEnded = true;
    requests.push({ message: { case: "close", value: { reason: "client closed" } } });
    requests.end();
  });
  // A reset (or a close without our FIN seen) drops the call: the Host then drops the runner's side.
  socket.on("error", stop);
  socket.once("close", () => {
    if (!localEnded) stop();
  });
  try {
    for await (const response of ctx.client.forwardPort(requests, { signal: call.signal })) {
      const { message } = response;
      if (message.case === "data") {
        if (!(await writeWithBackPressure(socket, message.value))) break;
      } else if (message.case === "close") socket.end();
    }
  } catch (error) {
    if (!call.signal.aborted) console.error(`hakuriver forward: connection from ${from}: ${describeError(error, ctx.hostAddress)}`);
    socket.destroy();
  } finally {
    signal.removeEventListener("abort", stop);
    requests.end();
  }
}

function listen(server: Server, address: ListenAddress): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) => {
      const where = formatAddress(address.host, address.port);
      if (error.code === "EADDRINUSE") reject(invalidArgument(`${where} is already in use: pick another with --local PORT (0 = any free port)`));
      else if (error.code === "EACCES") reject(invalidArgument(`no permission to listen on ${where}: ports below 1024 need root; pick another with --local PORT`));
      else reject(invalidArgument(`cannot listen on ${where}: ${error.message}`));
    });
    server.listen(address.port, address.host, () => resolve(server.address() as AddressInfo));
  });
}

/** Checks the task is one whose ports can be forwarded now, for a clear error before listening. */
async function requireRunning(ctx: ClientContext, taskId: string): Promise<{ kind: string; node: string }> {
  const { task } = await ctx.client.getTask({ taskId });
  if (!task) throw new Error(`the Host returned no task for ${taskId}`);
  const kind = task.kind === TaskKind.VPS ? "VPS" : "task";
  const status = statusName(task.status);
  if (status !== "running") throw failedPrecondition(`${kind} ${taskId} is ${status}: only a running task's ports can be forwarded`);
  return { kind, node: task.assignedNode };
}

async function forward(args: ForwardArgs): Promise<number> {
  const taskId = String(args.id).trim();
  if (!/^\d+$/.test(taskId)) throw invalidArgument(`"${args.id}" is not a task id (task ids are decimal numbers)`);
  const port = remotePort(args.port);
  const local = listenAddress(args.local, port);
  const ctx = clientContext(args, {}, { wideWindows: true });
  const stopping = new AbortController();
  const sockets = new Set<Socket>();
  const server = createServer({ allowHalfOpen: true, pauseOnConnect: true }, (socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
    void carry(ctx, socket, taskId, port, stopping.signal).finally(() => sockets.delete(socket));
    socket.resume();
  });
  try {
    const task = await requireRunning(ctx, taskId);
    const bound = await listen(server, local);
    const where = formatAddress(bound.address, bound.port);
    if (ctx.json) console.log(JSON.stringify({ listen: where, taskId, port, node: task.node }));
    else console.log(`Forwarding ${where} to port ${port} of ${task.kind} ${taskId} on ${task.node}; Ctrl-C to stop`);
    await new Promise<void>((resolve) => {
      process.once("SIGINT", resolve);
      process.once("SIGTERM", resolve);
    });
    return 0;
  } finally {
    stopping.abort();
    server.close();
    for (const socket of sockets) socket.destroy();
    ctx.close();
  }
}

/** Registers `forward`. */
export function forwardCommand(y: Argv<GlobalArgs>, run: Run): Argv<GlobalArgs> {
  return y.command(
    "forward <id> <port>",
    "carry local TCP connections to a port of a running task or VPS, through the Host: hakuriver forward ID REMOTE_PORT [--local [ADDR:]PORT]",
    (s) =>
      s
        .positional("id", { type: "string", demandOption: true, describe: "task or VPS id" })
        .positional("port", { type: "string", demandOption: true, describe: "the port inside the task (1-65535): 127.0.0.1 on its node for a command task, the container's own for a VPS" })
        .option("local", { type: "string", describe: "where to listen: [ADDR:]PORT (default 127.0.0.1 and the same port; 0 = any free port, printed)" }),
    (a) => run(() => forward(a)),
  );
}
