/**
 * What the runner's exec dialer needs of a started command, whichever way
 * it was started (a Docker exec, or a native process): bytes in, bytes out
 * with back-pressure, resize, its exit, and a kill that leaves nothing of
 * it running.
 */

/** Where a command's output goes; `false` from a write asks the producer to pause until {@link ExecProcess.resumeOutput}. */
export interface ExecSink {
  stdout(data: Uint8Array): boolean;
  stderr(data: Uint8Array): boolean;
}

/** How a command ended. */
export interface ExecEnd {
  /** Its exit code (128 + N for signal N); -1 when none could be read. */
  readonly code: number;
  /** Why, when the code alone does not say; may be empty. */
  readonly message: string;
}

/** A started command. */
export interface ExecProcess {
  /** Bytes for its stdin (dropped once its stdin is closed). */
  write(data: Uint8Array): void;
  /** Closes its stdin. */
  endInput(): void;
  /** A new terminal size (TTY only; ignored otherwise or for 0). */
  resize(rows: number, cols: number): Promise<void>;
  /** Lets output flow again after a sink asked to pause. */
  resumeOutput(): void;
  /** Resolves once it ended and all its output went to the sink; never rejects. */
  readonly exited: Promise<ExecEnd>;
  /** Kills it and whatever it started, if still running; resolves once the kill was sent, never rejects. */
  kill(): Promise<void>;
}

/** What to run, as the Host's OpenExec gives it. */
export interface ExecSpec {
  readonly command: readonly string[];
  readonly tty: boolean;
  /** Empty = the task's own user. */
  readonly user: string;
  /** Empty = the task's own working directory. */
  readonly workdir: string;
  readonly rows: number;
  readonly cols: number;
}

/** Why a command could not start; `taskNotRunning` when the task (not the command) is the cause. */
export class ExecStartError extends Error {
  constructor(
    message: string,
    readonly taskNotRunning = false,
  ) {
    super(message);
    this.name = "ExecStartError";
  }
}
