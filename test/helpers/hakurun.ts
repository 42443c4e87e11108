/**
 * Runs the compiled `hakurun` as a user would, collecting its output.
 */
import { spawn } from "node:child_process";
import { HAKURUN, type CliResult } from "./cluster.js";

/** Runs `hakurun ARGS...` (argv, no shell) in `cwd`; resolves when it has exited. */
export function runHakurun(args: readonly string[], options: { cwd?: string; env?: Record<string, string> } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [HAKURUN, ...args], {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.once("error", reject);
    child.once("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}
