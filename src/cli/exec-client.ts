/**
 * The client's side of an exec (`hakuriver exec`, `hakuriver vps connect`):
 * a bidirectional ExecTask call. With a TTY on this terminal: raw mode (so
 * Ctrl-C and every key go to the command), the size sent at the start and
 * on each SIGWINCH, the terminal restored on every way out. Without one:
 * stdin is piped through (its end passed on), stdout and stderr kept apart.
 * Resolves with the command's exit code.
 */
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { ExecTaskRequestSchema } from "../../gen/hakuriver/v1/exec_pb.js";
import { AsyncQueue } from "../shared/async-queue.js";
import type { ClientContext } from "./context.js";

/** What to run where. */
export interface ExecOptions {
  readonly taskId: string;
  readonly command: readonly string[];
  /** Ask for a pseudo-terminal in the task. */
  readonly tty: boolean;
  readonly user?: string;
  readonly workdir?: string;
}

type Request = MessageInitShape<typeof ExecTaskRequestSchema>;

/** Runs the exec to its end; returns the remote exit code (-1 when none came). */
export async function runExec(ctx: ClientContext, options: ExecOptions): Promise<number> {
  const stdin = process.stdin;
  const stdout = process.stdout;
  // Raw mode only makes sense when both ends of this side are a terminal.
  const raw = options.tty && stdin.isTTY === true && stdout.isTTY === true;
  const requests = new AsyncQueue<Request>();
  requests.push({
    message: {
      case: "start",
      value: { taskId: options.taskId, command: [...options.command], tty: options.tty, user: options.user ?? "", workdir: options.workdir ?? "", rows: stdout.rows ?? 0, cols: stdout.columns ?? 0 },
    },
  });
  const onData = (chunk: Buffer) => requests.push({ message: { case: "stdin", value: new Uint8Array(chunk) } });
  const onEnd = () => requests.push({ message: { case: "stdinClose", value: {} } });
  const onResize = () => requests.push({ message: { case: "resize", value: { rows: stdout.rows, cols: stdout.columns } } });
  const restore = () => {
    if (raw && stdin.isTTY) stdin.setRawMode(false);
  };
  if (raw) {
    stdin.setRawMode(true);
    // A crash past the finally below still leaves the terminal usable.
    process.once("exit", restore);
  }
  if (options.tty) stdout.on("resize", onResize);
  stdin.on("data", onData);
  stdin.once("end", onEnd);
  stdin.resume();
  let code = -1;
  try {
    for await (const response of ctx.client.execTask(requests)) {
      const m = response.message;
      if (m.case === "stdout") {
        if (!stdout.write(m.value)) await new Promise((resolve) => stdout.once("drain", resolve));
      } else if (m.case === "stderr") process.stderr.write(m.value);
      else if (m.case === "exit") {
        code = m.value.code;
        if (m.value.message !== "" && code !== 0 && !raw) process.stderr.write(`hakuriver exec: ${m.value.message}\n`);
      }
    }
  } finally {
    requests.end();
    // The call is over, whatever connect-node still thinks of its request side.
    ctx.close();
    stdin.off("data", onData);
    stdin.off("end", onEnd);
    stdin.pause();
    stdout.off("resize", onResize);
    restore();
    process.off("exit", restore);
  }
  return code;
}
