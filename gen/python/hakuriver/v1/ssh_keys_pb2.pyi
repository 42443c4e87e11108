from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class AddSshKeyRequest(_message.Message):
    __slots__ = ["public_key", "user"]
    PUBLIC_KEY_FIELD_NUMBER: _ClassVar[int]
    USER_FIELD_NUMBER: _ClassVar[int]
    public_key: str
    user: str
    def __init__(self, public_key: _Optional[str] = ..., user: _Optional[str] = ...) -> None: ...

class AddSshKeyResponse(_message.Message):
    __slots__ = ["key"]
    KEY_FIELD_NUMBER: _ClassVar[int]
    key: SshKey
    def __init__(self, key: _Optional[_Union[SshKey, _Mapping]] = ...) -> None: ...

class ListSshKeysRequest(_message.Message):
    __slots__ = ["user"]
    USER_FIELD_NUMBER: _ClassVar[int]
    user: str
    def __init__(self, user: _Optional[str] = ...) -> None: ...

class ListSshKeysResponse(_message.Message):
    __slots__ = ["keys"]
    KEYS_FIELD_NUMBER: _ClassVar[int]
    keys: _containers.RepeatedCompositeFieldContainer[SshKey]
    def __init__(self, keys: _Optional[_Iterable[_Union[SshKey, _Mapping]]] = ...) -> None: ...

class RemoveSshKeyRequest(_message.Message):
    __slots__ = ["key_id"]
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    key_id: str
    def __init__(self, key_id: _Optional[str] = ...) -> None: ...

class RemoveSshKeyResponse(_message.Message):
    __slots__ = ["key"]
    KEY_FIELD_NUMBER: _ClassVar[int]
    key: SshKey
    def __init__(self, key: _Optional[_Union[SshKey, _Mapping]] = ...) -> None: ...

class SshKey(_message.Message):
    __slots__ = ["comment", "created_at", "fingerprint", "key_id", "public_key", "type", "user"]
    COMMENT_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    FINGERPRINT_FIELD_NUMBER: _ClassVar[int]
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    PUBLIC_KEY_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    USER_FIELD_NUMBER: _ClassVar[int]
    comment: str
    created_at: _timestamp_pb2.Timestamp
    fingerprint: str
    key_id: str
    public_key: str
    type: str
    user: str
    def __init__(self, key_id: _Optional[str] = ..., user: _Optional[str] = ..., type: _Optional[str] = ..., fingerprint: _Optional[str] = ..., comment: _Optional[str] = ..., public_key: _Optional[str] = ..., created_at: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
