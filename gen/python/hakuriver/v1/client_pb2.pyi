from google.protobuf import timestamp_pb2 as _timestamp_pb2
from hakuriver.v1 import auth_pb2 as _auth_pb2
from hakuriver.v1 import environments_pb2 as _environments_pb2
from hakuriver.v1 import forward_pb2 as _forward_pb2
from hakuriver.v1 import exec_pb2 as _exec_pb2
from hakuriver.v1 import ssh_keys_pb2 as _ssh_keys_pb2
from hakuriver.v1 import types_pb2 as _types_pb2
from hakuriver.v1 import vps_lifecycle_pb2 as _vps_lifecycle_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ClusterAggregate(_message.Message):
    __slots__ = ["avg_cpu_percent", "avg_memory_percent", "max_temp_c", "online_nodes", "pending_tasks", "running_tasks", "total_cores", "total_memory_bytes", "total_nodes", "used_memory_bytes"]
    AVG_CPU_PERCENT_FIELD_NUMBER: _ClassVar[int]
    AVG_MEMORY_PERCENT_FIELD_NUMBER: _ClassVar[int]
    MAX_TEMP_C_FIELD_NUMBER: _ClassVar[int]
    ONLINE_NODES_FIELD_NUMBER: _ClassVar[int]
    PENDING_TASKS_FIELD_NUMBER: _ClassVar[int]
    RUNNING_TASKS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_CORES_FIELD_NUMBER: _ClassVar[int]
    TOTAL_MEMORY_BYTES_FIELD_NUMBER: _ClassVar[int]
    TOTAL_NODES_FIELD_NUMBER: _ClassVar[int]
    USED_MEMORY_BYTES_FIELD_NUMBER: _ClassVar[int]
    avg_cpu_percent: float
    avg_memory_percent: float
    max_temp_c: float
    online_nodes: int
    pending_tasks: int
    running_tasks: int
    total_cores: int
    total_memory_bytes: int
    total_nodes: int
    used_memory_bytes: int
    def __init__(self, total_nodes: _Optional[int] = ..., online_nodes: _Optional[int] = ..., total_cores: _Optional[int] = ..., total_memory_bytes: _Optional[int] = ..., used_memory_bytes: _Optional[int] = ..., avg_cpu_percent: _Optional[float] = ..., avg_memory_percent: _Optional[float] = ..., max_temp_c: _Optional[float] = ..., running_tasks: _Optional[int] = ..., pending_tasks: _Optional[int] = ...) -> None: ...

class DrainNodeRequest(_message.Message):
    __slots__ = ["node"]
    NODE_FIELD_NUMBER: _ClassVar[int]
    node: str
    def __init__(self, node: _Optional[str] = ...) -> None: ...

class DrainNodeResponse(_message.Message):
    __slots__ = ["node"]
    NODE_FIELD_NUMBER: _ClassVar[int]
    node: _types_pb2.Node
    def __init__(self, node: _Optional[_Union[_types_pb2.Node, _Mapping]] = ...) -> None: ...

class FollowLogsRequest(_message.Message):
    __slots__ = ["follow", "offset", "since", "stream", "tail_lines", "task_id", "timestamps"]
    FOLLOW_FIELD_NUMBER: _ClassVar[int]
    OFFSET_FIELD_NUMBER: _ClassVar[int]
    SINCE_FIELD_NUMBER: _ClassVar[int]
    STREAM_FIELD_NUMBER: _ClassVar[int]
    TAIL_LINES_FIELD_NUMBER: _ClassVar[int]
    TASK_ID_FIELD_NUMBER: _ClassVar[int]
    TIMESTAMPS_FIELD_NUMBER: _ClassVar[int]
    follow: bool
    offset: int
    since: _timestamp_pb2.Timestamp
    stream: _types_pb2.LogStream
    tail_lines: int
    task_id: str
    timestamps: bool
    def __init__(self, task_id: _Optional[str] = ..., stream: _Optional[_Union[_types_pb2.LogStream, str]] = ..., offset: _Optional[int] = ..., follow: bool = ..., tail_lines: _Optional[int] = ..., since: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., timestamps: bool = ...) -> None: ...

class FollowLogsResponse(_message.Message):
    __slots__ = ["data", "end"]
    DATA_FIELD_NUMBER: _ClassVar[int]
    END_FIELD_NUMBER: _ClassVar[int]
    data: LogData
    end: LogEnd
    def __init__(self, data: _Optional[_Union[LogData, _Mapping]] = ..., end: _Optional[_Union[LogEnd, _Mapping]] = ...) -> None: ...

class GetTaskRequest(_message.Message):
    __slots__ = ["task_id"]
    TASK_ID_FIELD_NUMBER: _ClassVar[int]
    task_id: str
    def __init__(self, task_id: _Optional[str] = ...) -> None: ...

class GetTaskResponse(_message.Message):
    __slots__ = ["task"]
    TASK_FIELD_NUMBER: _ClassVar[int]
    task: _types_pb2.Task
    def __init__(self, task: _Optional[_Union[_types_pb2.Task, _Mapping]] = ...) -> None: ...

class HealthRequest(_message.Message):
    __slots__ = ["node"]
    NODE_FIELD_NUMBER: _ClassVar[int]
    node: str
    def __init__(self, node: _Optional[str] = ...) -> None: ...

class HealthResponse(_message.Message):
    __slots__ = ["aggregate", "history", "nodes"]
    AGGREGATE_FIELD_NUMBER: _ClassVar[int]
    HISTORY_FIELD_NUMBER: _ClassVar[int]
    NODES_FIELD_NUMBER: _ClassVar[int]
    aggregate: ClusterAggregate
    history: _containers.RepeatedCompositeFieldContainer[HealthSample]
    nodes: _containers.RepeatedCompositeFieldContainer[_types_pb2.Node]
    def __init__(self, nodes: _Optional[_Iterable[_Union[_types_pb2.Node, _Mapping]]] = ..., aggregate: _Optional[_Union[ClusterAggregate, _Mapping]] = ..., history: _Optional[_Iterable[_Union[HealthSample, _Mapping]]] = ...) -> None: ...

class HealthSample(_message.Message):
    __slots__ = ["aggregate", "at", "nodes"]
    AGGREGATE_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    NODES_FIELD_NUMBER: _ClassVar[int]
    aggregate: ClusterAggregate
    at: _timestamp_pb2.Timestamp
    nodes: _containers.RepeatedCompositeFieldContainer[NodeSample]
    def __init__(self, at: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., aggregate: _Optional[_Union[ClusterAggregate, _Mapping]] = ..., nodes: _Optional[_Iterable[_Union[NodeSample, _Mapping]]] = ...) -> None: ...

class KillTaskRequest(_message.Message):
    __slots__ = ["task_id"]
    TASK_ID_FIELD_NUMBER: _ClassVar[int]
    task_id: str
    def __init__(self, task_id: _Optional[str] = ...) -> None: ...

class KillTaskResponse(_message.Message):
    __slots__ = ["task"]
    TASK_FIELD_NUMBER: _ClassVar[int]
    task: _types_pb2.Task
    def __init__(self, task: _Optional[_Union[_types_pb2.Task, _Mapping]] = ...) -> None: ...

class ListNodesRequest(_message.Message):
    __slots__ = []
    def __init__(self) -> None: ...

class ListNodesResponse(_message.Message):
    __slots__ = ["nodes"]
    NODES_FIELD_NUMBER: _ClassVar[int]
    nodes: _containers.RepeatedCompositeFieldContainer[_types_pb2.Node]
    def __init__(self, nodes: _Optional[_Iterable[_Union[_types_pb2.Node, _Mapping]]] = ...) -> None: ...

class ListTasksRequest(_message.Message):
    __slots__ = ["batch_id", "kind", "labels", "limit", "mine", "name_glob", "node", "owner", "page_token", "statuses"]
    class LabelsEntry(_message.Message):
        __slots__ = ["key", "value"]
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    LABELS_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    MINE_FIELD_NUMBER: _ClassVar[int]
    NAME_GLOB_FIELD_NUMBER: _ClassVar[int]
    NODE_FIELD_NUMBER: _ClassVar[int]
    OWNER_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    STATUSES_FIELD_NUMBER: _ClassVar[int]
    batch_id: str
    kind: _types_pb2.TaskKind
    labels: _containers.ScalarMap[str, str]
    limit: int
    mine: bool
    name_glob: str
    node: str
    owner: str
    page_token: str
    statuses: _containers.RepeatedScalarFieldContainer[_types_pb2.TaskStatus]
    def __init__(self, kind: _Optional[_Union[_types_pb2.TaskKind, str]] = ..., batch_id: _Optional[str] = ..., statuses: _Optional[_Iterable[_Union[_types_pb2.TaskStatus, str]]] = ..., node: _Optional[str] = ..., limit: _Optional[int] = ..., owner: _Optional[str] = ..., mine: bool = ..., page_token: _Optional[str] = ..., name_glob: _Optional[str] = ..., labels: _Optional[_Mapping[str, str]] = ...) -> None: ...

class ListTasksResponse(_message.Message):
    __slots__ = ["next_page_token", "tasks"]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    TASKS_FIELD_NUMBER: _ClassVar[int]
    next_page_token: str
    tasks: _containers.RepeatedCompositeFieldContainer[_types_pb2.Task]
    def __init__(self, tasks: _Optional[_Iterable[_Union[_types_pb2.Task, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class LogData(_message.Message):
    __slots__ = ["data", "offset", "received_at"]
    DATA_FIELD_NUMBER: _ClassVar[int]
    OFFSET_FIELD_NUMBER: _ClassVar[int]
    RECEIVED_AT_FIELD_NUMBER: _ClassVar[int]
    data: bytes
    offset: int
    received_at: _timestamp_pb2.Timestamp
    def __init__(self, offset: _Optional[int] = ..., data: _Optional[bytes] = ..., received_at: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class LogEnd(_message.Message):
    __slots__ = ["exit_code", "size", "status"]
    EXIT_CODE_FIELD_NUMBER: _ClassVar[int]
    SIZE_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    exit_code: int
    size: int
    status: _types_pb2.TaskStatus
    def __init__(self, status: _Optional[_Union[_types_pb2.TaskStatus, str]] = ..., exit_code: _Optional[int] = ..., size: _Optional[int] = ...) -> None: ...

class NodeSample(_message.Message):
    __slots__ = ["cpu_percent", "memory_percent", "name", "status"]
    CPU_PERCENT_FIELD_NUMBER: _ClassVar[int]
    MEMORY_PERCENT_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    cpu_percent: float
    memory_percent: float
    name: str
    status: _types_pb2.NodeStatus
    def __init__(self, name: _Optional[str] = ..., status: _Optional[_Union[_types_pb2.NodeStatus, str]] = ..., cpu_percent: _Optional[float] = ..., memory_percent: _Optional[float] = ...) -> None: ...

class PauseTaskRequest(_message.Message):
    __slots__ = ["task_id"]
    TASK_ID_FIELD_NUMBER: _ClassVar[int]
    task_id: str
    def __init__(self, task_id: _Optional[str] = ...) -> None: ...

class PauseTaskResponse(_message.Message):
    __slots__ = ["task"]
    TASK_FIELD_NUMBER: _ClassVar[int]
    task: _types_pb2.Task
    def __init__(self, task: _Optional[_Union[_types_pb2.Task, _Mapping]] = ...) -> None: ...

class ResubmitTaskRequest(_message.Message):
    __slots__ = ["new_batch", "task_id"]
    NEW_BATCH_FIELD_NUMBER: _ClassVar[int]
    TASK_ID_FIELD_NUMBER: _ClassVar[int]
    new_batch: bool
    task_id: str
    def __init__(self, task_id: _Optional[str] = ..., new_batch: bool = ...) -> None: ...

class ResubmitTaskResponse(_message.Message):
    __slots__ = ["task"]
    TASK_FIELD_NUMBER: _ClassVar[int]
    task: _types_pb2.Task
    def __init__(self, task: _Optional[_Union[_types_pb2.Task, _Mapping]] = ...) -> None: ...

class ResumeTaskRequest(_message.Message):
    __slots__ = ["task_id"]
    TASK_ID_FIELD_NUMBER: _ClassVar[int]
    task_id: str
    def __init__(self, task_id: _Optional[str] = ...) -> None: ...

class ResumeTaskResponse(_message.Message):
    __slots__ = ["task"]
    TASK_FIELD_NUMBER: _ClassVar[int]
    task: _types_pb2.Task
    def __init__(self, task: _Optional[_Union[_types_pb2.Task, _Mapping]] = ...) -> None: ...

class SubmitTaskRequest(_message.Message):
    __slots__ = ["after", "after_ok", "args", "command", "container", "cores", "env", "from_snapshot", "gpu_count", "kind", "labels", "memory", "mounts", "name", "no_queue", "privileged", "public_key", "ssh_mode", "sweep", "targets", "time_limit"]
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
    COMMAND_FIELD_NUMBER: _ClassVar[int]
    CONTAINER_FIELD_NUMBER: _ClassVar[int]
    CORES_FIELD_NUMBER: _ClassVar[int]
    ENV_FIELD_NUMBER: _ClassVar[int]
    FROM_SNAPSHOT_FIELD_NUMBER: _ClassVar[int]
    GPU_COUNT_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    LABELS_FIELD_NUMBER: _ClassVar[int]
    MEMORY_FIELD_NUMBER: _ClassVar[int]
    MOUNTS_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    NO_QUEUE_FIELD_NUMBER: _ClassVar[int]
    PRIVILEGED_FIELD_NUMBER: _ClassVar[int]
    PUBLIC_KEY_FIELD_NUMBER: _ClassVar[int]
    SSH_MODE_FIELD_NUMBER: _ClassVar[int]
    SWEEP_FIELD_NUMBER: _ClassVar[int]
    TARGETS_FIELD_NUMBER: _ClassVar[int]
    TIME_LIMIT_FIELD_NUMBER: _ClassVar[int]
    after: _containers.RepeatedScalarFieldContainer[str]
    after_ok: _containers.RepeatedScalarFieldContainer[str]
    args: _containers.RepeatedScalarFieldContainer[str]
    command: str
    container: str
    cores: float
    env: _containers.ScalarMap[str, str]
    from_snapshot: str
    gpu_count: int
    kind: _types_pb2.TaskKind
    labels: _containers.ScalarMap[str, str]
    memory: str
    mounts: _containers.RepeatedScalarFieldContainer[str]
    name: str
    no_queue: bool
    privileged: bool
    public_key: str
    ssh_mode: str
    sweep: bool
    targets: _containers.RepeatedScalarFieldContainer[str]
    time_limit: str
    def __init__(self, kind: _Optional[_Union[_types_pb2.TaskKind, str]] = ..., command: _Optional[str] = ..., args: _Optional[_Iterable[str]] = ..., env: _Optional[_Mapping[str, str]] = ..., cores: _Optional[float] = ..., memory: _Optional[str] = ..., targets: _Optional[_Iterable[str]] = ..., container: _Optional[str] = ..., privileged: bool = ..., mounts: _Optional[_Iterable[str]] = ..., public_key: _Optional[str] = ..., no_queue: bool = ..., sweep: bool = ..., time_limit: _Optional[str] = ..., after: _Optional[_Iterable[str]] = ..., after_ok: _Optional[_Iterable[str]] = ..., gpu_count: _Optional[int] = ..., name: _Optional[str] = ..., labels: _Optional[_Mapping[str, str]] = ..., ssh_mode: _Optional[str] = ..., from_snapshot: _Optional[str] = ...) -> None: ...

class SubmitTaskResponse(_message.Message):
    __slots__ = ["batch_id", "tasks"]
    BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    TASKS_FIELD_NUMBER: _ClassVar[int]
    batch_id: str
    tasks: _containers.RepeatedCompositeFieldContainer[_types_pb2.Task]
    def __init__(self, batch_id: _Optional[str] = ..., tasks: _Optional[_Iterable[_Union[_types_pb2.Task, _Mapping]]] = ...) -> None: ...

class UndrainNodeRequest(_message.Message):
    __slots__ = ["node"]
    NODE_FIELD_NUMBER: _ClassVar[int]
    node: str
    def __init__(self, node: _Optional[str] = ...) -> None: ...

class UndrainNodeResponse(_message.Message):
    __slots__ = ["node"]
    NODE_FIELD_NUMBER: _ClassVar[int]
    node: _types_pb2.Node
    def __init__(self, node: _Optional[_Union[_types_pb2.Node, _Mapping]] = ...) -> None: ...

class WatchRequest(_message.Message):
    __slots__ = ["nodes", "task_filter", "tasks"]
    NODES_FIELD_NUMBER: _ClassVar[int]
    TASKS_FIELD_NUMBER: _ClassVar[int]
    TASK_FILTER_FIELD_NUMBER: _ClassVar[int]
    nodes: bool
    task_filter: ListTasksRequest
    tasks: bool
    def __init__(self, task_filter: _Optional[_Union[ListTasksRequest, _Mapping]] = ..., tasks: bool = ..., nodes: bool = ...) -> None: ...

class WatchResponse(_message.Message):
    __slots__ = ["nodes", "removed_task_ids", "snapshot", "snapshot_complete", "tasks"]
    NODES_FIELD_NUMBER: _ClassVar[int]
    REMOVED_TASK_IDS_FIELD_NUMBER: _ClassVar[int]
    SNAPSHOT_COMPLETE_FIELD_NUMBER: _ClassVar[int]
    SNAPSHOT_FIELD_NUMBER: _ClassVar[int]
    TASKS_FIELD_NUMBER: _ClassVar[int]
    nodes: _containers.RepeatedCompositeFieldContainer[_types_pb2.Node]
    removed_task_ids: _containers.RepeatedScalarFieldContainer[str]
    snapshot: bool
    snapshot_complete: bool
    tasks: _containers.RepeatedCompositeFieldContainer[_types_pb2.Task]
    def __init__(self, snapshot: bool = ..., snapshot_complete: bool = ..., tasks: _Optional[_Iterable[_Union[_types_pb2.Task, _Mapping]]] = ..., removed_task_ids: _Optional[_Iterable[str]] = ..., nodes: _Optional[_Iterable[_Union[_types_pb2.Node, _Mapping]]] = ...) -> None: ...
