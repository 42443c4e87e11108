/**
 * The catalogue of error reasons: the `reason` of the `google.rpc.ErrorInfo`
 * (domain {@link ERROR_DOMAIN}) that every DomainError with a reason carries.
 * A reason is stable: clients may switch on it. Messages may be reworded,
 * reasons are never renamed or reused; add new ones at the end of a group.
 *
 * Each entry says when it happens, the gRPC code, the details beside it, and
 * what a client can do.
 */

/** The `google.rpc.ErrorInfo.domain` of every HakuRiver reason. */
export const ERROR_DOMAIN = "hakuriver.dev";

/** `google.rpc.ResourceInfo.resource_type` values: the proto message each kind of resource is. */
export const RESOURCE_TYPE = {
  task: "hakuriver.v1.Task",
  node: "hakuriver.v1.Node",
  gpu: "hakuriver.v1.Gpu",
  user: "hakuriver.v1.User",
  token: "hakuriver.v1.TokenInfo",
  container: "hakuriver.v1.EnvContainer",
  tarball: "hakuriver.v1.Tarball",
  snapshot: "hakuriver.v1.Snapshot",
  sshKey: "hakuriver.v1.SshKey",
} as const;

/** Stable error reasons, grouped by where they arise. */
export const ErrorReason = {
  // ── Submissions: INVALID_ARGUMENT with a BadRequest naming the field ──
  /** `command` is empty for a command task. Put the command after `--`. */
  EMPTY_COMMAND: "EMPTY_COMMAND",
  /** `cores` is negative or not a number. Send zero (no limit) or more. */
  INVALID_CORES: "INVALID_CORES",
  /** `memory` is not a size (field violation lists the accepted forms: 512M, 4G, 1.5G, 256Mi), or is too large. */
  INVALID_MEMORY_SIZE: "INVALID_MEMORY_SIZE",
  /** An `env` key is not a variable name (letters, digits, _; not starting with a digit). metadata `name`. */
  INVALID_ENV_NAME: "INVALID_ENV_NAME",
  /** `container` is not a valid environment name (2+ lowercase letters/digits, single . _ - between). */
  INVALID_ENVIRONMENT_NAME: "INVALID_ENVIRONMENT_NAME",
  /** A `mounts[i]` is not `HOST_PATH:/container/path[:ro|:rw]`. */
  INVALID_MOUNT: "INVALID_MOUNT",
  /** `public_key` of a VPS is not one OpenSSH public key line. */
  INVALID_PUBLIC_KEY: "INVALID_PUBLIC_KEY",
  /** A VPS was asked for with `container` NULL. Name an environment. */
  VPS_NEEDS_CONTAINER: "VPS_NEEDS_CONTAINER",
  /** A VPS was given more than one target. Give at most one. */
  VPS_SINGLE_TARGET: "VPS_SINGLE_TARGET",
  /** `sweep` was set on a VPS. Sweeps apply to command tasks only. */
  SWEEP_NOT_FOR_VPS: "SWEEP_NOT_FOR_VPS",
  /** A `targets[i]` is malformed (use node, node:NUMA, node::GPU[,GPU] or node:NUMA::GPU). */
  INVALID_TARGET: "INVALID_TARGET",
  /** A span in `command`/`args` is malformed or expands to nothing (field `args`). */
  INVALID_SWEEP: "INVALID_SWEEP",
  /** One argument, variable, mount, key or the whole command line is past its byte limit. metadata `limit_bytes`. */
  ARGUMENT_TOO_LARGE: "ARGUMENT_TOO_LARGE",
  /** More `mounts` than the limit. metadata `limit`. */
  TOO_MANY_MOUNTS: "TOO_MANY_MOUNTS",
  /** More `targets` than the limit. metadata `limit`. */
  TOO_MANY_TARGETS: "TOO_MANY_TARGETS",
  /** Targets × sweep combinations make more tasks than one submission may. metadata `tasks`, `limit`. Split it. */
  TOO_MANY_TASKS: "TOO_MANY_TASKS",
  /** `time_limit` is not a positive duration (field violation lists the accepted forms: 90s, 45m, 2h30m, 1d), or is too long. */
  INVALID_TIME_LIMIT: "INVALID_TIME_LIMIT",
  /** `gpu_count` is 0 or less, or is given with a target that names GPUs (`node::0,1`). Ask for 1 or more, or name the GPUs instead. */
  INVALID_GPU_COUNT: "INVALID_GPU_COUNT",
  /** `name` holds a control character or line break, or is past 128 characters. metadata `limit` when too long. */
  INVALID_NAME: "INVALID_NAME",
  /** A `labels` entry is malformed (no `=` on the CLI, a bad key, a value too long or unprintable), or there are too many. metadata `key` or `limit`. */
  INVALID_LABEL: "INVALID_LABEL",
  /** An `after[i]`/`after_ok[i]` is not a decimal id. */
  INVALID_DEPENDENCY: "INVALID_DEPENDENCY",
  /** An `after[i]`/`after_ok[i]` names no task or batch. metadata `id`. Use an id that SubmitTask or ListTasks gave. */
  DEPENDENCY_NOT_FOUND: "DEPENDENCY_NOT_FOUND",
  /** The dependencies would make tasks wait for themselves (field `after`/`after_ok`, metadata `id`). */
  DEPENDENCY_CYCLE: "DEPENDENCY_CYCLE",
  /** More `after` and `after_ok` ids than the limit. metadata `limit`. */
  TOO_MANY_DEPENDENCIES: "TOO_MANY_DEPENDENCIES",
  /** Dependencies with `no_queue`, or with the Host's queue off: a task that waits for others must queue. */
  DEPENDENCY_NEEDS_QUEUE: "DEPENDENCY_NEEDS_QUEUE",

  // ── Other request fields: INVALID_ARGUMENT with a BadRequest ──
  /** A `task_id` is not a decimal number. */
  INVALID_TASK_ID: "INVALID_TASK_ID",
  /** Some other request field is out of range or malformed (the field violation names it). */
  INVALID_FIELD: "INVALID_FIELD",

  // ── Placement at submit ──
  /** A target names a node the Host does not know. NOT_FOUND, ResourceInfo (hakuriver.v1.Node). Pick a node from ListNodes. */
  NODE_NOT_FOUND: "NODE_NOT_FOUND",
  /** A target names an offline node. FAILED_PRECONDITION (NODE_STATUS) or, for pause/resume, UNAVAILABLE. Retry when it reconnects. */
  NODE_OFFLINE: "NODE_OFFLINE",
  /** A target names a drained node. FAILED_PRECONDITION (NODE_STATUS). Undrain it or pick another. */
  NODE_DRAINED: "NODE_DRAINED",
  /** A target names a NUMA node the node lacks. INVALID_ARGUMENT, field `targets[i]`, metadata `valid`. */
  NO_SUCH_NUMA_NODE: "NO_SUCH_NUMA_NODE",
  /** A target names GPUs the node lacks. INVALID_ARGUMENT, field `targets[i]`, metadata `gpus`, `valid`. */
  NO_SUCH_GPU: "NO_SUCH_GPU",
  /** The task asks for more cores, memory or GPUs (by count) than the node (or NUMA node, or every node) has. INVALID_ARGUMENT, field `cores`/`memory`/`gpu_count`. */
  EXCEEDS_NODE_CAPACITY: "EXCEEDS_NODE_CAPACITY",
  /** With `no_queue`, a GPU the task needs is held. RESOURCE_EXHAUSTED, ResourceInfo of the holding task, metadata `gpus`, `held_by`. Queue instead, or wait. */
  GPU_IN_USE: "GPU_IN_USE",
  /** With `no_queue`, no node has room now. RESOURCE_EXHAUSTED. Queue instead, or retry later. */
  NO_CAPACITY_NOW: "NO_CAPACITY_NOW",

  // ── Tasks ──
  /** No task has the id. NOT_FOUND, ResourceInfo (hakuriver.v1.Task). */
  TASK_NOT_FOUND: "TASK_NOT_FOUND",
  /** Kill of a task in a final status. FAILED_PRECONDITION (TASK_STATUS, current status in metadata `status`). Nothing to do. */
  TASK_ALREADY_FINISHED: "TASK_ALREADY_FINISHED",
  /** Pause of a task that is not running. FAILED_PRECONDITION (TASK_STATUS, metadata `status`). */
  TASK_NOT_RUNNING: "TASK_NOT_RUNNING",
  /** Resume of a task that is not paused. FAILED_PRECONDITION (TASK_STATUS, metadata `status`). */
  TASK_NOT_PAUSED: "TASK_NOT_PAUSED",
  /** The task changed status while a pause/resume waited. FAILED_PRECONDITION (TASK_STATUS). Read it again. */
  TASK_STATUS_CHANGED: "TASK_STATUS_CHANGED",
  /** The runner did not confirm a pause/resume in time. UNAVAILABLE, ResourceInfo (node). Retry. */
  RUNNER_NOT_CONFIRMED: "RUNNER_NOT_CONFIRMED",

  // ── VPS stop, start, snapshots ──
  /** A VPS operation on a command task. FAILED_PRECONDITION (TASK_KIND). Use a VPS's id. */
  NOT_A_VPS: "NOT_A_VPS",
  /** Stop of a VPS that is already stopped. FAILED_PRECONDITION (TASK_STATUS). Start it instead. */
  VPS_ALREADY_STOPPED: "VPS_ALREADY_STOPPED",
  /** Start of a VPS that is not stopped (or stop/snapshot of one not started yet). FAILED_PRECONDITION (TASK_STATUS, metadata `status`). */
  VPS_WRONG_STATUS: "VPS_WRONG_STATUS",
  /** No snapshot has the name (or the VPS has none, for a start on another node). NOT_FOUND, ResourceInfo (hakuriver.v1.Snapshot). Take one with SnapshotVps. */
  SNAPSHOT_NOT_FOUND: "SNAPSHOT_NOT_FOUND",
  /** The snapshot name is another VPS's snapshot or an environment's. ALREADY_EXISTS. Pick another name. */
  SNAPSHOT_NAME_TAKEN: "SNAPSHOT_NAME_TAKEN",
  /** The runner could not save the snapshot, or did not finish in time. UNAVAILABLE, metadata `node`. Read the message, retry. */
  SNAPSHOT_FAILED: "SNAPSHOT_FAILED",

  // ── Auth ──
  /** No credential was sent. UNAUTHENTICATED. Send `authorization: Bearer <token>`. */
  CREDENTIAL_MISSING: "CREDENTIAL_MISSING",
  /** The credential is malformed, unknown, expired or revoked. UNAUTHENTICATED. Log in again. */
  CREDENTIAL_REJECTED: "CREDENTIAL_REJECTED",
  /** The token was revoked while a stream was open. UNAUTHENTICATED. Log in again. */
  CREDENTIAL_REVOKED: "CREDENTIAL_REVOKED",
  /** Too many failed logins from the address. RESOURCE_EXHAUSTED, RetryInfo (the lockout left). Wait that long. */
  LOGIN_THROTTLED: "LOGIN_THROTTLED",
  /** The caller's role is below the RPC's. PERMISSION_DENIED, metadata `required_role`, `role`, `method`. Ask an admin. */
  ROLE_REQUIRED: "ROLE_REQUIRED",
  /** A runner's join token was used for a client RPC. PERMISSION_DENIED. Use a user's token. */
  USER_TOKEN_REQUIRED: "USER_TOKEN_REQUIRED",
  /** A user's token was used for a runner RPC. PERMISSION_DENIED. Runners use a join token. */
  RUNNER_TOKEN_REQUIRED: "RUNNER_TOKEN_REQUIRED",
  /** A user acted on another user's task or token. PERMISSION_DENIED, ResourceInfo with the owner, metadata `required_role`. */
  NOT_OWNER: "NOT_OWNER",
  /** A privileged container or a mount outside the allow list needs an admin. PERMISSION_DENIED, metadata `required_role` = admin. */
  ADMIN_REQUIRED: "ADMIN_REQUIRED",
  /** No user has the name. NOT_FOUND, ResourceInfo (hakuriver.v1.User). */
  USER_NOT_FOUND: "USER_NOT_FOUND",
  /** A user with the name exists. ALREADY_EXISTS, ResourceInfo (hakuriver.v1.User). */
  USER_ALREADY_EXISTS: "USER_ALREADY_EXISTS",
  /** No token has the id. NOT_FOUND, ResourceInfo (hakuriver.v1.TokenInfo). */
  TOKEN_NOT_FOUND: "TOKEN_NOT_FOUND",
  /** The change would leave no admin. FAILED_PRECONDITION (ADMIN_COUNT). Make another admin first. */
  LAST_ADMIN: "LAST_ADMIN",
  /** No registered SSH key has the id or fingerprint. NOT_FOUND, ResourceInfo (hakuriver.v1.SshKey). `hakuriver key list` shows them. */
  SSH_KEY_NOT_FOUND: "SSH_KEY_NOT_FOUND",
  /** The SSH key is registered already (for this user or another). ALREADY_EXISTS, ResourceInfo (hakuriver.v1.SshKey). Keep it, or remove it first. */
  SSH_KEY_ALREADY_EXISTS: "SSH_KEY_ALREADY_EXISTS",

  // ── Environments ──
  /** No environment container has the name. NOT_FOUND, ResourceInfo (hakuriver.v1.EnvContainer). Create it first. */
  CONTAINER_NOT_FOUND: "CONTAINER_NOT_FOUND",
  /** A container of that name exists but is not a HakuRiver environment. FAILED_PRECONDITION. Pick another name. */
  NOT_AN_ENVIRONMENT: "NOT_AN_ENVIRONMENT",
  /** A shell was asked of a container that is not running. FAILED_PRECONDITION (CONTAINER_STATE, metadata `state`). Start it. */
  CONTAINER_NOT_RUNNING: "CONTAINER_NOT_RUNNING",
  /** No tarball of the environment is in the shared dir. NOT_FOUND, ResourceInfo (hakuriver.v1.Tarball). Run create-tar. */
  NO_SUCH_ENVIRONMENT: "NO_SUCH_ENVIRONMENT",
  /** The Host's Docker engine does not answer. UNAVAILABLE. Check dockerd, retry. */
  DOCKER_UNAVAILABLE: "DOCKER_UNAVAILABLE",
  /** `delete-container --image`: another container still uses the environment's image. FAILED_PRECONDITION (IMAGE_IN_USE). Remove that container, retry. */
  IMAGE_IN_USE: "IMAGE_IN_USE",

  // ── Port forwarding ──
  /** Nothing listens on the forwarded port inside the task (connection refused). FAILED_PRECONDITION (TASK_PORT, metadata `port`). Start the server, retry. */
  PORT_REFUSED: "PORT_REFUSED",
  /** The runner could not open the forward's stream (it did not answer in time, or failed). UNAVAILABLE, ResourceInfo (node). Retry. */
  TUNNEL_FAILED: "TUNNEL_FAILED",
} as const;

/** One reason of the catalogue. */
export type ErrorReason = (typeof ErrorReason)[keyof typeof ErrorReason];
