/**
 * Table shapes of the Host's SQLite database, as Kysely sees them.
 * Times are Unix milliseconds; JSON columns hold arrays or objects.
 */
import type { Generated } from "kysely";
/** One runner node. */
export interface NodeTable {
  name: string;
  /** JSON of {@link import("../../../gen/hakuriver/v1/types_pb.js").Resources} init. */
  resources_json: string;
  usage_json: string;
  last_heartbeat: number;
  drained: number;
  version: string;
  registered_at: number;
  /** The join token that first registered this name; only it may use the name again. */
  join_token_id: string | null;
}

/** One task; task_id is a 53-bit sortable integer rendered as a decimal string. */
export interface TaskTable {
  task_id: number;
  batch_id: number;
  kind: string;
  status: string;
  command: string;
  args_json: string;
  env_json: string;
  cores: number;
  memory_bytes: number;
  container: string;
  privileged: number;
  mounts_json: string;
  target: string;
  assigned_node: string | null;
  numa_node: number | null;
  gpus_json: string;
  /** GPUs asked for by count; the indexes given are in gpus_json once placed (migration 0006). 0 = none by count. */
  gpu_count: number;
  exit_code: number | null;
  message: string;
  submitted_at: number;
  started_at: number | null;
  completed_at: number | null;
  ssh_port: number;
  /** A VPS's sshd public host keys, one per line; empty = not known (migration 0003). */
  ssh_host_keys: string;
  public_key: string;
  /** Final sizes of the output streams as the runner reported them (-1 = unknown). */
  stdout_final_bytes: number;
  stderr_final_bytes: number;
  /** User who submitted it; empty when auth was off. */
  owner: string;
  /** Longest running time in ms; 0 = no limit (migration 0004, which defaults it to 0). */
  time_limit_ms: number;
  /** Its name; empty = none (migration 0007). */
  name: string;
  /** JSON object of its labels, key → value (migration 0007); task_labels holds the same pairs for filtering. */
  labels_json: string;
  /** JSON list of what it waits for: `{onId, batch, requireOk}` (migration 0005). */
  dependencies_json: string;
  /** 1 while it is PENDING waiting for its dependencies (the scheduler skips it), else 0. */
  awaiting_dependencies: number;
  /** Why the scheduler chose assigned_node; empty until placed (migration 0009). */
  placement_reason: string;
  /** VPS: the node a queued start of the stopped VPS must run on; null = no start queued (migration 0010). */
  start_on: string | null;
  /** VPS: the snapshot that start creates its container from; "" = its kept container (migration 0010). */
  start_from: string;
}

/** One VPS snapshot: an environment tarball in shared storage (migration 0010). */
export interface VpsSnapshotTable {
  name: string;
  task_id: number;
  node: string;
  owner: string;
  tarball: string;
  size_bytes: number;
  created_at: number;
}

/** One dependency edge: task `task_id` waits for task (or, with on_batch 1, batch) `on_id`. */
export interface TaskDependencyTable {
  task_id: number;
  on_id: number;
  on_batch: number;
  /** 1 for after_ok (it must complete), 0 for after (any end). */
  require_ok: number;
}

/** One label of one task, for filtering by label in SQL (migration 0007). */
export interface TaskLabelTable {
  task_id: number;
  key: string;
  value: string;
}

/** One submission of one or more tasks. */
export interface BatchTable {
  batch_id: number;
  kind: string;
  task_count: number;
  submitted_at: number;
}

/** One user account. */
export interface UserTable {
  name: string;
  role: string;
  created_at: number;
}

/** One token: a user's API token or a runner join token; only the secret's hash is kept. */
export interface TokenTable {
  token_id: string;
  /** "user" or "join". */
  kind: string;
  user_name: string | null;
  label: string;
  secret_hash: string;
  created_at: number;
  expires_at: number | null;
  revoked_at: number | null;
  last_used_at: number | null;
}

/** One audited call. */
export interface AuditTable {
  id: Generated<number>;
  at: number;
  actor: string;
  action: string;
  target: string;
  outcome: string;
  address: string;
  detail: string;
}

/** One SSH public key registered for a user (migration 0011); the jump host lets it through to their VPS. */
export interface SshKeyTable {
  key_id: string;
  /** "" when added with auth off and no user named. */
  user_name: string;
  type: string;
  /** The key blob, base64. */
  key_base64: string;
  /** "SHA256:..." as ssh-keygen -l prints it; unique. */
  fingerprint: string;
  comment: string;
  created_at: number;
}

/** The Host database; applied migrations are tracked in Kysely's own tables. */
export interface Database {
  nodes: NodeTable;
  tasks: TaskTable;
  task_dependencies: TaskDependencyTable;
  task_labels: TaskLabelTable;
  batches: BatchTable;
  users: UserTable;
  tokens: TokenTable;
  audit_events: AuditTable;
  vps_snapshots: VpsSnapshotTable;
  ssh_keys: SshKeyTable;
}
