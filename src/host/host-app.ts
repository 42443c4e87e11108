/**
 * Wires the Host together: database, node registry, log store, task
 * manager, scheduler, control plane, monitors and the API server.
 */
import type { ConnectRouter, Interceptor } from "@connectrpc/connect";
import type { DescService } from "@bufbuild/protobuf";
import type { Logger } from "pino";
import { Health } from "../../gen/grpc/health/v1/health_pb.js";
import { ServerReflection as ServerReflectionV1 } from "../../gen/grpc/reflection/v1/reflection_pb.js";
import { ServerReflection as ServerReflectionV1alpha } from "../../gen/grpc/reflection/v1alpha/reflection_pb.js";
import { ClientService } from "../../gen/hakuriver/v1/client_pb.js";
import { RunnerService } from "../../gen/hakuriver/v1/runner_pb.js";
import { LogStore } from "./logs/log-store.js";
import { AssignmentWatch } from "./runners/assignment-watch.js";
import { ControlPlane } from "./runners/control-plane.js";
import { HealthHistory } from "./runners/health-history.js";
import { NodeMonitor } from "./runners/node-monitor.js";
import { DEFAULT_HEARTBEAT_FLUSH_INTERVAL_MS } from "./runners/heartbeat-flusher.js";
import { NodeRegistry } from "./runners/node-registry.js";
import { Scheduler } from "./scheduling/scheduler.js";
import { startApiServer } from "./server.js";
import { createDockerClient } from "./environments/docker-client.js";
import { clientService } from "./services/client-service.js";
import { healthService } from "./services/health-service.js";
import { reflectionIndex } from "./services/reflection-index.js";
import { reflectionServiceV1, reflectionServiceV1alpha } from "./services/reflection-service.js";
import { HealthState } from "./health-state.js";
import { errorMapping, storageFaultLog } from "./services/interceptors.js";
import { AuditLog } from "./auth/audit-log.js";
import { authInterceptor } from "./auth/auth-interceptor.js";
import { AuthStore } from "./auth/auth-store.js";
import { bootstrapAuth, type BootstrapResult } from "./auth/bootstrap.js";
import { DEFAULT_LOGIN_THROTTLE, LoginThrottle, type LoginThrottleOptions } from "./auth/login-throttle.js";
import { peerAddressKey } from "./auth/principal.js";
import { tunnelPrincipal } from "./auth/tunnel-auth.js";
import { AuditRepo } from "./store/audit-repo.js";
import { AuthRepo } from "./store/auth-repo.js";
import { runnerService } from "./services/runner-service.js";
import { startSshProxy, type SshProxy } from "./tunnels/ssh-proxy.js";
import { SshKeyStore } from "./auth/ssh-key-store.js";
import { SshKeyRepo } from "./store/ssh-key-repo.js";
import { startJumpHost, type JumpHost } from "./jump/jump-server.js";
import { loadOrCreateJumpHostKey, type JumpHostKey } from "./jump/jump-host-key.js";
import { TunnelBroker } from "./tunnels/tunnel-broker.js";
import { ExecBroker } from "./exec/exec-broker.js";
import { openDatabase } from "./store/open-db.js";
import { NodeRepo } from "./store/node-repo.js";
import { TaskRepo } from "./store/task-repo.js";
import { SnapshotRepo } from "./store/snapshot-repo.js";
import { VpsLifecycle } from "./vps/vps-lifecycle.js";
import { VpsSnapshots } from "./vps/vps-snapshots.js";
import { join } from "node:path";
import { createIdGenerator } from "./tasks/ids.js";
import { TaskEvents } from "./tasks/task-events.js";
import { DependencyTracker } from "./tasks/dependency-tracker.js";
import { TaskManager } from "./tasks/task-manager.js";
import { ChangeFeed } from "./watch/change-feed.js";
import { SharedLedger } from "./watch/shared-ledger.js";
import { systemClock } from "../shared/clock.js";
import { MAX_MESSAGE_BYTES } from "./tasks/request-limits.js";
import { HostMetrics } from "./metrics/host-metrics.js";
import { METRICS_PATH, metricsEndpoint } from "./metrics/metrics-endpoint.js";
import { rpcMetrics } from "./metrics/rpc-metrics.js";
import { authenticate } from "./auth/authenticator.js";
import type { NodeHandler } from "./http/connect-handler.js";
import type { SubmitDefaults } from "./tasks/submit-spec.js";

