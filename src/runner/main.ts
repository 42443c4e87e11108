/**
 * `hakuriver runner`: starts a runner from settings and runs until a signal.
 */
import { hostname } from "node:os";
import { expandHome, getNumber, getString, type Settings } from "../shared/config.js";
import { keepRunningOnStrayErrors } from "../shared/last-resort.js";
import { createLogger } from "../shared/logger.js";
import { startRunner } from "./runner-app.js";

/** The version runners report. */
export const RUNNER_VERSION = "0.1.0";

/** Runs the runner; resolves with the exit code after SIGINT/SIGTERM. */
export async function main(settings: Settings): Promise<number> {
  const name = getString(settings, "runner.name") || hostname();
  const log = createLogger(`runner:${name}`);
  keepRunningOnStrayErrors(log);
  const hostAddress = `${getString(settings, "network.host_reachable_address")}:${getNumber(settings, "network.host_port")}`;
  const runner = await startRunner({
    hostAddress,
    name,
    sharedDir: expandHome(getString(settings, "paths.shared_dir")),
    localTempDir: expandHome(getString(settings, "paths.local_temp_dir")),
    joinToken: getString(settings, "auth.token"),
    version: RUNNER_VERSION,
    log,
    backoffBaseMs: Number(process.env.HAKURIVER_RUNNER_BACKOFF_MS ?? 500),
    dockerHost: getString(settings, "runner.docker_host"),
    containerDir: getString(settings, "docker.container_dir"),
  });
  console.log(`HakuRiver runner ${name} started; host ${hostAddress}`);
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  log.info("shutting down");
  await runner.stop();
  return 0;
}
