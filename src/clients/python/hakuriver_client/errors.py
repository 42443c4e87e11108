"""gRPC errors as exceptions that carry the code and the Host's structured details.

The Host attaches standard ``google.rpc`` error details (``ErrorInfo``,
``BadRequest``, ``ResourceInfo``, ``PreconditionFailure``, ``RetryInfo``) in
the ``grpc-status-details-bin`` trailer. :func:`from_rpc_error` decodes them,
so a caller can branch on ``error.reason`` or ``error.field_violations``
instead of parsing the English message.
"""
from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Dict, Iterator, List, Optional, Type

import grpc
from google.protobuf import any_pb2, message
from google.rpc import error_details_pb2, status_pb2

__all__ = [
    "HakuRiverError",
    "InvalidArgument",
    "NotFound",
    "AlreadyExists",
    "FailedPrecondition",
    "ResourceExhausted",
    "Unauthenticated",
    "PermissionDenied",
    "Unavailable",
    "DeadlineExceeded",
    "FieldViolation",
    "from_rpc_error",
    "translate_errors",
]

_DETAIL_TYPES: Dict[str, Type[message.Message]] = {
    cls.DESCRIPTOR.full_name: cls
    for cls in (
        error_details_pb2.ErrorInfo,
        error_details_pb2.RetryInfo,
        error_details_pb2.DebugInfo,
        error_details_pb2.QuotaFailure,
        error_details_pb2.PreconditionFailure,
        error_details_pb2.BadRequest,
        error_details_pb2.RequestInfo,
        error_details_pb2.ResourceInfo,
        error_details_pb2.Help,
        error_details_pb2.LocalizedMessage,
    )
}


@dataclass(frozen=True)
class FieldViolation:
    """One invalid request field: its path in the request (``memory``) and what is accepted."""

    field: str
    description: str


class HakuRiverError(Exception):
    """A failed call: the gRPC ``code``, the Host's ``message`` and its decoded ``details``."""

    def __init__(self, code: grpc.StatusCode, message_text: str, details: List[message.Message]) -> None:
        super().__init__(f"{code.name}: {message_text}")
        self.code = code
        self.message = message_text
        self.details = details

    def detail(self, cls: Type[message.Message]) -> Optional[message.Message]:
        """The first detail of type ``cls`` (for example ``error_details_pb2.BadRequest``), or None."""
        return next((d for d in self.details if isinstance(d, cls)), None)

    @property
    def reason(self) -> str:
        """``ErrorInfo.reason`` (a stable UPPER_SNAKE_CASE name such as ``INVALID_MEMORY_SIZE``), or ""."""
        info = self.detail(error_details_pb2.ErrorInfo)
        return info.reason if isinstance(info, error_details_pb2.ErrorInfo) else ""

    @property
    def metadata(self) -> Dict[str, str]:
        """``ErrorInfo.metadata`` (for example the role a call needs), or {}."""
        info = self.detail(error_details_pb2.ErrorInfo)
        return dict(info.metadata) if isinstance(info, error_details_pb2.ErrorInfo) else {}

    @property
    def field_violations(self) -> List[FieldViolation]:
        """The invalid request fields (``BadRequest``), empty when none were named."""
        bad = self.detail(error_details_pb2.BadRequest)
        if not isinstance(bad, error_details_pb2.BadRequest):
            return []
        return [FieldViolation(v.field, v.description) for v in bad.field_violations]

    @property
    def resource(self) -> Optional[error_details_pb2.ResourceInfo]:
        """The resource the error is about (``ResourceInfo``: type, name, owner), or None."""
        info = self.detail(error_details_pb2.ResourceInfo)
        return info if isinstance(info, error_details_pb2.ResourceInfo) else None

    @property
    def retry_delay(self) -> Optional[float]:
        """Seconds to wait before retrying (``RetryInfo``), or None."""
        info = self.detail(error_details_pb2.RetryInfo)
        if not isinstance(info, error_details_pb2.RetryInfo) or not info.HasField("retry_delay"):
            return None
        return info.retry_delay.seconds + info.retry_delay.nanos / 1e9


class InvalidArgument(HakuRiverError):
    """INVALID_ARGUMENT: a request field is wrong; see ``field_violations``."""


class NotFound(HakuRiverError):
    """NOT_FOUND: the task, node, container or other resource does not exist; see ``resource``."""


class AlreadyExists(HakuRiverError):
    """ALREADY_EXISTS: a resource of that name exists."""


class FailedPrecondition(HakuRiverError):
    """FAILED_PRECONDITION: the resource is in a state that forbids the call (a finished task, a draining node)."""


class ResourceExhausted(HakuRiverError):
    """RESOURCE_EXHAUSTED: no room, or too many attempts; see ``retry_delay``."""


class Unauthenticated(HakuRiverError):
    """UNAUTHENTICATED: no token, or a token the Host does not accept."""


class PermissionDenied(HakuRiverError):
    """PERMISSION_DENIED: the token's role may not make this call."""


class Unavailable(HakuRiverError):
    """UNAVAILABLE: the Host (or a runner it needs) cannot be reached now; retrying may work."""


class DeadlineExceeded(HakuRiverError):
    """DEADLINE_EXCEEDED: the call's timeout passed."""


_BY_CODE: Dict[grpc.StatusCode, Type[HakuRiverError]] = {
    grpc.StatusCode.INVALID_ARGUMENT: InvalidArgument,
    grpc.StatusCode.NOT_FOUND: NotFound,
    grpc.StatusCode.ALREADY_EXISTS: AlreadyExists,
    grpc.StatusCode.FAILED_PRECONDITION: FailedPrecondition,
    grpc.StatusCode.RESOURCE_EXHAUSTED: ResourceExhausted,
    grpc.StatusCode.UNAUTHENTICATED: Unauthenticated,
    grpc.StatusCode.PERMISSION_DENIED: PermissionDenied,
    grpc.StatusCode.UNAVAILABLE: Unavailable,
    grpc.StatusCode.DEADLINE_EXCEEDED: DeadlineExceeded,
}


def _unpack(detail: any_pb2.Any) -> message.Message:
    """A known google.rpc detail decoded; an unknown one is returned as its Any."""
    cls = _DETAIL_TYPES.get(detail.TypeName())
    if cls is None:
        return detail
    decoded = cls()
    detail.Unpack(decoded)
    return decoded


def _details_of(error: grpc.Call) -> List[message.Message]:
    for key, value in error.trailing_metadata() or ():
        if key == "grpc-status-details-bin" and isinstance(value, bytes):
            return [_unpack(d) for d in status_pb2.Status.FromString(value).details]
    return []


def from_rpc_error(error: grpc.RpcError) -> HakuRiverError:
    """The :class:`HakuRiverError` subclass of ``error``'s code, with its details decoded."""
    if not isinstance(error, grpc.Call):
        return HakuRiverError(grpc.StatusCode.UNKNOWN, str(error), [])
    code = error.code()
    cls = _BY_CODE.get(code, HakuRiverError)
    return cls(code, error.details() or "", _details_of(error))


@contextlib.contextmanager
def translate_errors() -> Iterator[None]:
    """Turns a ``grpc.RpcError`` raised inside the block into a :class:`HakuRiverError`.

    Use it around calls on ``Client.stub`` (the generated stub)::

        with translate_errors():
            client.stub.DrainNode(client_pb2.DrainNodeRequest(node="gpu-1"))
    """
    try:
        yield
    except grpc.RpcError as error:
        raise from_rpc_error(error) from None
