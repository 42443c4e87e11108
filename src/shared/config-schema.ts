/**
 * The one table of settings: every key's section, type, default and meaning.
 * Defaults, TOML validation, `HAKURIVER_*` environment names and the
 * commented file that `hakuriver init config` writes all come from here.
 */

/** Kinds of setting values a TOML file or an environment variable may hold. */
export type SettingType = "string" | "number" | "boolean" | "string[]";

/** One setting: `section.key` in TOML, `HAKURIVER_SECTION_KEY` in the environment. */
export interface SettingSpec {
  readonly section: string;
  readonly key: string;
  readonly type: SettingType;
  readonly defaultValue: string | number | boolean | readonly string[];
  readonly doc: string;
}

/** Every setting, in the order `init config` writes them. */
export const SETTINGS: readonly SettingSpec[] = [
  { section: "network", key: "host_bind_ip", type: "string", defaultValue: "0.0.0.0", doc: "Address the Host's API and SSH proxy listen on." },
  { section: "network", key: "host_port", type: "number", defaultValue: 8000, doc: "Host API port (gRPC, gRPC-web and Connect on one port)." },
  { section: "network", key: "host_ssh_proxy_port", type: "number", defaultValue: 8002, doc: "Host SSH proxy port (REQUEST_TUNNEL protocol)." },
  { section: "network", key: "host_reachable_address", type: "string", defaultValue: "127.0.0.1", doc: "Address runners and clients use to reach the Host." },
  { section: "paths", key: "shared_dir", type: "string", defaultValue: "~/.hakuriver/shared", doc: "Shared storage: task logs, shared_data (mounted at /shared), environment tarballs." },
  { section: "paths", key: "local_temp_dir", type: "string", defaultValue: "~/.hakuriver/temp", doc: "Node-local scratch space (mounted at /local_temp) and runner state." },
  { section: "paths", key: "numactl_path", type: "string", defaultValue: "", doc: "numactl binary; empty means numactl on PATH." },
  { section: "database", key: "db_file", type: "string", defaultValue: "~/.hakuriver/cluster.db", doc: "SQLite file of the Host's state." },
  { section: "timing", key: "heartbeat_interval", type: "number", defaultValue: 5, doc: "Seconds between runner heartbeats (the Host tells runners this value)." },
  { section: "timing", key: "heartbeat_timeout_factor", type: "number", defaultValue: 6, doc: "A node with no heartbeat for interval x factor seconds is offline and its running tasks lost." },
  { section: "timing", key: "cleanup_check_interval", type: "number", defaultValue: 1, doc: "Seconds between the Host's checks for silent nodes." },
  { section: "runner", key: "name", type: "string", defaultValue: "", doc: "Node name the runner registers under; empty means the hostname." },
  { section: "runner", key: "docker_host", type: "string", defaultValue: "", doc: "Docker engine socket for the runner; empty means DOCKER_HOST or /var/run/docker.sock." },
  { section: "docker", key: "container_dir", type: "string", defaultValue: "hakuriver-containers", doc: "Tarball directory under shared_dir." },
  { section: "docker", key: "default_container_name", type: "string", defaultValue: "NULL", doc: "Environment used when a task names none; NULL runs natively." },
  { section: "docker", key: "tasks_privileged", type: "boolean", defaultValue: false, doc: "Run task containers with --privileged by default." },
  { section: "docker", key: "additional_mounts", type: "string[]", defaultValue: [], doc: "Extra HOST:CONTAINER[:ro] mounts for every task." },
  { section: "docker", key: "keep_tarballs", type: "number", defaultValue: 1, doc: "How many tarballs per environment create-tar keeps." },
  { section: "scheduler", key: "queue", type: "boolean", defaultValue: true, doc: "Queue tasks when no node has room; false rejects at once like the original." },
  { section: "auth", key: "token", type: "string", defaultValue: "", doc: "Join/client token (reserved for authentication)." },
];