/**
 * Default wait for a runner to acknowledge a RunTask (ms). Runners answer at
 * once (a repeat is answered with the task's status), so this only has to
 * outlast a busy stream.
 */
export const DEFAULT_ACK_TIMEOUT_MS = 10_000;

/**
 * Default drain on shutdown (ms): how long, at most, a stopping Host keeps
 * serving while health says NOT_SERVING (see `timing.shutdown_grace`).
 */
export const DEFAULT_SHUTDOWN_GRACE_MS = 1000;

/** Every service the API port serves, ours and the standard ones; health and reflection list exactly these. */
export const SERVED_SERVICES: readonly DescService[] = [ClientService, RunnerService, Health, ServerReflectionV1, ServerReflectionV1alpha];

/** Health watches end by themselves once shutdown begins, so the drain waits for them (their last NOT_SERVING reaches the client). */
const DRAINED_STREAM_PATHS = [`/${Health.typeName}/${Health.method.watch.name}`];

/** The version the Host reports in its cluster description. */
export const HOST_VERSION = "0.1.0";

/** Everything the Host needs to start; units in the names. */
export interface HostOptions {
  readonly bind: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly dbFile: string;
  readonly sharedDir: string;
  readonly heartbeatIntervalMs: number;
  readonly heartbeatTimeoutFactor: number;
  readonly cleanupCheckIntervalMs: number;
  /** Milliseconds between batched heartbeat writes; 0 writes each heartbeat at once; default {@link DEFAULT_HEARTBEAT_FLUSH_INTERVAL_MS}. */
  readonly heartbeatFlushIntervalMs?: number;
  readonly defaults: SubmitDefaults;
  readonly auth: HostAuthOptions;
  /** Tarball directory name under the shared dir. */
  readonly containerDir: string;
  /** Tarballs kept per environment by create-tar. */
  readonly keepTarballs: number;
  readonly log: Logger;
  readonly now?: () => number;
  /** How long a RunTask may go unacknowledged before it is sent again (ms); default {@link DEFAULT_ACK_TIMEOUT_MS}. */
  readonly ackTimeoutMs?: number;
  /** SSH proxy port (REQUEST_TUNNEL protocol); 0 picks a free one; undefined starts no proxy. */
  readonly sshProxyPort?: number;
  /** SSH jump host port (`ssh -J`); 0 picks a free one; undefined starts no jump host. */
  readonly sshJumpPort?: number;
  /** Certificate and key for TLS on the API port; undefined serves plain text (h2c and HTTP/1.1 on one port). */
  readonly tls?: { readonly cert: string; readonly key: string };
  /** The built dashboard served at `/`; default dist/web beside the compiled Host. */
  readonly dashboardDir?: string;
  /**
   * On close, how long at most (ms) the port keeps serving after health
   * turned NOT_SERVING, for calls in flight to finish and load balancers to
   * move away; it closes sooner once no call is left (long streams end at
   * close). Default {@link DEFAULT_SHUTDOWN_GRACE_MS}; 0 closes at once.
   */
  readonly shutdownGraceMs?: number;
}

/** How the Host checks callers. */
export interface HostAuthOptions {
  /** False lets anyone do anything (every caller acts as an admin with no name). */
  readonly enabled: boolean;
  /** Where the first admin and join tokens are written on a first start (mode 0600). */
  readonly stateDir: string;
  /** Host paths any user may mount; other extra mounts need admin. */
  readonly mountAllowList: readonly string[];
  /** How failed logins are slowed; default {@link DEFAULT_LOGIN_THROTTLE}. */
  readonly throttle?: LoginThrottleOptions;
}

/** A running Host. */
export interface HostHandle {
  readonly port: number;
  /** The SSH proxy's port; 0 when no proxy was started. */
  readonly sshProxyPort: number;
  /** The SSH jump host's port and host key; undefined when none was started. */
  readonly sshJump: { readonly port: number; readonly hostKey: JumpHostKey } | undefined;
  readonly scheduler: Scheduler;
  /** Where the first tokens were written, when this start was the first. */
  readonly bootstrap: BootstrapResult | undefined;
  /** Health turns NOT_SERVING, calls in flight finish (within the shutdown grace), then everything stops. */
  close(): Promise<void>;
}

