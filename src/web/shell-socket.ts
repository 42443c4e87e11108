/**
 * The browser's end of an interactive shell in an environment container:
 * the Shell RPC carried over the Host's WebSocket at
 * `/hakuriver.v1.ClientService/Shell/ws` on the dashboard's own origin.
 *
 * Why a WebSocket: a browser cannot open a bidirectional gRPC or Connect
 * stream, and a terminal needs one. A server stream for output plus one
 * unary call per keystroke would pay a request, its headers and an auth
 * check for every key, and could reorder keys sent on separate requests.
 * A WebSocket is full duplex on one connection: keys and output travel as
 * small frames, in order.
 *
 * Protocol: one text frame `{"token":"…"}` first (never in the URL, which
 * ends up in logs), then binary frames, each a protobuf ShellRequest (the
 * first one `start`); the Host answers with binary ShellResponse frames
 * (stdout, stderr, then `exit`), or one text frame
 * `{"code":"…","message":"…"}` on an error, and closes.
 *
 * A terminal in a running task or VPS speaks the same protocol with
 * ExecTask frames at `/hakuriver.v1.ClientService/ExecTask/ws`
 * ({@link openTaskTerminal}).
 */
import { create, fromBinary, toBinary, type MessageInitShape } from "@bufbuild/protobuf";
import { ShellRequestSchema, ShellResponseSchema } from "../../gen/hakuriver/v1/environments_pb.js";
import { ExecTaskRequestSchema, ExecTaskResponseSchema } from "../../gen/hakuriver/v1/exec_pb.js";
import { ClientService } from "../../gen/hakuriver/v1/client_pb.js";
import { refuseToken, token } from "./session.js";

/** The shell WebSocket's path on the Host. */
export const SHELL_SOCKET_PATH = `/${ClientService.typeName}/${ClientService.method.shell.name}/ws`;

/** What a shell reports back; exactly one of `onExit` or `onError` is called, once, at the end. */
export interface ShellEvents {
  /** Output bytes (stdout or stderr: with a TTY they arrive as one stream). */
  readonly onOutput: (data: Uint8Array) => void;
  /** The command ended with this exit code. */
  readonly onExit: (code: number) => void;
  /** The Host refused or lost the session; `code` is Connect's code name ("permission_denied") or "closed". */
  readonly onError: (code: string, message: string) => void;
}

/** An open shell. */
export interface ShellSession {
  /** Sends keystrokes or pasted text. */
  send(data: string | Uint8Array): void;
  /** Tells the Host the terminal's new size. */
  resize(rows: number, cols: number): void;
  /** Closes the socket (the Host then ends the exec). */
  close(): void;
}

/** The task terminal WebSocket's path on the Host. */
export const EXEC_SOCKET_PATH = `/${ClientService.typeName}/${ClientService.method.execTask.name}/ws`;

/** ws:// or wss:// (as the page) to the shell path (or `path`) on this origin. */
export function shellSocketUrl(where: Pick<Location, "protocol" | "host"> = location, path = SHELL_SOCKET_PATH): string {
  return `${where.protocol === "https:" ? "wss:" : "ws:"}//${where.host}${path}`;
}

/** A terminal size. */
export interface TerminalSize {
  readonly rows: number;
  readonly cols: number;
}

/** How one socket's frames are made and read: the start, input, resize, and what comes back. */
interface Frames {
  readonly path: string;
  start(size: TerminalSize): Uint8Array;
  stdin(data: Uint8Array): Uint8Array;
  resize(size: TerminalSize): Uint8Array;
  read(bytes: Uint8Array): { readonly output: Uint8Array } | { readonly exit: number } | undefined;
}

function shellFrames(name: string): Frames {
  const encode = (message: MessageInitShape<typeof ShellRequestSchema>["message"]) => toBinary(ShellRequestSchema, create(ShellRequestSchema, { message }));
  return {
    path: SHELL_SOCKET_PATH,
    start: (size) => encode({ case: "start", value: { name, tty: true, rows: size.rows, cols: size.cols, command: [] } }),
    stdin: (data) => encode({ case: "stdin", value: data }),
    resize: (size) => encode({ case: "resize", value: { rows: size.rows, cols: size.cols } }),
    read: (bytes) => {
      const m = fromBinary(ShellResponseSchema, bytes).message;
      if (m.case === "stdout" || m.case === "stderr") return { output: m.value };
      if (m.case === "exit") return { exit: m.value.code };
      return undefined;
    },
  };
}

