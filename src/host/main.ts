/**
 * `hakuriver host`: starts the Host from settings and runs until a signal.
 */
import { join } from "node:path";
import { expandHome, getBoolean, getList, getNumber, getString, type Settings } from "../shared/config.js";
import { keepRunningOnStrayErrors } from "../shared/last-resort.js";
import { createLogger } from "../shared/logger.js";
import { startHost } from "./host-app.js";

/** Runs the Host; resolves with the exit code after SIGINT/SIGTERM. */
export async function main(settings: Settings): Promise<number> {
  const log = createLogger("host");
  keepRunningOnStrayErrors(log);
  const sharedDir = expandHome(getString(settings, "paths.shared_dir"));
  const host = await startHost({
    bind: getString(settings, "network.host_bind_ip"),
    port: getNumber(settings, "network.host_port"),
    dbFile: expandHome(getString(settings, "database.db_file")),
    sharedDir,
    heartbeatIntervalMs: getNumber(settings, "timing.heartbeat_interval") * 1000,
    heartbeatTimeoutFactor: getNumber(settings, "timing.heartbeat_timeout_factor"),
    cleanupCheckIntervalMs: getNumber(settings, "timing.cleanup_check_interval") * 1000,
    defaults: {
      container: getString(settings, "docker.default_container_name"),
      privileged: getBoolean(settings, "docker.tasks_privileged"),
      mounts: getList(settings, "docker.additional_mounts"),
      queue: getBoolean(settings, "scheduler.queue"),
    },
    token: getString(settings, "auth.token"),
    containerDir: getString(settings, "docker.container_dir"),
    keepTarballs: getNumber(settings, "docker.keep_tarballs"),
    log,
    sshProxyPort: getNumber(settings, "network.host_ssh_proxy_port"),
  });
  // One line on stdout so scripts (and tests) learn the port when it was 0.
  console.log(`HakuRiver host listening on ${getString(settings, "network.host_bind_ip")}:${host.port} (shared dir ${join(sharedDir)}); ssh proxy on ${host.sshProxyPort}`);
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  log.info("shutting down");
  await host.close();
  return 0;
}
