from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor
LOG_STREAM_STDERR: LogStream
LOG_STREAM_STDOUT: LogStream
LOG_STREAM_UNSPECIFIED: LogStream
NODE_STATUS_OFFLINE: NodeStatus
NODE_STATUS_ONLINE: NodeStatus
NODE_STATUS_UNSPECIFIED: NodeStatus
TASK_KIND_COMMAND: TaskKind
TASK_KIND_UNSPECIFIED: TaskKind
TASK_KIND_VPS: TaskKind
TASK_STATUS_ASSIGNING: TaskStatus
TASK_STATUS_COMPLETED: TaskStatus
TASK_STATUS_FAILED: TaskStatus
TASK_STATUS_KILLED: TaskStatus
TASK_STATUS_KILLED_OOM: TaskStatus
TASK_STATUS_LOST: TaskStatus
TASK_STATUS_PAUSED: TaskStatus
TASK_STATUS_PENDING: TaskStatus
TASK_STATUS_RUNNING: TaskStatus
TASK_STATUS_STOPPED: TaskStatus
TASK_STATUS_TIMEOUT: TaskStatus
TASK_STATUS_UNSPECIFIED: TaskStatus

class Gpu(_message.Message):
    __slots__ = ["index", "memory_total_mib", "memory_used_mib", "name", "power_draw_w", "power_limit_w", "temperature_c", "utilization_percent", "uuid"]
    INDEX_FIELD_NUMBER: _ClassVar[int]
    MEMORY_TOTAL_MIB_FIELD_NUMBER: _ClassVar[int]
    MEMORY_USED_MIB_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    POWER_DRAW_W_FIELD_NUMBER: _ClassVar[int]
    POWER_LIMIT_W_FIELD_NUMBER: _ClassVar[int]
    TEMPERATURE_C_FIELD_NUMBER: _ClassVar[int]
    UTILIZATION_PERCENT_FIELD_NUMBER: _ClassVar[int]
    UUID_FIELD_NUMBER: _ClassVar[int]
    index: int
    memory_total_mib: int
    memory_used_mib: int
    name: str
    power_draw_w: float
    power_limit_w: float
    temperature_c: float
    utilization_percent: float
    uuid: str
    def __init__(self, index: _Optional[int] = ..., name: _Optional[str] = ..., uuid: _Optional[str] = ..., memory_total_mib: _Optional[int] = ..., memory_used_mib: _Optional[int] = ..., utilization_percent: _Optional[float] = ..., temperature_c: _Optional[float] = ..., power_draw_w: _Optional[float] = ..., power_limit_w: _Optional[float] = ...) -> None: ...

