/**
 * `hakuriver host`: starts the Host from settings and runs until a signal.
 */
import { dirname, join } from "node:path";
import type { Config } from "../shared/config-schema.js";
import { keepRunningOnStrayErrors } from "../shared/last-resort.js";
import { openProcessLogger } from "../shared/logger.js";
import { stopSignal } from "../shared/stop-signal.js";
import { defaultTimeLimitMs } from "../shared/time-limit.js";
import { startHost } from "./host-app.js";
import { isLoopbackAddress, resolveHostTls } from "./tls-setup.js";

/** Runs the Host with the given (typed, layered) config; resolves with the exit code after SIGINT/SIGTERM. */
export async function main(config: Config): Promise<number> {
  const log = await openProcessLogger("host", config);
  keepRunningOnStrayErrors(log);
  // Before anything listens: a TLS setting that cannot be honoured stops the start, with the reason.
  const tls = await resolveHostTls({
    mode: config.tlsMode,
    certFile: config.tlsCertFile,
    keyFile: config.tlsKeyFile,
    bind: config.hostBindIp,
    stateDir: dirname(config.dbFile),
  });
  if (!tls && !isLoopbackAddress(config.hostBindIp)) {
    log.warn({ bind: config.hostBindIp }, "TLS is off on a non-loopback bind: tokens and task data travel in clear text");
  }
  const host = await startHost({
    bind: config.hostBindIp,
    port: config.hostPort,
    dbFile: config.dbFile,
    sharedDir: config.sharedDir,
    heartbeatIntervalMs: config.heartbeatIntervalMs,
    heartbeatTimeoutFactor: config.heartbeatTimeoutFactor,
    cleanupCheckIntervalMs: config.cleanupCheckIntervalMs,
    heartbeatFlushIntervalMs: config.heartbeatFlushIntervalMs,
    defaults: {
      container: config.defaultContainerName,
      privileged: config.tasksPrivileged,
      mounts: config.additionalMounts,
      queue: config.queue,
      timeLimitMs: defaultTimeLimitMs(config.defaultTimeLimit),
    },
    auth: { enabled: config.authEnabled, stateDir: dirname(config.dbFile), mountAllowList: config.mountAllowList },
    containerDir: config.containerDir,
    keepTarballs: config.keepTarballs,
    log,
    sshProxyPort: config.hostSshProxyPort,
    sshJumpPort: config.hostSshJumpPort < 0 ? undefined : config.hostSshJumpPort,
    tls,
    shutdownGraceMs: config.shutdownGraceMs,
  });
  if (tls) console.log(`TLS on (${tls.source} certificate ${tls.certFile}), SHA-256 fingerprint ${tls.fingerprint}`);
  if (host.bootstrap) {
    console.log(`First start: admin token written to ${host.bootstrap.adminTokenFile}, runner join token to ${host.bootstrap.joinTokenFile} (readable only by this user).`);
    console.log(`Log in with: hakuriver login --host ${config.hostReachableAddress}:${host.port} --token-file ${host.bootstrap.adminTokenFile}`);
  } else if (!config.authEnabled) {
    log.warn("auth.enabled = false: anyone who can reach this Host may do anything");
  }
  if (host.sshJump) {
    const { hostKey } = host.sshJump;
    console.log(`SSH jump host key ${hostKey.fingerprint} (${hostKey.created ? "made now" : "kept"} in ${hostKey.file}): ssh -J jump@${config.hostReachableAddress}:${host.sshJump.port} root@vps-ID`);
  }
  // One line on stdout so scripts (and tests) learn the ports when they were 0.
  console.log(`HakuRiver host listening on ${config.hostBindIp}:${host.port} (shared dir ${join(config.sharedDir)}); ssh proxy on ${host.sshProxyPort}; ssh jump on ${host.sshJump?.port ?? 0}`);
  const signal = await stopSignal();
  log.info({ signal }, "shutting down");
  await host.close();
  return 0;
}
