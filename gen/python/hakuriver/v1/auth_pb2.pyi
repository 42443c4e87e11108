from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor
ROLE_ADMIN: Role
ROLE_OPERATOR: Role
ROLE_UNSPECIFIED: Role
ROLE_USER: Role
ROLE_VIEWER: Role
TOKEN_KIND_JOIN: TokenKind
TOKEN_KIND_UNSPECIFIED: TokenKind
TOKEN_KIND_USER: TokenKind

class AddUserRequest(_message.Message):
    __slots__ = ["name", "role", "token_label", "token_ttl_seconds"]
    NAME_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    TOKEN_LABEL_FIELD_NUMBER: _ClassVar[int]
    TOKEN_TTL_SECONDS_FIELD_NUMBER: _ClassVar[int]
    name: str
    role: Role
    token_label: str
    token_ttl_seconds: int
    def __init__(self, name: _Optional[str] = ..., role: _Optional[_Union[Role, str]] = ..., token_label: _Optional[str] = ..., token_ttl_seconds: _Optional[int] = ...) -> None: ...

class AddUserResponse(_message.Message):
    __slots__ = ["token", "token_info", "user"]
    TOKEN_FIELD_NUMBER: _ClassVar[int]
    TOKEN_INFO_FIELD_NUMBER: _ClassVar[int]
    USER_FIELD_NUMBER: _ClassVar[int]
    token: str
    token_info: TokenInfo
    user: User
    def __init__(self, user: _Optional[_Union[User, _Mapping]] = ..., token_info: _Optional[_Union[TokenInfo, _Mapping]] = ..., token: _Optional[str] = ...) -> None: ...

class AuditEvent(_message.Message):
    __slots__ = ["action", "actor", "address", "at", "detail", "id", "outcome", "target"]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    DETAIL_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    TARGET_FIELD_NUMBER: _ClassVar[int]
    action: str
    actor: str
    address: str
    at: _timestamp_pb2.Timestamp
    detail: str
    id: int
    outcome: str
    target: str
    def __init__(self, id: _Optional[int] = ..., at: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., actor: _Optional[str] = ..., action: _Optional[str] = ..., target: _Optional[str] = ..., outcome: _Optional[str] = ..., address: _Optional[str] = ..., detail: _Optional[str] = ...) -> None: ...

class CreateTokenRequest(_message.Message):
    __slots__ = ["kind", "label", "ttl_seconds", "user"]
    KIND_FIELD_NUMBER: _ClassVar[int]
    LABEL_FIELD_NUMBER: _ClassVar[int]
    TTL_SECONDS_FIELD_NUMBER: _ClassVar[int]
    USER_FIELD_NUMBER: _ClassVar[int]
    kind: TokenKind
    label: str
    ttl_seconds: int
    user: str
    def __init__(self, kind: _Optional[_Union[TokenKind, str]] = ..., user: _Optional[str] = ..., label: _Optional[str] = ..., ttl_seconds: _Optional[int] = ...) -> None: ...

class CreateTokenResponse(_message.Message):
    __slots__ = ["token", "token_info"]
    TOKEN_FIELD_NUMBER: _ClassVar[int]
    TOKEN_INFO_FIELD_NUMBER: _ClassVar[int]
    token: str
    token_info: TokenInfo
    def __init__(self, token_info: _Optional[_Union[TokenInfo, _Mapping]] = ..., token: _Optional[str] = ...) -> None: ...

class DescribeClusterRequest(_message.Message):
    __slots__ = []
    def __init__(self) -> None: ...

class DescribeClusterResponse(_message.Message):
    __slots__ = ["api_port", "auth_enabled", "heartbeat_interval_ms", "ssh_jump_host_key", "ssh_jump_port", "ssh_proxy_port", "tls", "version"]
    API_PORT_FIELD_NUMBER: _ClassVar[int]
    AUTH_ENABLED_FIELD_NUMBER: _ClassVar[int]
    HEARTBEAT_INTERVAL_MS_FIELD_NUMBER: _ClassVar[int]
    SSH_JUMP_HOST_KEY_FIELD_NUMBER: _ClassVar[int]
    SSH_JUMP_PORT_FIELD_NUMBER: _ClassVar[int]
    SSH_PROXY_PORT_FIELD_NUMBER: _ClassVar[int]
    TLS_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    api_port: int
    auth_enabled: bool
    heartbeat_interval_ms: int
    ssh_jump_host_key: str
    ssh_jump_port: int
    ssh_proxy_port: int
    tls: bool
    version: str
    def __init__(self, version: _Optional[str] = ..., api_port: _Optional[int] = ..., ssh_proxy_port: _Optional[int] = ..., auth_enabled: bool = ..., tls: bool = ..., ssh_jump_port: _Optional[int] = ..., ssh_jump_host_key: _Optional[str] = ..., heartbeat_interval_ms: _Optional[int] = ...) -> None: ...

class ListAuditRequest(_message.Message):
    __slots__ = ["limit", "since", "user"]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    SINCE_FIELD_NUMBER: _ClassVar[int]
    USER_FIELD_NUMBER: _ClassVar[int]
    limit: int
    since: _timestamp_pb2.Timestamp
    user: str
    def __init__(self, user: _Optional[str] = ..., since: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., limit: _Optional[int] = ...) -> None: ...

