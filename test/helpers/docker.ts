/**
 * The docker CLI for tests against the real engine, and the clean-up every
 * Docker test file does.
 */
import { execFileSync } from "node:child_process";

/** Runs `docker ARGS...` and returns its stdout; throws on a non-zero exit. */
export function docker(...args: string[]): string {
  return execFileSync("docker", args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

/**
 * Removes what a test left on the engine: the task containers of `runner`,
 * the environment container `env` and its image. Missing things are fine.
 */
export function removeTestDockerState(runner: string, env: string): void {
  for (const id of docker("ps", "-aq", "--filter", `label=hakuriver.runner=${runner}`).split("\n").filter(Boolean)) docker("rm", "-f", id);
  for (const args of [["rm", "-f", env], ["rmi", "-f", `hakuriver/${env}:base`]]) {
    try {
      docker(...args);
    } catch {
      // already gone
    }
  }
}
