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
 */
import { create, fromBinary, toBinary, type MessageInitShape } from "@bufbuild/protobuf";
import { ShellRequestSchema, ShellResponseSchema } from "../../gen/hakuriver/v1/environments_pb.js";
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

/** ws:// or wss:// (as the page) to the shell path on this origin. */
export function shellSocketUrl(where: Pick<Location, "protocol" | "host"> = location): string {
  return `${where.protocol === "https:" ? "wss:" : "ws:"}//${where.host}${SHELL_SOCKET_PATH}`;
}

/** Opens a TTY shell in environment container `name` at `rows`×`cols`. */
export function openShell(name: string, size: { readonly rows: number; readonly cols: number }, events: ShellEvents): ShellSession {
  const socket = new WebSocket(shellSocketUrl());
  socket.binaryType = "arraybuffer";
  const encoder = new TextEncoder();
  let ended = false;
  const end = (report: () => void) => {
    if (ended) return;
    ended = true;
    report();
  };
  const frame = (message: MessageInitShape<typeof ShellRequestSchema>["message"]) => {
    if (socket.readyState === WebSocket.OPEN) socket.send(toBinary(ShellRequestSchema, create(ShellRequestSchema, { message })));
  };

  socket.addEventListener("open", () => {
    socket.send(JSON.stringify({ token: token.peek() }));
    frame({ case: "start", value: { name, tty: true, rows: size.rows, cols: size.cols, command: [] } });
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
    const response = fromBinary(ShellResponseSchema, new Uint8Array(event.data));
    const m = response.message;
    if (m.case === "stdout" || m.case === "stderr") events.onOutput(m.value);
    else if (m.case === "exit") end(() => events.onExit(m.value.code));
  });
  socket.addEventListener("close", (event) => {
    end(() => events.onError("closed", event.reason !== "" ? `the connection closed (${event.code} ${event.reason})` : `the connection closed (${event.code})`));
  });

  return {
    send(data) {
      frame({ case: "stdin", value: typeof data === "string" ? encoder.encode(data) : data });
    },
    resize(rows, cols) {
      frame({ case: "resize", value: { rows, cols } });
    },
    close() {
      ended = true;
      if (socket.readyState === WebSocket.CONNECTING || socket.readyState === WebSocket.OPEN) socket.close(1000, "closed by the user");
    },
  };
}