class ListAuditResponse(_message.Message):
    __slots__ = ["events"]
    EVENTS_FIELD_NUMBER: _ClassVar[int]
    events: _containers.RepeatedCompositeFieldContainer[AuditEvent]
    def __init__(self, events: _Optional[_Iterable[_Union[AuditEvent, _Mapping]]] = ...) -> None: ...

class ListTokensRequest(_message.Message):
    __slots__ = ["all", "user"]
    ALL_FIELD_NUMBER: _ClassVar[int]
    USER_FIELD_NUMBER: _ClassVar[int]
    all: bool
    user: str
    def __init__(self, user: _Optional[str] = ..., all: bool = ...) -> None: ...

class ListTokensResponse(_message.Message):
    __slots__ = ["tokens"]
    TOKENS_FIELD_NUMBER: _ClassVar[int]
    tokens: _containers.RepeatedCompositeFieldContainer[TokenInfo]
    def __init__(self, tokens: _Optional[_Iterable[_Union[TokenInfo, _Mapping]]] = ...) -> None: ...

class ListUsersRequest(_message.Message):
    __slots__ = []
    def __init__(self) -> None: ...

class ListUsersResponse(_message.Message):
    __slots__ = ["users"]
    USERS_FIELD_NUMBER: _ClassVar[int]
    users: _containers.RepeatedCompositeFieldContainer[User]
    def __init__(self, users: _Optional[_Iterable[_Union[User, _Mapping]]] = ...) -> None: ...

class RemoveUserRequest(_message.Message):
    __slots__ = ["name"]
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class RemoveUserResponse(_message.Message):
    __slots__ = ["revoked_tokens"]
    REVOKED_TOKENS_FIELD_NUMBER: _ClassVar[int]
    revoked_tokens: int
    def __init__(self, revoked_tokens: _Optional[int] = ...) -> None: ...

class RevokeTokenRequest(_message.Message):
    __slots__ = ["token_id"]
    TOKEN_ID_FIELD_NUMBER: _ClassVar[int]
    token_id: str
    def __init__(self, token_id: _Optional[str] = ...) -> None: ...

class RevokeTokenResponse(_message.Message):
    __slots__ = ["token_info"]
    TOKEN_INFO_FIELD_NUMBER: _ClassVar[int]
    token_info: TokenInfo
    def __init__(self, token_info: _Optional[_Union[TokenInfo, _Mapping]] = ...) -> None: ...

class SetUserRoleRequest(_message.Message):
    __slots__ = ["name", "role"]
    NAME_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    name: str
    role: Role
    def __init__(self, name: _Optional[str] = ..., role: _Optional[_Union[Role, str]] = ...) -> None: ...

class SetUserRoleResponse(_message.Message):
    __slots__ = ["user"]
    USER_FIELD_NUMBER: _ClassVar[int]
    user: User
    def __init__(self, user: _Optional[_Union[User, _Mapping]] = ...) -> None: ...

class TokenInfo(_message.Message):
    __slots__ = ["created_at", "expires_at", "kind", "label", "last_used_at", "revoked_at", "token_id", "user"]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    EXPIRES_AT_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    LABEL_FIELD_NUMBER: _ClassVar[int]
    LAST_USED_AT_FIELD_NUMBER: _ClassVar[int]
    REVOKED_AT_FIELD_NUMBER: _ClassVar[int]
    TOKEN_ID_FIELD_NUMBER: _ClassVar[int]
    USER_FIELD_NUMBER: _ClassVar[int]
    created_at: _timestamp_pb2.Timestamp
    expires_at: _timestamp_pb2.Timestamp
    kind: TokenKind
    label: str
    last_used_at: _timestamp_pb2.Timestamp
    revoked_at: _timestamp_pb2.Timestamp
    token_id: str
    user: str
    def __init__(self, token_id: _Optional[str] = ..., kind: _Optional[_Union[TokenKind, str]] = ..., user: _Optional[str] = ..., label: _Optional[str] = ..., created_at: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., expires_at: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., revoked_at: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., last_used_at: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class User(_message.Message):
    __slots__ = ["created_at", "name", "role", "token_count"]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    TOKEN_COUNT_FIELD_NUMBER: _ClassVar[int]
    created_at: _timestamp_pb2.Timestamp
    name: str
    role: Role
    token_count: int
    def __init__(self, name: _Optional[str] = ..., role: _Optional[_Union[Role, str]] = ..., created_at: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., token_count: _Optional[int] = ...) -> None: ...

class WhoAmIRequest(_message.Message):
    __slots__ = []
    def __init__(self) -> None: ...

class WhoAmIResponse(_message.Message):
    __slots__ = ["role", "token_expires_at", "token_id", "token_label", "user"]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    TOKEN_EXPIRES_AT_FIELD_NUMBER: _ClassVar[int]
    TOKEN_ID_FIELD_NUMBER: _ClassVar[int]
    TOKEN_LABEL_FIELD_NUMBER: _ClassVar[int]
    USER_FIELD_NUMBER: _ClassVar[int]
    role: Role
    token_expires_at: _timestamp_pb2.Timestamp
    token_id: str
    token_label: str
    user: str
    def __init__(self, user: _Optional[str] = ..., role: _Optional[_Union[Role, str]] = ..., token_id: _Optional[str] = ..., token_label: _Optional[str] = ..., token_expires_at: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Role(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class TokenKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []
