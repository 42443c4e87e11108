/**
 * A full-screen terminal session for live views (`hakuriver top`): the
 * alternate screen, a hidden cursor and raw keys while it lasts, and the
 * terminal given back as it was on every way out: `restore()`, the
 * process's 'exit', SIGINT, SIGTERM and SIGHUP, and an uncaught error or
 * unhandled rejection (printed as one line after the restore, exit 1).
 */

/** Switch to the alternate screen, hide the cursor, clear. */
const ENTER = "\x1b[?1049h\x1b[?25l\x1b[H\x1b[2J";
/** Back to the normal screen, cursor shown: the last bytes a session writes. */
export const LEAVE_FULL_SCREEN = "\x1b[?1049l\x1b[?25h";

/** What a session reports to its owner. */
export interface FullScreenEvents {
  /** Keys typed (raw: Ctrl-C arrives as "\x03", not as SIGINT). */
  onKeys(keys: string): void;
  /** The terminal changed size. */
  onResize(): void;
  /** The process got a signal; the terminal is restored already. */
  onSignal(signal: FullScreenSignal): void;
}

/** Signals a session restores the terminal on. */
export type FullScreenSignal = "SIGINT" | "SIGTERM" | "SIGHUP";

/** A running session. */
export interface FullScreen {
  /** Columns and lines of the terminal (80×24 when it does not say). */
  size(): { columns: number; rows: number };
  /** Replaces the screen's content with `lines` (each at most a line's width, no newlines). */
  draw(lines: readonly string[]): void;
  /** Gives the terminal back (raw mode off, normal screen, cursor shown) and stops listening; safe to call twice. */
  restore(): void;
}

/** The events of the process a session listens to, and its way out after a crash. */
export type FullScreenProcess = Pick<NodeJS.Process, "on" | "off" | "exit">;

/** The streams and process a session drives (the process's own by default). */
export interface FullScreenIo {
  readonly stdin: NodeJS.ReadStream;
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;
  readonly process: FullScreenProcess;
}

const SIGNALS: readonly FullScreenSignal[] = ["SIGINT", "SIGTERM", "SIGHUP"];

/** Starts a session on a terminal (stdout must be one). */
export function enterFullScreen(events: FullScreenEvents, io: FullScreenIo = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, process }): FullScreen {
  const { stdin, stdout, stderr, process: proc } = io;
  let restored = false;
  const onData = (data: Buffer | string) => events.onKeys(data.toString());
  const onResize = () => events.onResize();
  const onSignal = new Map(SIGNALS.map((signal) => [signal, () => (restore(), events.onSignal(signal))] as const));
  const onCrash = (error: unknown) => {
    restore();
    // A crash must not print a stack into the user's terminal; one line, then out.
    stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    proc.exit(1);
  };

  function restore(): void {
    if (restored) return;
    restored = true;
    stdin.off("data", onData);
    stdout.off("resize", onResize);
    proc.off("exit", restore);
    for (const [signal, handler] of onSignal) proc.off(signal, handler);
    proc.off("uncaughtException", onCrash);
    proc.off("unhandledRejection", onCrash);
    if (stdin.isTTY) stdin.setRawMode(false);
    stdin.pause();
    // Synchronous on a terminal (Linux, macOS), so it lands even from the 'exit' handler.
    stdout.write(LEAVE_FULL_SCREEN);
  }

  proc.on("exit", restore);
  for (const [signal, handler] of onSignal) proc.on(signal, handler);
  proc.on("uncaughtException", onCrash);
  proc.on("unhandledRejection", onCrash);
  stdout.write(ENTER);
  if (stdin.isTTY) stdin.setRawMode(true);
  stdin.on("data", onData);
  stdin.resume();
  stdout.on("resize", onResize);

  return {
    size: () => ({ columns: stdout.columns || 80, rows: stdout.rows || 24 }),
    draw(lines) {
      if (restored) return;
      // Home, each line then erase-to-end (no flicker of a full clear), erase below. Raw mode: "\r\n", not "\n".
      stdout.write(`\x1b[H${lines.map((line) => `${line}\x1b[K`).join("\r\n")}\x1b[J`);
    },
    restore,
  };
}