/** The Host without its network listener: routes plus background work. */
export interface HostCore {
  readonly routes: (router: ConnectRouter) => void;
  readonly interceptors: Interceptor[];
  /** Plain HTTP endpoints the API port serves besides the RPCs (`/metrics`). */
  readonly httpRoutes: ReadonlyMap<string, NodeHandler>;
  /** The Prometheus series served at `/metrics`. */
  readonly metrics: HostMetrics;
  readonly scheduler: Scheduler;
  /** Users and tokens (tests make users through it). */
  readonly authStore: AuthStore;
  /** Where the first tokens were written, when this start was the first. */
  readonly bootstrap: BootstrapResult | undefined;
  /** What the standard health service reports; `shutdown()` on it starts a stop. */
  readonly healthState: HealthState;
  /** Tells the cluster description which ports the Host serves on, once they are known. */
  setPorts(apiPort: number, sshProxyPort: number): void;
  /** Starts the raw-socket SSH proxy on `host:port` (0 = a free port). */
  startSshProxy(host: string, port: number): Promise<SshProxy>;
  /**
   * Starts the SSH jump host on `host:port` (0 = a free port), with the host
   * key kept under the state dir (made on the first start), and tells the
   * cluster description its port and key.
   */
  startJumpHost(host: string, port: number): Promise<JumpHost & { readonly hostKey: JumpHostKey }>;
  /** Starts the monitors and the first scheduling pass. */
  start(): void;
  /** Stops background work and closes the database. */
  stop(): Promise<void>;
}

/**
 * Builds every Host part over the database; serving the routes is the
 * caller's choice (an HTTP/2 server, or an in-memory transport in tests).
 */
