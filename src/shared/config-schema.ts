/**
 * The one table of settings: every key's section, type, default, meaning and
 * its field in the typed {@link Config}. Defaults, TOML validation,
 * `HAKURIVER_*` environment names, the commented file that
 * `hakuriver init config` writes and the `Config` type all come from here.
 */

/** Kinds of setting values a TOML file or an environment variable may hold. */
export type SettingType = "string" | "number" | "boolean" | "string[]";

/**
 * How a value in the file becomes its field in the {@link Config}, once:
 * `seconds` to milliseconds (the field ends in `Ms`), `path` with a leading
 * `~/` expanded to the home directory; absent means taken as it is.
 */
export type SettingConversion = "seconds" | "path";

/** One setting: `section.key` in TOML, `HAKURIVER_SECTION_KEY` in the environment, `field` in the Config. */
export interface SettingSpec {
  readonly section: string;
  readonly key: string;
  readonly type: SettingType;
  readonly defaultValue: string | number | boolean | readonly string[];
  readonly doc: string;
  /** The name of the setting in the typed {@link Config}. */
  readonly field: string;
  readonly convert?: SettingConversion;
}

/** Every setting, in the order `init config` writes them. */
export const SETTINGS = [
  { section: "network", key: "host_bind_ip", field: "hostBindIp", type: "string", defaultValue: "0.0.0.0", doc: "Address the Host's API and SSH proxy listen on." },
  { section: "network", key: "host_port", field: "hostPort", type: "number", defaultValue: 8000, doc: "Host API port (gRPC, gRPC-web and Connect on one port)." },
  { section: "network", key: "host_ssh_proxy_port", field: "hostSshProxyPort", type: "number", defaultValue: 8002, doc: "Host SSH proxy port (REQUEST_TUNNEL protocol)." },
  { section: "network", key: "host_ssh_jump_port", field: "hostSshJumpPort", type: "number", defaultValue: 8003, doc: "Host SSH jump host port: stock OpenSSH reaches a VPS with ssh -J jump@HOST:PORT root@vps-ID (keys: the VPS's own, or hakuriver key add). Listens on host_bind_ip like the proxy; -1 starts none." },
  { section: "network", key: "host_reachable_address", field: "hostReachableAddress", type: "string", defaultValue: "127.0.0.1", doc: "Address runners and clients use to reach the Host." },
  { section: "paths", key: "shared_dir", field: "sharedDir", type: "string", convert: "path", defaultValue: "~/.hakuriver/shared", doc: "Shared storage: task logs, shared_data (mounted at /shared), environment tarballs." },
  { section: "paths", key: "local_temp_dir", field: "localTempDir", type: "string", convert: "path", defaultValue: "~/.hakuriver/temp", doc: "Node-local scratch space (mounted at /local_temp) and runner state." },
  { section: "paths", key: "numactl_path", field: "numactlPath", type: "string", convert: "path", defaultValue: "", doc: "numactl binary that binds native tasks to a NUMA node; empty means numactl on the task's PATH." },
  { section: "database", key: "db_file", field: "dbFile", type: "string", convert: "path", defaultValue: "~/.hakuriver/cluster.db", doc: "SQLite file of the Host's state." },
  { section: "timing", key: "heartbeat_interval", field: "heartbeatIntervalMs", type: "number", convert: "seconds", defaultValue: 5, doc: "Seconds between runner heartbeats (the Host tells runners this value)." },
  { section: "timing", key: "heartbeat_timeout_factor", field: "heartbeatTimeoutFactor", type: "number", defaultValue: 6, doc: "A node with no heartbeat for interval x factor seconds is offline and its running tasks lost." },
  { section: "timing", key: "heartbeat_flush_interval", field: "heartbeatFlushIntervalMs", type: "number", convert: "seconds", defaultValue: 5, doc: "Host: seconds between writes of runner heartbeats to the database (one transaction for all nodes); the Host shows each heartbeat at once from memory and writes the rest at shutdown, so a crash loses at most this much of the last-seen times shown for nodes. 0 writes every heartbeat as it arrives." },
  { section: "timing", key: "cleanup_check_interval", field: "cleanupCheckIntervalMs", type: "number", convert: "seconds", defaultValue: 1, doc: "Seconds between the Host's checks for silent nodes." },
  { section: "timing", key: "shutdown_grace", field: "shutdownGraceMs", type: "number", convert: "seconds", defaultValue: 1, doc: "Host: at most this many seconds between a stop signal and closing the port; health checks say NOT_SERVING from the signal on, new calls are still served and calls in flight finish. It closes sooner once none is left (long streams end at close); 0 closes at once." },
  { section: "runner", key: "name", field: "runnerName", type: "string", defaultValue: "", doc: "Node name the runner registers under; empty means the hostname." },
  { section: "runner", key: "docker_host", field: "dockerHost", type: "string", defaultValue: "", doc: "Docker engine socket for the runner; empty means DOCKER_HOST or /var/run/docker.sock." },
  { section: "runner", key: "backoff_ms", field: "backoffBaseMs", type: "number", defaultValue: 500, doc: "Milliseconds the runner waits before its first reconnect to the Host; each further try waits longer (with jitter, at most 10 s)." },
  { section: "docker", key: "container_dir", field: "containerDir", type: "string", defaultValue: "hakuriver-containers", doc: "Tarball directory under shared_dir." },
  { section: "docker", key: "default_container_name", field: "defaultContainerName", type: "string", defaultValue: "NULL", doc: "Environment used when a task names none; NULL runs natively." },
  { section: "docker", key: "tasks_privileged", field: "tasksPrivileged", type: "boolean", defaultValue: false, doc: "Run task containers with --privileged by default." },
  { section: "docker", key: "additional_mounts", field: "additionalMounts", type: "string[]", defaultValue: [], doc: "Extra HOST:CONTAINER[:ro] mounts for every task." },
  { section: "docker", key: "keep_tarballs", field: "keepTarballs", type: "number", defaultValue: 1, doc: "How many tarballs per environment create-tar keeps." },
  { section: "scheduler", key: "queue", field: "queue", type: "boolean", defaultValue: true, doc: "Queue tasks when no node has room; false rejects at once like the original." },
  { section: "scheduler", key: "default_time_limit", field: "defaultTimeLimit", type: "string", defaultValue: "", doc: "Host: time limit of a task submitted without --time-limit, as a duration (2h30m, 1d); the task ends timeout after running that long (queued and paused time do not count). Empty means no limit." },
  { section: "auth", key: "enabled", field: "authEnabled", type: "boolean", defaultValue: true, doc: "Host: require a credential on every call (users, roles, tokens; the admin and join tokens are made on first start). false lets anyone do anything." },
  { section: "auth", key: "token", field: "token", type: "string", defaultValue: "", doc: "Client: the token to send (wins over ~/.hakuriver/credentials, which `hakuriver login` writes)." },
  { section: "auth", key: "join_token", field: "joinToken", type: "string", defaultValue: "", doc: "Runner: the join token to present; empty means the contents of auth.join_token_file." },
  { section: "auth", key: "join_token_file", field: "joinTokenFile", type: "string", convert: "path", defaultValue: "~/.hakuriver/join.token", doc: "Runner: file holding the join token (the Host writes it there on first start when it shares this machine's ~/.hakuriver)." },
  { section: "auth", key: "mount_allow_list", field: "mountAllowList", type: "string[]", defaultValue: [], doc: "Host: host paths (and what is under them) that any user may mount into tasks; every other extra mount needs admin." },
  { section: "tls", key: "mode", field: "tlsMode", type: "string", defaultValue: "", doc: "Host: \"auto\" makes a self-signed certificate on first start (under the state dir) and prints its SHA-256 fingerprint; \"off\" serves plain text; empty means files when cert_file is set, else plain text on a loopback bind and auto on any other." },
  { section: "tls", key: "cert_file", field: "tlsCertFile", type: "string", convert: "path", defaultValue: "", doc: "Host: PEM certificate (chain) for the API port; needs key_file." },
  { section: "tls", key: "key_file", field: "tlsKeyFile", type: "string", convert: "path", defaultValue: "", doc: "Host: PEM private key of cert_file." },
  { section: "tls", key: "ca_file", field: "tlsCaFile", type: "string", convert: "path", defaultValue: "", doc: "Clients and runners: PEM CA (or the Host's own certificate) to verify the Host against; setting it means TLS." },
  { section: "tls", key: "fingerprint", field: "tlsFingerprint", type: "string", defaultValue: "", doc: "Clients and runners: the Host certificate's SHA-256 fingerprint to pin (as the Host prints it); setting it means TLS." },
  { section: "logging", key: "level", field: "logLevel", type: "string", defaultValue: "", doc: "Host and runner: log level (trace, debug, info, warn, error, fatal, silent); empty means HAKURIVER_LOG_LEVEL, else info. --log-level wins." },
  { section: "logging", key: "file", field: "logFile", type: "string", convert: "path", defaultValue: "", doc: "Host and runner: write JSON log lines to this file instead of stderr, rotated by size: host.log becomes host.1.log, host.2.log, ... (the highest number is the one in use). --log-file wins." },
  { section: "logging", key: "max_size", field: "logMaxSize", type: "string", defaultValue: "10Mi", doc: "Size at which the log file rolls over to the next number (K, M, G are 1000-based; Ki, Mi, Gi 1024-based)." },
  { section: "logging", key: "max_files", field: "logMaxFiles", type: "number", defaultValue: 5, doc: "How many log files to keep, the one in use included; older ones are removed as it rolls." },
] as const satisfies readonly SettingSpec[];

