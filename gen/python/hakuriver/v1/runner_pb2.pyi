from hakuriver.v1 import exec_pb2 as _exec_pb2
from hakuriver.v1 import types_pb2 as _types_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ControlRequest(_message.Message):
    __slots__ = ["heartbeat", "hello", "log_chunk", "task_event"]
    HEARTBEAT_FIELD_NUMBER: _ClassVar[int]
    HELLO_FIELD_NUMBER: _ClassVar[int]
    LOG_CHUNK_FIELD_NUMBER: _ClassVar[int]
    TASK_EVENT_FIELD_NUMBER: _ClassVar[int]
    heartbeat: RunnerHeartbeat
    hello: RunnerHello
    log_chunk: LogChunk
    task_event: TaskEvent
    def __init__(self, hello: _Optional[_Union[RunnerHello, _Mapping]] = ..., heartbeat: _Optional[_Union[RunnerHeartbeat, _Mapping]] = ..., task_event: _Optional[_Union[TaskEvent, _Mapping]] = ..., log_chunk: _Optional[_Union[LogChunk, _Mapping]] = ...) -> None: ...

class ControlResponse(_message.Message):
    __slots__ = ["drain", "kill_task", "open_exec", "open_tunnel", "pause_task", "resume_task", "run_task", "snapshot_vps", "start_vps", "stop_vps", "welcome"]
    DRAIN_FIELD_NUMBER: _ClassVar[int]
    KILL_TASK_FIELD_NUMBER: _ClassVar[int]
    OPEN_EXEC_FIELD_NUMBER: _ClassVar[int]
    OPEN_TUNNEL_FIELD_NUMBER: _ClassVar[int]
    PAUSE_TASK_FIELD_NUMBER: _ClassVar[int]
    RESUME_TASK_FIELD_NUMBER: _ClassVar[int]
    RUN_TASK_FIELD_NUMBER: _ClassVar[int]
    SNAPSHOT_VPS_FIELD_NUMBER: _ClassVar[int]
    START_VPS_FIELD_NUMBER: _ClassVar[int]
    STOP_VPS_FIELD_NUMBER: _ClassVar[int]
    WELCOME_FIELD_NUMBER: _ClassVar[int]
    drain: Drain
    kill_task: KillTaskCommand
    open_exec: _exec_pb2.OpenExec
    open_tunnel: OpenTunnel
    pause_task: PauseTaskCommand
    resume_task: ResumeTaskCommand
    run_task: RunTask
    snapshot_vps: SnapshotVps
    start_vps: StartVps
    stop_vps: StopVps
    welcome: Welcome
    def __init__(self, welcome: _Optional[_Union[Welcome, _Mapping]] = ..., run_task: _Optional[_Union[RunTask, _Mapping]] = ..., kill_task: _Optional[_Union[KillTaskCommand, _Mapping]] = ..., pause_task: _Optional[_Union[PauseTaskCommand, _Mapping]] = ..., resume_task: _Optional[_Union[ResumeTaskCommand, _Mapping]] = ..., open_tunnel: _Optional[_Union[OpenTunnel, _Mapping]] = ..., drain: _Optional[_Union[Drain, _Mapping]] = ..., open_exec: _Optional[_Union[_exec_pb2.OpenExec, _Mapping]] = ..., stop_vps: _Optional[_Union[StopVps, _Mapping]] = ..., start_vps: _Optional[_Union[StartVps, _Mapping]] = ..., snapshot_vps: _Optional[_Union[SnapshotVps, _Mapping]] = ...) -> None: ...

class Drain(_message.Message):
    __slots__ = ["drained"]
    DRAINED_FIELD_NUMBER: _ClassVar[int]
    drained: bool
    def __init__(self, drained: bool = ...) -> None: ...

class HeldTask(_message.Message):
    __slots__ = ["exit_code", "message", "status", "stderr_size", "stdout_size", "task_id"]
    EXIT_CODE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    STDERR_SIZE_FIELD_NUMBER: _ClassVar[int]
    STDOUT_SIZE_FIELD_NUMBER: _ClassVar[int]
    TASK_ID_FIELD_NUMBER: _ClassVar[int]
    exit_code: int
    message: str
    status: _types_pb2.TaskStatus
    stderr_size: int
    stdout_size: int
    task_id: str
    def __init__(self, task_id: _Optional[str] = ..., status: _Optional[_Union[_types_pb2.TaskStatus, str]] = ..., exit_code: _Optional[int] = ..., message: _Optional[str] = ..., stdout_size: _Optional[int] = ..., stderr_size: _Optional[int] = ...) -> None: ...