export async function createHostCore(options: HostOptions): Promise<HostCore> {
  const now = options.now ?? Date.now;
  const { log } = options;
  const database = await openDatabase(options.dbFile === ":memory:" ? ":memory:" : options.dbFile);
  // Watchers hear of every task and node change through this one feed.
  const feed = new ChangeFeed();
  const nodes = new NodeRegistry(new NodeRepo(database.db), feed, {
    heartbeatFlushIntervalMs: options.heartbeatFlushIntervalMs ?? DEFAULT_HEARTBEAT_FLUSH_INTERVAL_MS,
    // Logged once per failed flush (at most one per interval); the nodes stay online and are written at the next.
    onFlushError: (error, count) => log.warn({ err: error, nodes: count }, "could not store heartbeats (kept in memory; nodes stay online; tried again at the next flush)"),
  });
  await nodes.load();
  const metrics = new HostMetrics({ nodes, now });
  const repo = new TaskRepo(database.db, { groupCommit: { onCommit: (seconds, members) => metrics.commitObserved(seconds, members) } });
  // The one scan of the tasks table that /metrics costs: every later scrape reads memory.
  metrics.seedTasks(await repo.countByStatusAndKind(), await repo.pendingSubmitTimes(), await repo.awaitingDependencyIds());
  const events = new TaskEvents(systemClock, feed);
  const ledger = new SharedLedger(repo, feed);
  const stopping = new AbortController();
  const logs = new LogStore(options.sharedDir, {
    onAppend: (taskId) => events.changed(taskId),
    now,
    onTimesLost: (error) => log.warn({ err: error }, "could not store when task output arrived; logs --since and --timestamps fall back to nearby times for it"),
  });
  const ids = createIdGenerator(now, await repo.maxId());
  const tasks = new TaskManager({ repo, nodes, events, ids, now, confirmTimeoutMs: 10_000, log, observer: metrics });
  const ackTimeoutMs = options.ackTimeoutMs ?? DEFAULT_ACK_TIMEOUT_MS;
  const watch = new AssignmentWatch({ nodes, repo, tasks, log, now, ackTimeoutMs, maxResends: 3, checkIntervalMs: Math.min(1000, ackTimeoutMs) });
  // The scheduler hears of capacity changes (task ends, submissions, joins, undrains) through `events`.
  const scheduler = new Scheduler({ repo, tasks, nodes, log, watch, events });
  // Task ends release (or fail) the tasks waiting for them; a release is a capacity change for the scheduler.
  const dependencies = new DependencyTracker({ repo, tasks, events, log });
  const authStore = new AuthStore(new AuthRepo(database.db), now, log);
  await authStore.load();
  const bootstrap = options.auth.enabled ? await bootstrapAuth(authStore, options.auth.stateDir) : undefined;
  const audit = new AuditLog(new AuditRepo(database.db), log);
  const sshKeys = new SshKeyStore(new SshKeyRepo(database.db), now);
  await sshKeys.load();
  const throttle = new LoginThrottle(options.auth.throttle ?? DEFAULT_LOGIN_THROTTLE, now);
  const authDeps = { store: authStore, throttle, audit, now, log };
  const tarballDir = join(options.sharedDir, options.containerDir);
  const snapshots = new VpsSnapshots({ nodes, repo: new SnapshotRepo(database.db), tarballDir, now, log });
  const lifecycle = new VpsLifecycle({ tasks, nodes, snapshots: new SnapshotRepo(database.db), scheduler, tarballDir, log });
  const plane = new ControlPlane({
    watch, nodes, repo, tasks, logs, events, log, now,
    heartbeatIntervalMs: options.heartbeatIntervalMs,
    tokenLive: (tokenId) => authStore.isLive(tokenId),
    runnerFigures: (node, figures) => metrics.runnerFigures(node, figures),
    snapshotReported: (node, event) => snapshots.reported(node, event),
  });
  const ports = { api: options.port, sshProxy: 0 };
  const jump = { port: 0, hostKey: "" };
  const facts = {
    version: HOST_VERSION,
    apiPort: () => ports.api,
    sshProxyPort: () => ports.sshProxy,
    sshJumpPort: () => jump.port,
    sshJumpHostKey: () => jump.hostKey,
    authEnabled: options.auth.enabled,
    tls: options.tls !== undefined,
    heartbeatIntervalMs: options.heartbeatIntervalMs,
  };
  const monitor = new NodeMonitor({
    nodes,
    repo,
    tasks,
    log,
    now,
    timeoutMs: options.heartbeatIntervalMs * options.heartbeatTimeoutFactor,
    checkIntervalMs: options.cleanupCheckIntervalMs,
  });
  const health = new HealthHistory(nodes, () => repo.activityCounts(), now, log);
  const broker = new TunnelBroker(nodes);
  const execs = new ExecBroker(nodes);
  const healthState = new HealthState(SERVED_SERVICES.map((service) => service.typeName));
  const reflection = reflectionIndex(SERVED_SERVICES);
  const environments = { docker: createDockerClient(), sharedDir: options.sharedDir, containerDir: options.containerDir, keepTarballs: options.keepTarballs, log };
  const metricsHandler = metricsEndpoint({
    render: () => metrics.render(),
    contentType: metrics.contentType,
    authEnabled: options.auth.enabled,
    authenticate: (token, address) =>
      authenticate(authDeps, {
        token,
        address,
        what: "metrics",
        missingHint: "/metrics needs a user's token: send Authorization: Bearer TOKEN (a viewer token is enough; hakuriver user add and hakuriver token create --user make one)",
        failedHint: "send a valid user token as Authorization: Bearer TOKEN",
      }),
    log,
  });
  return {
    scheduler,
    metrics,
    httpRoutes: new Map([[METRICS_PATH, metricsHandler]]),
    authStore,
    bootstrap,
    healthState,
    setPorts: (api, sshProxy) => {
      ports.api = api;
      ports.sshProxy = sshProxy;
    },
    startSshProxy: (host, port) =>
      startSshProxy(host, port, {
        repo,
        nodes,
        broker,
        log,
        authenticate: (token, address) => tunnelPrincipal(options.auth.enabled, authDeps, token, address),
        meter: metrics,
        recordTunnel: (entry) => audit.record({ at: now(), actor: entry.actor, action: "tunnel", target: entry.taskId, outcome: entry.outcome, address: entry.address, detail: entry.detail }),
      }),
    startJumpHost: async (host, port) => {
      const hostKey = loadOrCreateJumpHostKey(options.auth.stateDir);
      const started = await startJumpHost(host, port, {
        repo,
        nodes,
        broker,
        keys: sshKeys,
        hostKey,
        log,
        meter: metrics,
        principalOf: (user) => {
          if (!options.auth.enabled) return { kind: "user", user, role: "admin", tokenId: "" };
          const found = authStore.findUser(user);
          return found ? { kind: "user", user: found.name, role: found.role, tokenId: "" } : undefined;
        },
        recordJump: (entry) => audit.record({ at: now(), actor: entry.actor, action: "jump", target: entry.target, outcome: entry.outcome, address: entry.address, detail: entry.detail }),
      });
      jump.port = started.port;
      jump.hostKey = hostKey.publicKey;
      return { ...started, hostKey };
    },
    // Outermost first: the RPC count sees the code the caller gets.
    interceptors: [rpcMetrics(metrics), errorMapping, storageFaultLog(log), authInterceptor({ ...authDeps, enabled: options.auth.enabled })],
    routes: (router) => {
      router.service(
        ClientService,
        clientService({
          tasks,
          repo,
          nodes,
          logs,
          events,
          scheduler,
          health,
          defaults: options.defaults,
          now,
          settleMs: 5_000,
          environments,
          mountAllowList: options.auth.mountAllowList,
          dependencies,
          auth: { store: authStore, audit, facts },
          sshKeys: { keys: sshKeys, users: authStore, authEnabled: options.auth.enabled },
          watch: { feed, repo, nodes, ledger, clock: systemClock, hostStopping: stopping.signal },
          vps: { lifecycle, snapshots },
          broker,
          forwardMeter: metrics.forwards,
          execs,
        }),
      );
      router.service(RunnerService, runnerService({ plane, broker, execs, log }));
      router.service(Health, healthService(healthState));
      router.service(ServerReflectionV1, reflectionServiceV1(reflection));
      router.service(ServerReflectionV1alpha, reflectionServiceV1alpha(reflection));
    },
    start: () => {
      nodes.start();
      monitor.start();
      watch.start();
      health.start();
      dependencies.start();
      scheduler.start();
    },
    stop: async () => {
      // Watches end first (cleanly): they would otherwise read a closed database.
      healthState.shutdown();
      stopping.abort();
      await audit.flush();
      monitor.stop();
      watch.stop();
      health.stop();
      await dependencies.stop();
      await scheduler.stop();
      // The heartbeats not stored yet, so a restart lists the nodes as last seen.
      await nodes.stop().catch((error: unknown) => log.warn({ err: error }, "could not store the last heartbeats at shutdown; a restart shows older last-seen times"));
      await database.close();
    },
  };
}