/** The login shell a task terminal opens (bash when the image or node has it, else sh). */
export const TERMINAL_SHELL = ["/bin/sh", "-c", "if [ -x /bin/bash ]; then exec /bin/bash -l; else exec /bin/sh -l; fi"];

function execFrames(taskId: string, user: string): Frames {
  const encode = (message: MessageInitShape<typeof ExecTaskRequestSchema>["message"]) => toBinary(ExecTaskRequestSchema, create(ExecTaskRequestSchema, { message }));
  return {
    path: EXEC_SOCKET_PATH,
    start: (size) => encode({ case: "start", value: { taskId, command: TERMINAL_SHELL, tty: true, user, rows: size.rows, cols: size.cols } }),
    stdin: (data) => encode({ case: "stdin", value: data }),
    resize: (size) => encode({ case: "resize", value: { rows: size.rows, cols: size.cols } }),
    read: (bytes) => {
      const m = fromBinary(ExecTaskResponseSchema, bytes).message;
      if (m.case === "stdout" || m.case === "stderr") return { output: m.value };
      if (m.case === "exit") return { exit: m.value.code };
      return undefined;
    },
  };
}

/** Opens a TTY shell in environment container `name` at `rows`×`cols`. */
export function openShell(name: string, size: TerminalSize, events: ShellEvents): ShellSession {
  return openSocket(shellFrames(name), size, events);
}

/** Opens a terminal (a login shell) in running task or VPS `taskId`; a VPS's shell runs as root, a task's as the task's user. */
export function openTaskTerminal(taskId: string, vps: boolean, size: TerminalSize, events: ShellEvents): ShellSession {
  return openSocket(execFrames(taskId, vps ? "0" : ""), size, events);
}

function openSocket(frames: Frames, size: TerminalSize, events: ShellEvents): ShellSession {
  const socket = new WebSocket(shellSocketUrl(location, frames.path));
  socket.binaryType = "arraybuffer";
  const encoder = new TextEncoder();
  let ended = false;
  const end = (report: () => void) => {
    if (ended) return;
    ended = true;
    report();
  };
  const frame = (bytes: Uint8Array) => {
    if (socket.readyState === WebSocket.OPEN) socket.send(bytes);
  };

  socket.addEventListener("open", () => {
    socket.send(JSON.stringify({ token: token.peek() }));
    frame(frames.start(size));
  });
  socket.addEventListener("message", (event: MessageEvent<ArrayBuffer | string>) => {
    if (typeof event.data === "string") {
      let code = "unknown";
      let message = event.data;
      try {
        const parsed = JSON.parse(event.data) as { code?: unknown; message?: unknown };
        if (typeof parsed.code === "string") code = parsed.code;
        if (typeof parsed.message === "string") message = parsed.message;
      } catch {
        // not JSON: show the text as it came
      }
      if (code === "unauthenticated") refuseToken(message);
      end(() => events.onError(code, message));
      return;
    }
    const read = frames.read(new Uint8Array(event.data));
    if (read && "output" in read) events.onOutput(read.output);
    else if (read) end(() => events.onExit(read.exit));
  });
  socket.addEventListener("close", (event) => {
    end(() => events.onError("closed", event.reason !== "" ? `the connection closed (${event.code} ${event.reason})` : `the connection closed (${event.code})`));
  });

  return {
    send(data) {
      frame(frames.stdin(typeof data === "string" ? encoder.encode(data) : data));
    },
    resize(rows, cols) {
      frame(frames.resize({ rows, cols }));
    },
    close() {
      ended = true;
      if (socket.readyState === WebSocket.CONNECTING || socket.readyState === WebSocket.OPEN) socket.close(1000, "closed by the user");
    },
  };
}
