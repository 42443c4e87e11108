/**
 * Runs one combination as a child process (argv, no shell) and reports how
 * it ended.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { constants } from "node:os";
import type { Combination } from "./combination.js";
import { pipePrefixed } from "./line-prefixer.js";

/** How one run ended. */
export interface RunOutcome {
  readonly combination: Combination;
  /**
   * The exit code; for a run killed by a signal, 128 + its number; as a shell
   * reports it when it could not start: 127 for a command not found, 126 for
   * one found but not runnable.
   */
  readonly exitCode: number;
  /** Why it failed, for people: `exit code 3`, `killed by SIGTERM`, `could not start: ...`. */
  readonly reason: string;
}

/** How the child's output is handled. */
export type OutputMode = "prefixed" | "inherit";

/** Starts one run; `track` receives the child so the caller can signal it. */
export function runOne(combination: Combination, mode: OutputMode, stdin: "inherit" | "ignore", track: (child: ChildProcess) => void): Promise<RunOutcome> {
  const [command = "", ...args] = combination.argv;
  return new Promise((resolve) => {
    let settled = false;
    const settle = (exitCode: number, reason: string): void => {
      if (settled) return;
      settled = true;
      resolve({ combination, exitCode, reason });
    };
    const child = spawn(command, args, { stdio: mode === "inherit" ? "inherit" : [stdin, "pipe", "pipe"] });
    track(child);
    const piped =
      mode === "prefixed"
        ? Promise.all([pipePrefixed(child.stdout!, process.stdout, `${combination.label} `), pipePrefixed(child.stderr!, process.stderr, `${combination.label} `)])
        : Promise.resolve();
    child.once("error", (error: NodeJS.ErrnoException) => {
      // A child that never started emits no "close" on every Node version.
      if (child.pid !== undefined) return;
      const failure = startFailure(command, error);
      // Said here, once per run, or a lone run that could not start would end in silence.
      process.stderr.write(`${mode === "prefixed" ? `${combination.label} ` : ""}hakurun: ${command}: ${failure.reason}\n`);
      settle(failure.exitCode, failure.reason);
    });
    child.once("close", (code, signal) => {
      void piped.then(() => {
        if (signal) settle(128 + (constants.signals[signal] ?? 0), `killed by ${signal}`);
        else settle(code ?? 1, `exit code ${code ?? "unknown"}`);
      });
    });
  });
}

/**
 * Why a command could not be started, in a shell's words and exit codes:
 * 127 `command not found` (nothing of that name on PATH, or no such file),
 * 126 for a file that exists but cannot be run (not executable, a
 * directory, or a script whose `#!` interpreter is missing).
 */
export function startFailure(command: string, error: NodeJS.ErrnoException): { exitCode: number; reason: string } {
  if (error.code === "ENOENT") {
    // A path that exists yet "does not exist" at exec is a script whose interpreter is missing.
    if (command.includes("/") && existsSync(command)) return { exitCode: 126, reason: "cannot run it: its #! interpreter was not found" };
    return { exitCode: 127, reason: command.includes("/") ? "no such file" : "command not found" };
  }
  if (error.code === "EACCES") return { exitCode: 126, reason: "permission denied (not an executable file)" };
  return { exitCode: 126, reason: `could not start: ${error.message}` };
}
