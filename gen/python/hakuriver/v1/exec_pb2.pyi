from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ExecExit(_message.Message):
    __slots__ = ["code", "message"]
    CODE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    code: int
    message: str
    def __init__(self, code: _Optional[int] = ..., message: _Optional[str] = ...) -> None: ...

class ExecOpen(_message.Message):
    __slots__ = ["error", "exec_id", "task_not_running"]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    EXEC_ID_FIELD_NUMBER: _ClassVar[int]
    TASK_NOT_RUNNING_FIELD_NUMBER: _ClassVar[int]
    error: str
    exec_id: str
    task_not_running: bool
    def __init__(self, exec_id: _Optional[str] = ..., error: _Optional[str] = ..., task_not_running: bool = ...) -> None: ...

class ExecRequest(_message.Message):
    __slots__ = ["exit", "open", "stderr", "stdout"]
    EXIT_FIELD_NUMBER: _ClassVar[int]
    OPEN_FIELD_NUMBER: _ClassVar[int]
    STDERR_FIELD_NUMBER: _ClassVar[int]
    STDOUT_FIELD_NUMBER: _ClassVar[int]
    exit: ExecExit
    open: ExecOpen
    stderr: bytes
    stdout: bytes
    def __init__(self, open: _Optional[_Union[ExecOpen, _Mapping]] = ..., stdout: _Optional[bytes] = ..., stderr: _Optional[bytes] = ..., exit: _Optional[_Union[ExecExit, _Mapping]] = ...) -> None: ...

class ExecResize(_message.Message):
    __slots__ = ["cols", "rows"]
    COLS_FIELD_NUMBER: _ClassVar[int]
    ROWS_FIELD_NUMBER: _ClassVar[int]
    cols: int
    rows: int
    def __init__(self, rows: _Optional[int] = ..., cols: _Optional[int] = ...) -> None: ...

class ExecResponse(_message.Message):
    __slots__ = ["resize", "stdin", "stdin_close"]
    RESIZE_FIELD_NUMBER: _ClassVar[int]
    STDIN_CLOSE_FIELD_NUMBER: _ClassVar[int]
    STDIN_FIELD_NUMBER: _ClassVar[int]
    resize: ExecResize
    stdin: bytes
    stdin_close: ExecStdinClose
    def __init__(self, stdin: _Optional[bytes] = ..., resize: _Optional[_Union[ExecResize, _Mapping]] = ..., stdin_close: _Optional[_Union[ExecStdinClose, _Mapping]] = ...) -> None: ...

class ExecStart(_message.Message):
    __slots__ = ["cols", "command", "rows", "task_id", "tty", "user", "workdir"]
    COLS_FIELD_NUMBER: _ClassVar[int]
    COMMAND_FIELD_NUMBER: _ClassVar[int]
    ROWS_FIELD_NUMBER: _ClassVar[int]
    TASK_ID_FIELD_NUMBER: _ClassVar[int]
    TTY_FIELD_NUMBER: _ClassVar[int]
    USER_FIELD_NUMBER: _ClassVar[int]
    WORKDIR_FIELD_NUMBER: _ClassVar[int]
    cols: int
    command: _containers.RepeatedScalarFieldContainer[str]
    rows: int
    task_id: str
    tty: bool
    user: str
    workdir: str
    def __init__(self, task_id: _Optional[str] = ..., command: _Optional[_Iterable[str]] = ..., tty: bool = ..., user: _Optional[str] = ..., workdir: _Optional[str] = ..., rows: _Optional[int] = ..., cols: _Optional[int] = ...) -> None: ...

class ExecStdinClose(_message.Message):
    __slots__ = []
    def __init__(self) -> None: ...

class ExecTaskRequest(_message.Message):
    __slots__ = ["resize", "start", "stdin", "stdin_close"]
    RESIZE_FIELD_NUMBER: _ClassVar[int]
    START_FIELD_NUMBER: _ClassVar[int]
    STDIN_CLOSE_FIELD_NUMBER: _ClassVar[int]
    STDIN_FIELD_NUMBER: _ClassVar[int]
    resize: ExecResize
    start: ExecStart
    stdin: bytes
    stdin_close: ExecStdinClose
    def __init__(self, start: _Optional[_Union[ExecStart, _Mapping]] = ..., stdin: _Optional[bytes] = ..., resize: _Optional[_Union[ExecResize, _Mapping]] = ..., stdin_close: _Optional[_Union[ExecStdinClose, _Mapping]] = ...) -> None: ...

class ExecTaskResponse(_message.Message):
    __slots__ = ["exit", "stderr", "stdout"]
    EXIT_FIELD_NUMBER: _ClassVar[int]
    STDERR_FIELD_NUMBER: _ClassVar[int]
    STDOUT_FIELD_NUMBER: _ClassVar[int]
    exit: ExecExit
    stderr: bytes
    stdout: bytes
    def __init__(self, stdout: _Optional[bytes] = ..., stderr: _Optional[bytes] = ..., exit: _Optional[_Union[ExecExit, _Mapping]] = ...) -> None: ...

class OpenExec(_message.Message):
    __slots__ = ["exec_id", "start"]
    EXEC_ID_FIELD_NUMBER: _ClassVar[int]
    START_FIELD_NUMBER: _ClassVar[int]
    exec_id: str
    start: ExecStart
    def __init__(self, exec_id: _Optional[str] = ..., start: _Optional[_Union[ExecStart, _Mapping]] = ...) -> None: ...
