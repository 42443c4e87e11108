from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ForwardClose(_message.Message):
    __slots__ = ["reason"]
    REASON_FIELD_NUMBER: _ClassVar[int]
    reason: str
    def __init__(self, reason: _Optional[str] = ...) -> None: ...

class ForwardOpen(_message.Message):
    __slots__ = ["port", "task_id"]
    PORT_FIELD_NUMBER: _ClassVar[int]
    TASK_ID_FIELD_NUMBER: _ClassVar[int]
    port: int
    task_id: str
    def __init__(self, task_id: _Optional[str] = ..., port: _Optional[int] = ...) -> None: ...

class ForwardOpened(_message.Message):
    __slots__ = ["node"]
    NODE_FIELD_NUMBER: _ClassVar[int]
    node: str
    def __init__(self, node: _Optional[str] = ...) -> None: ...

class ForwardPortRequest(_message.Message):
    __slots__ = ["close", "data", "open"]
    CLOSE_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    OPEN_FIELD_NUMBER: _ClassVar[int]
    close: ForwardClose
    data: bytes
    open: ForwardOpen
    def __init__(self, open: _Optional[_Union[ForwardOpen, _Mapping]] = ..., data: _Optional[bytes] = ..., close: _Optional[_Union[ForwardClose, _Mapping]] = ...) -> None: ...

class ForwardPortResponse(_message.Message):
    __slots__ = ["close", "data", "opened"]
    CLOSE_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    OPENED_FIELD_NUMBER: _ClassVar[int]
    close: ForwardClose
    data: bytes
    opened: ForwardOpened
    def __init__(self, opened: _Optional[_Union[ForwardOpened, _Mapping]] = ..., data: _Optional[bytes] = ..., close: _Optional[_Union[ForwardClose, _Mapping]] = ...) -> None: ...