/**
 * Variables that live only in the environment, beside {@link SETTINGS}: they
 * choose the file itself, override it for one client, or are read before any
 * file is loaded. `init config` lists them too.
 */
export const ENVIRONMENT_ONLY = {
  config: { name: "HAKURIVER_CONFIG", doc: "Config file to read instead of ~/.hakuriver/config.toml (--config wins)." },
  host: { name: "HAKURIVER_HOST", doc: "Host address ADDR:PORT for client commands (--host wins; else network.host_reachable_address:network.host_port)." },
  logLevel: { name: "HAKURIVER_LOG_LEVEL", doc: "Log level of the Host and runners: trace, debug, info (default), warn, error (logging.level and --log-level win)." },
  completionTimeout: { name: "HAKURIVER_COMPLETION_TIMEOUT_MS", doc: "Shell completion: how long to wait for the Host's task ids, in ms (default 300); past it no ids are offered." },
} as const;

/** One row of {@link SETTINGS}, with its literal types. */
export type SettingRow = (typeof SETTINGS)[number];

/** A setting's name as flags and `Settings` key it: `network.host_port`. */
export type SettingName = SettingRow extends infer R ? (R extends SettingRow ? `${R["section"]}.${R["key"]}` : never) : never;

interface ValueOfType {
  string: string;
  number: number;
  boolean: boolean;
  "string[]": readonly string[];
}

/**
 * The typed settings, derived from {@link SETTINGS}: one field per row, its
 * units already converted (`heartbeatIntervalMs` is milliseconds though the
 * file says seconds) and paths expanded. Made by `toConfig`.
 */
export type Config = { readonly [R in SettingRow as R["field"]]: ValueOfType[R["type"]] };