/** Starts a Host and resolves once its API port listens. */
export async function startHost(options: HostOptions): Promise<HostHandle> {
  const core = await createHostCore(options);
  const server = await startApiServer({
    host: options.bind,
    port: options.port,
    interceptors: core.interceptors,
    pingIntervalMs: Math.max(1000, Math.min(10_000, options.heartbeatIntervalMs)),
    pingTimeoutMs: Math.max(1000, Math.min(10_000, options.heartbeatIntervalMs)),
    routes: core.routes,
    readMaxBytes: MAX_MESSAGE_BYTES,
    peerAddressKey,
    tls: options.tls,
    ...(options.dashboardDir !== undefined ? { dashboardDir: options.dashboardDir } : {}),
    drainedStreamPaths: DRAINED_STREAM_PATHS,
    httpRoutes: core.httpRoutes,
    log: options.log,
  });
  const sshProxy = options.sshProxyPort === undefined ? undefined : await core.startSshProxy(options.bind, options.sshProxyPort);
  const sshJump = options.sshJumpPort === undefined ? undefined : await core.startJumpHost(options.bind, options.sshJumpPort);
  core.setPorts(server.port, sshProxy?.port ?? 0);
  core.start();
  options.log.info({ port: server.port, sshProxyPort: sshProxy?.port, sshJumpPort: sshJump?.port, db: options.dbFile, sharedDir: options.sharedDir }, "host listening");
  return {
    port: server.port,
    sshProxyPort: sshProxy?.port ?? 0,
    sshJump: sshJump ? { port: sshJump.port, hostKey: sshJump.hostKey } : undefined,
    scheduler: core.scheduler,
    bootstrap: core.bootstrap,
    close: async () => {
      // NOT_SERVING first, while the port still answers: probes and load balancers see the stop coming.
      core.healthState.shutdown();
      const graceMs = options.shutdownGraceMs ?? DEFAULT_SHUTDOWN_GRACE_MS;
      const left = await server.drain(graceMs);
      if (left > 0) options.log.warn({ left, graceMs }, "shutdown grace over: closing with calls still in flight");
      await sshProxy?.close();
      await sshJump?.close();
      await server.close();
      await core.stop();
    },
  };
}

