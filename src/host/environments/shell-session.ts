/**
 * An interactive shell (or one command) in a running environment container:
 * a Docker exec with stdin attached, optional TTY and resize, output split
 * into stdout/stderr when there is no TTY, and the exec's exit code at the end.
 */
import { Writable } from "node:stream";
import type { Duplex } from "node:stream";
import type Docker from "dockerode";
import { AsyncQueue } from "../../shared/async-queue.js";
import { DomainError } from "../../shared/errors.js";
import { ErrorReason, RESOURCE_TYPE } from "../../shared/error-reasons.js";
import { engineError } from "./docker-client.js";
import { hangUpExec } from "./exec-hangup.js";
import type { HostContainers } from "./host-containers.js";

/** How a shell starts. */
export interface ShellStartInput {
  readonly name: string;
  /** Empty: bash when the image has it, else sh. */
  readonly command: readonly string[];
  readonly tty: boolean;
  readonly rows: number;
  readonly cols: number;
}

/** What the client sends after the start. */
export type ShellInput = { readonly kind: "stdin"; readonly data: Uint8Array } | { readonly kind: "resize"; readonly rows: number; readonly cols: number } | { readonly kind: "eof" };

/** What the shell sends back; `exit` is always last. */
export type ShellOutput = { readonly kind: "stdout" | "stderr"; readonly data: Uint8Array } | { readonly kind: "exit"; readonly code: number };

const DEFAULT_SHELL = ["/bin/sh", "-c", "if [ -x /bin/bash ]; then exec /bin/bash; else exec /bin/sh; fi"];

function sinkOf(queue: AsyncQueue<ShellOutput>, kind: "stdout" | "stderr"): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      queue.push({ kind, data: chunk });
      done();
    },
  });
}

async function exitCodeOf(exec: Docker.Exec): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const info = await exec.inspect();
    if (!info.Running && info.ExitCode !== null) return info.ExitCode;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return -1;
}

/**
 * Runs the shell. `input` continues the client's stream after the start
 * message; the generator ends after the exit event, or when `signal` aborts
 * or its consumer stops (the client went away): the exec's connection is
 * closed then, which ends its process's stdin, and a TTY exec's process is
 * hung up (see exec-hangup.ts); `onHangUpFailed` hears why one could not be.
 */
export async function* runShell(
  docker: Docker,
  containers: HostContainers,
  start: ShellStartInput,
  input: AsyncIterable<ShellInput>,
  signal: AbortSignal,
  onHangUpFailed: (error: unknown) => void = () => undefined,
): AsyncGenerator<ShellOutput> {
  const info = await containers.get(start.name);
  if (info.state !== "running") {
    throw new DomainError("failed_precondition", `environment container "${start.name}" is ${info.state}; start it first: hakuriver docker start-container ${start.name}`, {
      reason: ErrorReason.CONTAINER_NOT_RUNNING,
      metadata: { container: start.name, state: info.state },
      resource: { type: RESOURCE_TYPE.container, name: start.name },
      preconditionViolations: [{ type: "CONTAINER_STATE", subject: `container/${start.name}`, description: `the container is ${info.state}; it must be running` }],
    });
  }
  let exec: Docker.Exec;
  let stream: Duplex;
  try {
    exec = await docker.getContainer(info.id).exec({
      Cmd: start.command.length > 0 ? [...start.command] : DEFAULT_SHELL,
      AttachStdin: true,
      AttachStdout: true,
      AttachStderr: true,
      Tty: start.tty,
      Env: start.tty ? ["TERM=xterm-256color"] : [],
    });
    stream = (await exec.start({ hijack: true, stdin: true, Tty: start.tty })) as Duplex;
  } catch (error) {
    throw engineError(error, `container ${start.name}`);
  }
  const output = new AsyncQueue<ShellOutput>();
  const resize = async (rows: number, cols: number) => {
    if (start.tty && rows > 0 && cols > 0) await exec.resize({ h: rows, w: cols }).catch(() => undefined);
  };
  if (start.tty) stream.on("data", (chunk: Buffer) => output.push({ kind: "stdout", data: chunk }));
  else docker.modem.demuxStream(stream, sinkOf(output, "stdout"), sinkOf(output, "stderr"));
  stream.on("error", () => undefined);
  let closed = false;
  const ended = new Promise<void>((resolve) => {
    const done = () => {
      closed = true;
      resolve();
    };
    stream.once("end", done);
    stream.once("close", done);
  });
  void ended.then(async () => {
    output.push({ kind: "exit", code: await exitCodeOf(exec).catch(() => -1) });
    output.end();
  });
  let hungUp = false;
  /** The client went away: close the exec's connection, and hang up a TTY's process (a closed connection leaves its pty open). */
  const leave = () => {
    const running = !closed;
    stream.destroy();
    if (running && start.tty && !hungUp) {
      hungUp = true;
      hangUpExec(docker, info.id, exec).catch(onHangUpFailed);
    }
  };
  const onAbort = leave;
  signal.addEventListener("abort", onAbort, { once: true });
  await resize(start.rows, start.cols);
  void (async () => {
    try {
      for await (const message of input) {
        if (closed) break;
        if (message.kind === "stdin") stream.write(message.data);
        else if (message.kind === "resize") await resize(message.rows, message.cols);
        else stream.end();
      }
      // The client closed its side without an explicit eof: same meaning.
      if (!closed) stream.end();
    } catch {
      // The client went away: closing the connection ends the process's stdin.
      stream.destroy();
    }
  })();
  try {
    yield* output;
  } finally {
    signal.removeEventListener("abort", onAbort);
    if (!closed) leave();
  }
}