class KillTaskCommand(_message.Message):
    __slots__ = ["reason", "task_id"]
    REASON_FIELD_NUMBER: _ClassVar[int]
    TASK_ID_FIELD_NUMBER: _ClassVar[int]
    reason: str
    task_id: str
    def __init__(self, task_id: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class LogChunk(_message.Message):
    __slots__ = ["data", "offset", "stream", "task_id"]
    DATA_FIELD_NUMBER: _ClassVar[int]
    OFFSET_FIELD_NUMBER: _ClassVar[int]
    STREAM_FIELD_NUMBER: _ClassVar[int]
    TASK_ID_FIELD_NUMBER: _ClassVar[int]
    data: bytes
    offset: int
    stream: _types_pb2.LogStream
    task_id: str
    def __init__(self, task_id: _Optional[str] = ..., stream: _Optional[_Union[_types_pb2.LogStream, str]] = ..., offset: _Optional[int] = ..., data: _Optional[bytes] = ...) -> None: ...

class LogCursor(_message.Message):
    __slots__ = ["stderr_offset", "stdout_offset", "task_id"]
    STDERR_OFFSET_FIELD_NUMBER: _ClassVar[int]
    STDOUT_OFFSET_FIELD_NUMBER: _ClassVar[int]
    TASK_ID_FIELD_NUMBER: _ClassVar[int]
    stderr_offset: int
    stdout_offset: int
    task_id: str
    def __init__(self, task_id: _Optional[str] = ..., stdout_offset: _Optional[int] = ..., stderr_offset: _Optional[int] = ...) -> None: ...

class OpenTunnel(_message.Message):
    __slots__ = ["forward", "port", "task_id", "tunnel_id"]
    FORWARD_FIELD_NUMBER: _ClassVar[int]
    PORT_FIELD_NUMBER: _ClassVar[int]
    TASK_ID_FIELD_NUMBER: _ClassVar[int]
    TUNNEL_ID_FIELD_NUMBER: _ClassVar[int]
    forward: bool
    port: int
    task_id: str
    tunnel_id: str
    def __init__(self, tunnel_id: _Optional[str] = ..., task_id: _Optional[str] = ..., port: _Optional[int] = ..., forward: bool = ...) -> None: ...

class PauseTaskCommand(_message.Message):
    __slots__ = ["task_id"]
    TASK_ID_FIELD_NUMBER: _ClassVar[int]
    task_id: str
    def __init__(self, task_id: _Optional[str] = ...) -> None: ...

class ResumeTaskCommand(_message.Message):
    __slots__ = ["task_id"]
    TASK_ID_FIELD_NUMBER: _ClassVar[int]
    task_id: str
    def __init__(self, task_id: _Optional[str] = ...) -> None: ...

class RunTask(_message.Message):
    __slots__ = ["spec"]
    SPEC_FIELD_NUMBER: _ClassVar[int]
    spec: TaskSpec
    def __init__(self, spec: _Optional[_Union[TaskSpec, _Mapping]] = ...) -> None: ...

class RunnerFigures(_message.Message):
    __slots__ = ["active_tasks", "cpu_seconds", "image_load_seconds_sum", "image_loads", "open_descriptors", "resident_memory_bytes", "spawn_bucket_bounds_seconds", "spawn_bucket_counts", "spawn_count", "spawn_failures", "spawn_seconds_sum"]
    ACTIVE_TASKS_FIELD_NUMBER: _ClassVar[int]
    CPU_SECONDS_FIELD_NUMBER: _ClassVar[int]
    IMAGE_LOADS_FIELD_NUMBER: _ClassVar[int]
    IMAGE_LOAD_SECONDS_SUM_FIELD_NUMBER: _ClassVar[int]
    OPEN_DESCRIPTORS_FIELD_NUMBER: _ClassVar[int]
    RESIDENT_MEMORY_BYTES_FIELD_NUMBER: _ClassVar[int]
    SPAWN_BUCKET_BOUNDS_SECONDS_FIELD_NUMBER: _ClassVar[int]
    SPAWN_BUCKET_COUNTS_FIELD_NUMBER: _ClassVar[int]
    SPAWN_COUNT_FIELD_NUMBER: _ClassVar[int]
    SPAWN_FAILURES_FIELD_NUMBER: _ClassVar[int]
    SPAWN_SECONDS_SUM_FIELD_NUMBER: _ClassVar[int]
    active_tasks: int
    cpu_seconds: float
    image_load_seconds_sum: float
    image_loads: int
    open_descriptors: int
    resident_memory_bytes: int
    spawn_bucket_bounds_seconds: _containers.RepeatedScalarFieldContainer[float]
    spawn_bucket_counts: _containers.RepeatedScalarFieldContainer[int]
    spawn_count: int
    spawn_failures: int
    spawn_seconds_sum: float
    def __init__(self, spawn_bucket_bounds_seconds: _Optional[_Iterable[float]] = ..., spawn_bucket_counts: _Optional[_Iterable[int]] = ..., spawn_count: _Optional[int] = ..., spawn_seconds_sum: _Optional[float] = ..., spawn_failures: _Optional[int] = ..., image_loads: _Optional[int] = ..., image_load_seconds_sum: _Optional[float] = ..., open_descriptors: _Optional[int] = ..., resident_memory_bytes: _Optional[int] = ..., cpu_seconds: _Optional[float] = ..., active_tasks: _Optional[int] = ...) -> None: ...

class RunnerHeartbeat(_message.Message):
    __slots__ = ["figures", "running_task_ids", "usage"]
    FIGURES_FIELD_NUMBER: _ClassVar[int]
    RUNNING_TASK_IDS_FIELD_NUMBER: _ClassVar[int]
    USAGE_FIELD_NUMBER: _ClassVar[int]
    figures: RunnerFigures
    running_task_ids: _containers.RepeatedScalarFieldContainer[str]
    usage: _types_pb2.Usage
    def __init__(self, usage: _Optional[_Union[_types_pb2.Usage, _Mapping]] = ..., running_task_ids: _Optional[_Iterable[str]] = ..., figures: _Optional[_Union[RunnerFigures, _Mapping]] = ...) -> None: ...

class RunnerHello(_message.Message):
    __slots__ = ["join_token", "name", "resources", "tasks", "version"]
    JOIN_TOKEN_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    RESOURCES_FIELD_NUMBER: _ClassVar[int]
    TASKS_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    join_token: str
    name: str
    resources: _types_pb2.Resources
    tasks: _containers.RepeatedCompositeFieldContainer[HeldTask]
    version: str
    def __init__(self, name: _Optional[str] = ..., join_token: _Optional[str] = ..., resources: _Optional[_Union[_types_pb2.Resources, _Mapping]] = ..., tasks: _Optional[_Iterable[_Union[HeldTask, _Mapping]]] = ..., version: _Optional[str] = ...) -> None: ...

class SnapshotVps(_message.Message):
    __slots__ = ["name", "task_id"]
    NAME_FIELD_NUMBER: _ClassVar[int]
    TASK_ID_FIELD_NUMBER: _ClassVar[int]
    name: str
    task_id: str
    def __init__(self, task_id: _Optional[str] = ..., name: _Optional[str] = ...) -> None: ...

class StartVps(_message.Message):
    __slots__ = ["snapshot", "spec"]
    SNAPSHOT_FIELD_NUMBER: _ClassVar[int]
    SPEC_FIELD_NUMBER: _ClassVar[int]
    snapshot: str
    spec: TaskSpec
    def __init__(self, spec: _Optional[_Union[TaskSpec, _Mapping]] = ..., snapshot: _Optional[str] = ...) -> None: ...

class StopVps(_message.Message):
    __slots__ = ["task_id"]
    TASK_ID_FIELD_NUMBER: _ClassVar[int]
    task_id: str
    def __init__(self, task_id: _Optional[str] = ...) -> None: ...

class TaskEvent(_message.Message):
    __slots__ = ["exit_code", "message", "snapshot_error", "snapshot_name", "snapshot_size_bytes", "snapshot_tarball", "ssh_host_keys", "ssh_port", "status", "stderr_size", "stdout_size", "task_id"]
    EXIT_CODE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    SNAPSHOT_ERROR_FIELD_NUMBER: _ClassVar[int]
    SNAPSHOT_NAME_FIELD_NUMBER: _ClassVar[int]
    SNAPSHOT_SIZE_BYTES_FIELD_NUMBER: _ClassVar[int]
    SNAPSHOT_TARBALL_FIELD_NUMBER: _ClassVar[int]
    SSH_HOST_KEYS_FIELD_NUMBER: _ClassVar[int]
    SSH_PORT_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    STDERR_SIZE_FIELD_NUMBER: _ClassVar[int]
    STDOUT_SIZE_FIELD_NUMBER: _ClassVar[int]
    TASK_ID_FIELD_NUMBER: _ClassVar[int]
    exit_code: int
    message: str
    snapshot_error: str
    snapshot_name: str
    snapshot_size_bytes: int
    snapshot_tarball: str
    ssh_host_keys: _containers.RepeatedScalarFieldContainer[str]
    ssh_port: int
    status: _types_pb2.TaskStatus
    stderr_size: int
    stdout_size: int
    task_id: str
    def __init__(self, task_id: _Optional[str] = ..., status: _Optional[_Union[_types_pb2.TaskStatus, str]] = ..., exit_code: _Optional[int] = ..., message: _Optional[str] = ..., ssh_port: _Optional[int] = ..., stdout_size: _Optional[int] = ..., stderr_size: _Optional[int] = ..., ssh_host_keys: _Optional[_Iterable[str]] = ..., snapshot_name: _Optional[str] = ..., snapshot_error: _Optional[str] = ..., snapshot_tarball: _Optional[str] = ..., snapshot_size_bytes: _Optional[int] = ...) -> None: ...

class TaskSpec(_message.Message):
    __slots__ = ["args", "command", "container", "cores", "env", "gpus", "kind", "memory_bytes", "mounts", "no_ssh", "numa_node", "privileged", "public_key", "task_id", "time_limit_ms"]
    class EnvEntry(_message.Message):
        __slots__ = ["key", "value"]
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    ARGS_FIELD_NUMBER: _ClassVar[int]
    COMMAND_FIELD_NUMBER: _ClassVar[int]
    CONTAINER_FIELD_NUMBER: _ClassVar[int]
    CORES_FIELD_NUMBER: _ClassVar[int]
    ENV_FIELD_NUMBER: _ClassVar[int]
    GPUS_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    MEMORY_BYTES_FIELD_NUMBER: _ClassVar[int]
    MOUNTS_FIELD_NUMBER: _ClassVar[int]
    NO_SSH_FIELD_NUMBER: _ClassVar[int]
    NUMA_NODE_FIELD_NUMBER: _ClassVar[int]
    PRIVILEGED_FIELD_NUMBER: _ClassVar[int]
    PUBLIC_KEY_FIELD_NUMBER: _ClassVar[int]
    TASK_ID_FIELD_NUMBER: _ClassVar[int]
    TIME_LIMIT_MS_FIELD_NUMBER: _ClassVar[int]
    args: _containers.RepeatedScalarFieldContainer[str]
    command: str
    container: str
    cores: float
    env: _containers.ScalarMap[str, str]
    gpus: _containers.RepeatedScalarFieldContainer[int]
    kind: _types_pb2.TaskKind
    memory_bytes: int
    mounts: _containers.RepeatedScalarFieldContainer[str]
    no_ssh: bool
    numa_node: int
    privileged: bool
    public_key: str
    task_id: str
    time_limit_ms: int
    def __init__(self, task_id: _Optional[str] = ..., kind: _Optional[_Union[_types_pb2.TaskKind, str]] = ..., command: _Optional[str] = ..., args: _Optional[_Iterable[str]] = ..., env: _Optional[_Mapping[str, str]] = ..., cores: _Optional[float] = ..., memory_bytes: _Optional[int] = ..., container: _Optional[str] = ..., privileged: bool = ..., mounts: _Optional[_Iterable[str]] = ..., gpus: _Optional[_Iterable[int]] = ..., numa_node: _Optional[int] = ..., public_key: _Optional[str] = ..., time_limit_ms: _Optional[int] = ..., no_ssh: bool = ...) -> None: ...

class TunnelClose(_message.Message):
    __slots__ = ["reason"]
    REASON_FIELD_NUMBER: _ClassVar[int]
    reason: str
    def __init__(self, reason: _Optional[str] = ...) -> None: ...

class TunnelOpen(_message.Message):
    __slots__ = ["error", "tunnel_id"]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    TUNNEL_ID_FIELD_NUMBER: _ClassVar[int]
    error: str
    tunnel_id: str
    def __init__(self, tunnel_id: _Optional[str] = ..., error: _Optional[str] = ...) -> None: ...

class TunnelRequest(_message.Message):
    __slots__ = ["close", "data", "open"]
    CLOSE_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    OPEN_FIELD_NUMBER: _ClassVar[int]
    close: TunnelClose
    data: bytes
    open: TunnelOpen
    def __init__(self, open: _Optional[_Union[TunnelOpen, _Mapping]] = ..., data: _Optional[bytes] = ..., close: _Optional[_Union[TunnelClose, _Mapping]] = ...) -> None: ...

class TunnelResponse(_message.Message):
    __slots__ = ["close", "data"]
    CLOSE_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    close: TunnelClose
    data: bytes
    def __init__(self, data: _Optional[bytes] = ..., close: _Optional[_Union[TunnelClose, _Mapping]] = ...) -> None: ...

class Welcome(_message.Message):
    __slots__ = ["drained", "heartbeat_interval_ms", "log_cursors", "stale_task_ids"]
    DRAINED_FIELD_NUMBER: _ClassVar[int]
    HEARTBEAT_INTERVAL_MS_FIELD_NUMBER: _ClassVar[int]
    LOG_CURSORS_FIELD_NUMBER: _ClassVar[int]
    STALE_TASK_IDS_FIELD_NUMBER: _ClassVar[int]
    drained: bool
    heartbeat_interval_ms: int
    log_cursors: _containers.RepeatedCompositeFieldContainer[LogCursor]
    stale_task_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, heartbeat_interval_ms: _Optional[int] = ..., log_cursors: _Optional[_Iterable[_Union[LogCursor, _Mapping]]] = ..., stale_task_ids: _Optional[_Iterable[str]] = ..., drained: bool = ...) -> None: ...