class Node(_message.Message):
    __slots__ = ["active_task_ids", "cores_in_use", "drained", "gpus_in_use", "last_heartbeat", "memory_in_use_bytes", "name", "resources", "status", "usage", "version"]
    ACTIVE_TASK_IDS_FIELD_NUMBER: _ClassVar[int]
    CORES_IN_USE_FIELD_NUMBER: _ClassVar[int]
    DRAINED_FIELD_NUMBER: _ClassVar[int]
    GPUS_IN_USE_FIELD_NUMBER: _ClassVar[int]
    LAST_HEARTBEAT_FIELD_NUMBER: _ClassVar[int]
    MEMORY_IN_USE_BYTES_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    RESOURCES_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    USAGE_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    active_task_ids: _containers.RepeatedScalarFieldContainer[str]
    cores_in_use: float
    drained: bool
    gpus_in_use: _containers.RepeatedScalarFieldContainer[int]
    last_heartbeat: _timestamp_pb2.Timestamp
    memory_in_use_bytes: int
    name: str
    resources: Resources
    status: NodeStatus
    usage: Usage
    version: str
    def __init__(self, name: _Optional[str] = ..., status: _Optional[_Union[NodeStatus, str]] = ..., resources: _Optional[_Union[Resources, _Mapping]] = ..., usage: _Optional[_Union[Usage, _Mapping]] = ..., last_heartbeat: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., drained: bool = ..., cores_in_use: _Optional[float] = ..., memory_in_use_bytes: _Optional[int] = ..., gpus_in_use: _Optional[_Iterable[int]] = ..., version: _Optional[str] = ..., active_task_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class NumaNode(_message.Message):
    __slots__ = ["cores", "id", "memory_bytes"]
    CORES_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    MEMORY_BYTES_FIELD_NUMBER: _ClassVar[int]
    cores: _containers.RepeatedScalarFieldContainer[int]
    id: int
    memory_bytes: int
    def __init__(self, id: _Optional[int] = ..., cores: _Optional[_Iterable[int]] = ..., memory_bytes: _Optional[int] = ...) -> None: ...

class Resources(_message.Message):
    __slots__ = ["cores", "gpus", "memory_bytes", "numa_nodes"]
    CORES_FIELD_NUMBER: _ClassVar[int]
    GPUS_FIELD_NUMBER: _ClassVar[int]
    MEMORY_BYTES_FIELD_NUMBER: _ClassVar[int]
    NUMA_NODES_FIELD_NUMBER: _ClassVar[int]
    cores: int
    gpus: _containers.RepeatedCompositeFieldContainer[Gpu]
    memory_bytes: int
    numa_nodes: _containers.RepeatedCompositeFieldContainer[NumaNode]
    def __init__(self, cores: _Optional[int] = ..., memory_bytes: _Optional[int] = ..., numa_nodes: _Optional[_Iterable[_Union[NumaNode, _Mapping]]] = ..., gpus: _Optional[_Iterable[_Union[Gpu, _Mapping]]] = ...) -> None: ...

class Task(_message.Message):
    __slots__ = ["after", "after_ok", "args", "assigned_node", "batch_id", "command", "completed_at", "container", "cores", "env", "exit_code", "gpu_count", "gpus", "kind", "labels", "memory_bytes", "message", "mounts", "name", "numa_node", "owner", "placement_reason", "privileged", "ssh_host_keys", "ssh_port", "started_at", "status", "stderr_bytes", "stdout_bytes", "submitted_at", "target", "task_id", "time_limit_ms"]
    class EnvEntry(_message.Message):
        __slots__ = ["key", "value"]
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    class LabelsEntry(_message.Message):
        __slots__ = ["key", "value"]
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    AFTER_FIELD_NUMBER: _ClassVar[int]
    AFTER_OK_FIELD_NUMBER: _ClassVar[int]
    ARGS_FIELD_NUMBER: _ClassVar[int]
    ASSIGNED_NODE_FIELD_NUMBER: _ClassVar[int]
    BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    COMMAND_FIELD_NUMBER: _ClassVar[int]
    COMPLETED_AT_FIELD_NUMBER: _ClassVar[int]
    CONTAINER_FIELD_NUMBER: _ClassVar[int]
    CORES_FIELD_NUMBER: _ClassVar[int]
    ENV_FIELD_NUMBER: _ClassVar[int]
    EXIT_CODE_FIELD_NUMBER: _ClassVar[int]
    GPUS_FIELD_NUMBER: _ClassVar[int]
    GPU_COUNT_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    LABELS_FIELD_NUMBER: _ClassVar[int]
    MEMORY_BYTES_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    MOUNTS_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    NUMA_NODE_FIELD_NUMBER: _ClassVar[int]
    OWNER_FIELD_NUMBER: _ClassVar[int]
    PLACEMENT_REASON_FIELD_NUMBER: _ClassVar[int]
    PRIVILEGED_FIELD_NUMBER: _ClassVar[int]
    SSH_HOST_KEYS_FIELD_NUMBER: _ClassVar[int]
    SSH_PORT_FIELD_NUMBER: _ClassVar[int]
    STARTED_AT_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    STDERR_BYTES_FIELD_NUMBER: _ClassVar[int]
    STDOUT_BYTES_FIELD_NUMBER: _ClassVar[int]
    SUBMITTED_AT_FIELD_NUMBER: _ClassVar[int]
    TARGET_FIELD_NUMBER: _ClassVar[int]
    TASK_ID_FIELD_NUMBER: _ClassVar[int]
    TIME_LIMIT_MS_FIELD_NUMBER: _ClassVar[int]
    after: _containers.RepeatedScalarFieldContainer[str]
    after_ok: _containers.RepeatedScalarFieldContainer[str]
    args: _containers.RepeatedScalarFieldContainer[str]
    assigned_node: str
    batch_id: str
    command: str
    completed_at: _timestamp_pb2.Timestamp
    container: str
    cores: float
    env: _containers.ScalarMap[str, str]
    exit_code: int
    gpu_count: int
    gpus: _containers.RepeatedScalarFieldContainer[int]
    kind: TaskKind
    labels: _containers.ScalarMap[str, str]
    memory_bytes: int
    message: str
    mounts: _containers.RepeatedScalarFieldContainer[str]
    name: str
    numa_node: int
    owner: str
    placement_reason: str
    privileged: bool
    ssh_host_keys: _containers.RepeatedScalarFieldContainer[str]
    ssh_port: int
    started_at: _timestamp_pb2.Timestamp
    status: TaskStatus
    stderr_bytes: int
    stdout_bytes: int
    submitted_at: _timestamp_pb2.Timestamp
    target: str
    task_id: str
    time_limit_ms: int
    def __init__(self, task_id: _Optional[str] = ..., batch_id: _Optional[str] = ..., kind: _Optional[_Union[TaskKind, str]] = ..., status: _Optional[_Union[TaskStatus, str]] = ..., command: _Optional[str] = ..., args: _Optional[_Iterable[str]] = ..., env: _Optional[_Mapping[str, str]] = ..., cores: _Optional[float] = ..., memory_bytes: _Optional[int] = ..., container: _Optional[str] = ..., privileged: bool = ..., mounts: _Optional[_Iterable[str]] = ..., target: _Optional[str] = ..., assigned_node: _Optional[str] = ..., numa_node: _Optional[int] = ..., gpus: _Optional[_Iterable[int]] = ..., exit_code: _Optional[int] = ..., message: _Optional[str] = ..., submitted_at: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., started_at: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., completed_at: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., ssh_port: _Optional[int] = ..., stdout_bytes: _Optional[int] = ..., stderr_bytes: _Optional[int] = ..., owner: _Optional[str] = ..., ssh_host_keys: _Optional[_Iterable[str]] = ..., time_limit_ms: _Optional[int] = ..., after: _Optional[_Iterable[str]] = ..., after_ok: _Optional[_Iterable[str]] = ..., gpu_count: _Optional[int] = ..., name: _Optional[str] = ..., labels: _Optional[_Mapping[str, str]] = ..., placement_reason: _Optional[str] = ...) -> None: ...

class Usage(_message.Message):
    __slots__ = ["avg_temp_c", "cpu_percent", "gpus", "load_1m", "max_temp_c", "memory_total_bytes", "memory_used_bytes"]
    AVG_TEMP_C_FIELD_NUMBER: _ClassVar[int]
    CPU_PERCENT_FIELD_NUMBER: _ClassVar[int]
    GPUS_FIELD_NUMBER: _ClassVar[int]
    LOAD_1M_FIELD_NUMBER: _ClassVar[int]
    MAX_TEMP_C_FIELD_NUMBER: _ClassVar[int]
    MEMORY_TOTAL_BYTES_FIELD_NUMBER: _ClassVar[int]
    MEMORY_USED_BYTES_FIELD_NUMBER: _ClassVar[int]
    avg_temp_c: float
    cpu_percent: float
    gpus: _containers.RepeatedCompositeFieldContainer[Gpu]
    load_1m: float
    max_temp_c: float
    memory_total_bytes: int
    memory_used_bytes: int
    def __init__(self, cpu_percent: _Optional[float] = ..., memory_used_bytes: _Optional[int] = ..., memory_total_bytes: _Optional[int] = ..., load_1m: _Optional[float] = ..., avg_temp_c: _Optional[float] = ..., max_temp_c: _Optional[float] = ..., gpus: _Optional[_Iterable[_Union[Gpu, _Mapping]]] = ...) -> None: ...

class TaskStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class TaskKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class LogStream(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class NodeStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []
