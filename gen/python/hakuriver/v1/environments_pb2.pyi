from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class CreateContainerRequest(_message.Message):
    __slots__ = ["image", "name"]
    IMAGE_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    image: str
    name: str
    def __init__(self, image: _Optional[str] = ..., name: _Optional[str] = ...) -> None: ...

class CreateContainerResponse(_message.Message):
    __slots__ = ["container", "created"]
    CONTAINER_FIELD_NUMBER: _ClassVar[int]
    CREATED_FIELD_NUMBER: _ClassVar[int]
    container: EnvContainer
    created: bool
    def __init__(self, container: _Optional[_Union[EnvContainer, _Mapping]] = ..., created: bool = ...) -> None: ...

class CreateTarballRequest(_message.Message):
    __slots__ = ["keep", "name"]
    KEEP_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    keep: int
    name: str
    def __init__(self, name: _Optional[str] = ..., keep: _Optional[int] = ...) -> None: ...

class CreateTarballResponse(_message.Message):
    __slots__ = ["done", "progress"]
    DONE_FIELD_NUMBER: _ClassVar[int]
    PROGRESS_FIELD_NUMBER: _ClassVar[int]
    done: Tarball
    progress: TarballProgress
    def __init__(self, progress: _Optional[_Union[TarballProgress, _Mapping]] = ..., done: _Optional[_Union[Tarball, _Mapping]] = ...) -> None: ...

class DeleteContainerRequest(_message.Message):
    __slots__ = ["name", "remove_image"]
    NAME_FIELD_NUMBER: _ClassVar[int]
    REMOVE_IMAGE_FIELD_NUMBER: _ClassVar[int]
    name: str
    remove_image: bool
    def __init__(self, name: _Optional[str] = ..., remove_image: bool = ...) -> None: ...

class DeleteContainerResponse(_message.Message):
    __slots__ = ["container_deleted", "image", "image_kept", "image_removed"]
    CONTAINER_DELETED_FIELD_NUMBER: _ClassVar[int]
    IMAGE_FIELD_NUMBER: _ClassVar[int]
    IMAGE_KEPT_FIELD_NUMBER: _ClassVar[int]
    IMAGE_REMOVED_FIELD_NUMBER: _ClassVar[int]
    container_deleted: bool
    image: str
    image_kept: bool
    image_removed: bool
    def __init__(self, image: _Optional[str] = ..., image_removed: bool = ..., image_kept: bool = ..., container_deleted: bool = ...) -> None: ...

class DeleteTarballRequest(_message.Message):
    __slots__ = ["name", "timestamp"]
    NAME_FIELD_NUMBER: _ClassVar[int]
    TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    name: str
    timestamp: int
    def __init__(self, name: _Optional[str] = ..., timestamp: _Optional[int] = ...) -> None: ...

class DeleteTarballResponse(_message.Message):
    __slots__ = ["deleted"]
    DELETED_FIELD_NUMBER: _ClassVar[int]
    deleted: _containers.RepeatedCompositeFieldContainer[Tarball]
    def __init__(self, deleted: _Optional[_Iterable[_Union[Tarball, _Mapping]]] = ...) -> None: ...

class EnvContainer(_message.Message):
    __slots__ = ["created_at", "id", "image", "name", "state"]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    IMAGE_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    created_at: _timestamp_pb2.Timestamp
    id: str
    image: str
    name: str
    state: str
    def __init__(self, name: _Optional[str] = ..., image: _Optional[str] = ..., state: _Optional[str] = ..., id: _Optional[str] = ..., created_at: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Environment(_message.Message):
    __slots__ = ["name", "tarballs"]
    NAME_FIELD_NUMBER: _ClassVar[int]
    TARBALLS_FIELD_NUMBER: _ClassVar[int]
    name: str
    tarballs: _containers.RepeatedCompositeFieldContainer[Tarball]
    def __init__(self, name: _Optional[str] = ..., tarballs: _Optional[_Iterable[_Union[Tarball, _Mapping]]] = ...) -> None: ...

class ListContainersRequest(_message.Message):
    __slots__ = []
    def __init__(self) -> None: ...

class ListContainersResponse(_message.Message):
    __slots__ = ["containers"]
    CONTAINERS_FIELD_NUMBER: _ClassVar[int]
    containers: _containers.RepeatedCompositeFieldContainer[EnvContainer]
    def __init__(self, containers: _Optional[_Iterable[_Union[EnvContainer, _Mapping]]] = ...) -> None: ...

class ListTarballsRequest(_message.Message):
    __slots__ = ["name"]
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class ListTarballsResponse(_message.Message):
    __slots__ = ["environments"]
    ENVIRONMENTS_FIELD_NUMBER: _ClassVar[int]
    environments: _containers.RepeatedCompositeFieldContainer[Environment]
    def __init__(self, environments: _Optional[_Iterable[_Union[Environment, _Mapping]]] = ...) -> None: ...

class ShellEof(_message.Message):
    __slots__ = []
    def __init__(self) -> None: ...

class ShellExit(_message.Message):
    __slots__ = ["code"]
    CODE_FIELD_NUMBER: _ClassVar[int]
    code: int
    def __init__(self, code: _Optional[int] = ...) -> None: ...

class ShellRequest(_message.Message):
    __slots__ = ["eof", "resize", "start", "stdin"]
    EOF_FIELD_NUMBER: _ClassVar[int]
    RESIZE_FIELD_NUMBER: _ClassVar[int]
    START_FIELD_NUMBER: _ClassVar[int]
    STDIN_FIELD_NUMBER: _ClassVar[int]
    eof: ShellEof
    resize: ShellResize
    start: ShellStart
    stdin: bytes
    def __init__(self, start: _Optional[_Union[ShellStart, _Mapping]] = ..., stdin: _Optional[bytes] = ..., resize: _Optional[_Union[ShellResize, _Mapping]] = ..., eof: _Optional[_Union[ShellEof, _Mapping]] = ...) -> None: ...

class ShellResize(_message.Message):
    __slots__ = ["cols", "rows"]
    COLS_FIELD_NUMBER: _ClassVar[int]
    ROWS_FIELD_NUMBER: _ClassVar[int]
    cols: int
    rows: int
    def __init__(self, rows: _Optional[int] = ..., cols: _Optional[int] = ...) -> None: ...

class ShellResponse(_message.Message):
    __slots__ = ["exit", "stderr", "stdout"]
    EXIT_FIELD_NUMBER: _ClassVar[int]
    STDERR_FIELD_NUMBER: _ClassVar[int]
    STDOUT_FIELD_NUMBER: _ClassVar[int]
    exit: ShellExit
    stderr: bytes
    stdout: bytes
    def __init__(self, stdout: _Optional[bytes] = ..., stderr: _Optional[bytes] = ..., exit: _Optional[_Union[ShellExit, _Mapping]] = ...) -> None: ...

class ShellStart(_message.Message):
    __slots__ = ["cols", "command", "name", "rows", "tty"]
    COLS_FIELD_NUMBER: _ClassVar[int]
    COMMAND_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    ROWS_FIELD_NUMBER: _ClassVar[int]
    TTY_FIELD_NUMBER: _ClassVar[int]
    cols: int
    command: _containers.RepeatedScalarFieldContainer[str]
    name: str
    rows: int
    tty: bool
    def __init__(self, name: _Optional[str] = ..., command: _Optional[_Iterable[str]] = ..., tty: bool = ..., rows: _Optional[int] = ..., cols: _Optional[int] = ...) -> None: ...

class StartContainerRequest(_message.Message):
    __slots__ = ["name"]
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class StartContainerResponse(_message.Message):
    __slots__ = ["container"]
    CONTAINER_FIELD_NUMBER: _ClassVar[int]
    container: EnvContainer
    def __init__(self, container: _Optional[_Union[EnvContainer, _Mapping]] = ...) -> None: ...

class StopContainerRequest(_message.Message):
    __slots__ = ["name"]
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class StopContainerResponse(_message.Message):
    __slots__ = ["container"]
    CONTAINER_FIELD_NUMBER: _ClassVar[int]
    container: EnvContainer
    def __init__(self, container: _Optional[_Union[EnvContainer, _Mapping]] = ...) -> None: ...

class Tarball(_message.Message):
    __slots__ = ["file", "name", "size_bytes", "timestamp"]
    FILE_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    SIZE_BYTES_FIELD_NUMBER: _ClassVar[int]
    TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    file: str
    name: str
    size_bytes: int
    timestamp: int
    def __init__(self, name: _Optional[str] = ..., timestamp: _Optional[int] = ..., file: _Optional[str] = ..., size_bytes: _Optional[int] = ...) -> None: ...

class TarballProgress(_message.Message):
    __slots__ = ["bytes", "elapsed_ms", "estimated_total_bytes", "message", "phase"]
    BYTES_FIELD_NUMBER: _ClassVar[int]
    ELAPSED_MS_FIELD_NUMBER: _ClassVar[int]
    ESTIMATED_TOTAL_BYTES_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    PHASE_FIELD_NUMBER: _ClassVar[int]
    bytes: int
    elapsed_ms: int
    estimated_total_bytes: int
    message: str
    phase: str
    def __init__(self, phase: _Optional[str] = ..., bytes: _Optional[int] = ..., message: _Optional[str] = ..., estimated_total_bytes: _Optional[int] = ..., elapsed_ms: _Optional[int] = ...) -> None: ...
