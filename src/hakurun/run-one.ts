/**
 * Runs one combination as a child process (argv, no shell) and reports how
 * it ended.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { constants } from "node:os";
import type { Combination } from "./combination.js";
import { pipePrefixed } from "./line-prefixer.js";

/** How one run ended. */
export interface RunOutcome {
  readonly combination: Combination;
  /** The exit code; for a run killed by a signal, 128 + its number; 127 when it could not start. */
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
    child.once("error", (error) => {
      // A child that never started emits no "close" on every Node version.
      if (child.pid === undefined) settle(127, `could not start: ${error.message}`);
    });
    child.once("close", (code, signal) => {
      void piped.then(() => {
        if (signal) settle(128 + (constants.signals[signal] ?? 0), `killed by ${signal}`);
        else settle(code ?? 1, `exit code ${code ?? "unknown"}`);
      });
    });
  });
}
