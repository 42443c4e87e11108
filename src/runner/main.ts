/**
 * `hakuriver runner`: starts a runner from settings and runs until a signal.
 */
import { existsSync, readFileSync } from "node:fs";
import { hostname } from "node:os";
import type { Config } from "../shared/config-schema.js";
import { hostAddressOf } from "../shared/host-address.js";
import { keepRunningOnStrayErrors } from "../shared/last-resort.js";
import { clientTlsOf } from "../shared/tls-client.js";
import { openProcessLogger } from "../shared/logger.js";
import { stopSignal } from "../shared/stop-signal.js";
import { startRunner } from "./runner-app.js";

/** The join token: auth.join_token, else the first line of auth.join_token_file when it exists; empty when neither. */
export function readJoinToken(config: Pick<Config, "joinToken" | "joinTokenFile">): string {
  if (config.joinToken !== "") return config.joinToken.trim();
  if (config.joinTokenFile === "" || !existsSync(config.joinTokenFile)) return "";
  return readFileSync(config.joinTokenFile, "utf8").trim();
}

/** The version runners report. */
export const RUNNER_VERSION = "0.1.0";

/** Runs the runner with the given (typed, layered) config; resolves with the exit code after SIGINT/SIGTERM. */
export async function main(config: Config): Promise<number> {
  const name = config.runnerName || hostname();
  const log = await openProcessLogger(`runner:${name}`, config);
  keepRunningOnStrayErrors(log);
  const hostAddress = hostAddressOf(config);
  const runner = await startRunner({
    hostAddress,
    tls: clientTlsOf(config),
    name,
    sharedDir: config.sharedDir,
    localTempDir: config.localTempDir,
    joinToken: readJoinToken(config),
    version: RUNNER_VERSION,
    log,
    backoffBaseMs: config.backoffBaseMs,
    dockerHost: config.dockerHost,
    containerDir: config.containerDir,
    numactlPath: config.numactlPath,
  });
  console.log(`HakuRiver runner ${name} started; host ${hostAddress}`);
  const signal = await stopSignal();
  log.info({ signal }, "shutting down");
  await runner.stop();
  return 0;
}
