/**
 * A real Host on a real port, started in the test's own process so a test
 * can pass HostOptions the CLI has no flag for (the dashboard directory),
 * over a TestCluster's dirs: its runners and CLI calls reach it as usual.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pino } from "pino";
import { startHost, type HostHandle, type HostOptions } from "../../src/host/host-app.js";
import type { TestCluster } from "./cluster.js";

/** Starts a Host with auth on over `cluster`'s db and shared dir, and gives the cluster its port and first tokens. */
export async function startHostInProcess(cluster: TestCluster, extra: Partial<HostOptions> = {}): Promise<HostHandle> {
  const host = await startHost({
    bind: cluster.hostIp,
    port: 0,
    dbFile: cluster.dbFile,
    sharedDir: cluster.sharedDir,
    heartbeatIntervalMs: 200,
    heartbeatTimeoutFactor: 7.5,
    cleanupCheckIntervalMs: 200,
    defaults: { container: "NULL", privileged: false, mounts: [], queue: true },
    auth: { enabled: true, stateDir: cluster.dir, mountAllowList: [] },
    containerDir: "hakuriver-containers",
    keepTarballs: 1,
    log: pino({ level: "silent" }),
    ...extra,
  });
  cluster.port = host.port;
  cluster.adminToken = readFileSync(join(cluster.dir, "admin.token"), "utf8").trim();
  cluster.joinToken = readFileSync(join(cluster.dir, "join.token"), "utf8").trim();
  return host;
}
