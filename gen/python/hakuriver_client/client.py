"""A thin convenience layer over the generated ``ClientService`` stub.

``Client`` opens the channel, sends the token with every call and offers a
few helpers (``submit``, ``submit_and_wait``, ``follow_logs``,
``list_nodes``); everything else is the generated stub, ``client.stub``, with
the request and response messages of ``hakuriver.v1.client_pb2``.
"""
from __future__ import annotations

import collections
import json
import os
import time
from pathlib import Path
from typing import Any, Callable, Iterator, List, Optional
from urllib.parse import urlsplit

import grpc

from hakuriver.v1 import client_pb2, client_pb2_grpc, types_pb2

from .errors import translate_errors

__all__ = ["Client", "LogFollow", "FINAL_STATUSES", "DEFAULT_ADDRESS", "resolve_token"]

#: The Host's default address (``network.host_port`` 8000 on this machine).
DEFAULT_ADDRESS = "127.0.0.1:8000"

#: Statuses a task never leaves once it reaches them.
FINAL_STATUSES = frozenset(
    {
        types_pb2.TASK_STATUS_COMPLETED,
        types_pb2.TASK_STATUS_FAILED,
        types_pb2.TASK_STATUS_KILLED,
        types_pb2.TASK_STATUS_KILLED_OOM,
        types_pb2.TASK_STATUS_LOST,
        types_pb2.TASK_STATUS_TIMEOUT,
    }
)


def _split_address(address: str) -> "tuple[str, bool]":
    """``host:port`` to dial and whether the address asked for TLS (``https://``)."""
    if "://" in address:
        url = urlsplit(address)
        port = url.port or (443 if url.scheme == "https" else 80)
        return f"{url.hostname}:{port}", url.scheme == "https"
    if address.startswith(":"):
        return f"127.0.0.1{address}", False
    if address.isdigit():
        return f"127.0.0.1:{address}", False
    return address, False


def resolve_token(address: str, token: Optional[str] = None, credentials_file: Optional[Path] = None) -> str:
    """The token to send: ``token`` if given, else ``HAKURIVER_AUTH_TOKEN``, else the
    Host's entry in ``~/.hakuriver/credentials`` (what ``hakuriver login`` writes), else ""."""
    if token:
        return token
    from_env = os.environ.get("HAKURIVER_AUTH_TOKEN", "")
    if from_env:
        return from_env
    path = credentials_file or Path.home() / ".hakuriver" / "credentials"
    if not path.exists():
        return ""
    entries = json.loads(path.read_text(encoding="utf-8")).get("hosts", {})
    entry = entries.get(_split_address(address)[0], {})
    return str(entry.get("token", ""))


class _CallDetails(
    collections.namedtuple("_CallDetails", ("method", "timeout", "metadata", "credentials", "wait_for_ready", "compression")),
    grpc.ClientCallDetails,
):
    """A call's details with the credential added (grpcio's ClientCallDetails is abstract)."""


class _BearerToken(
    grpc.UnaryUnaryClientInterceptor,
    grpc.UnaryStreamClientInterceptor,
    grpc.StreamUnaryClientInterceptor,
    grpc.StreamStreamClientInterceptor,
):
    """Adds ``authorization: Bearer TOKEN`` to every call (plain-text and TLS channels alike)."""

    def __init__(self, token: str) -> None:
        self._header = ("authorization", f"Bearer {token}")

    def _details(self, details: grpc.ClientCallDetails) -> grpc.ClientCallDetails:
        metadata = list(details.metadata or []) + [self._header]
        return _CallDetails(
            details.method, details.timeout, metadata, details.credentials,
            getattr(details, "wait_for_ready", None), getattr(details, "compression", None),
        )

    def intercept_unary_unary(self, continuation: Callable[..., Any], details: grpc.ClientCallDetails, request: Any) -> Any:
        return continuation(self._details(details), request)

    def intercept_unary_stream(self, continuation: Callable[..., Any], details: grpc.ClientCallDetails, request: Any) -> Any:
        return continuation(self._details(details), request)

    def intercept_stream_unary(self, continuation: Callable[..., Any], details: grpc.ClientCallDetails, requests: Iterator[Any]) -> Any:
        return continuation(self._details(details), requests)

    def intercept_stream_stream(self, continuation: Callable[..., Any], details: grpc.ClientCallDetails, requests: Iterator[Any]) -> Any:
        return continuation(self._details(details), requests)


class LogFollow:
    """One followed log stream: iterate it for the output's bytes; ``end`` then holds the
    ``LogEnd`` (final ``status``, ``exit_code``, total ``size``) when the Host sent one."""

    def __init__(self, responses: Any) -> None:
        self._responses = responses
        self.end: Optional[client_pb2.LogEnd] = None

    def __iter__(self) -> Iterator[bytes]:
        with translate_errors():
            for response in self._responses:
                event = response.WhichOneof("event")
                if event == "data":
                    yield response.data.data
                elif event == "end":
                    self.end = response.end

    def read(self) -> bytes:
        """All of the stream's output (to its end when following)."""
        return b"".join(self)

    def cancel(self) -> None:
        """Stops following (the server stream is cancelled)."""
        self._responses.cancel()


class Client:
    """A connection to a HakuRiver Host.

    ``address`` is ``HOST:PORT`` or a URL (``https://`` means TLS); it defaults to
    ``HAKURIVER_HOST`` or 127.0.0.1:8000. ``token`` defaults as :func:`resolve_token`
    says. ``ca_file`` (a PEM CA or the Host's own certificate) means TLS verified
    against it. ``timeout`` is the default deadline, in seconds, of unary calls.
    Calls that fail raise :class:`hakuriver_client.HakuRiverError` subclasses.
    """

    def __init__(
        self,
        address: Optional[str] = None,
        token: Optional[str] = None,
        *,
        ca_file: Optional[str] = None,
        timeout: float = 30.0,
    ) -> None:
        address = address or os.environ.get("HAKURIVER_HOST") or DEFAULT_ADDRESS
        target, https = _split_address(address)
        if ca_file or https:
            roots = Path(ca_file).read_bytes() if ca_file else None
            channel = grpc.secure_channel(target, grpc.ssl_channel_credentials(root_certificates=roots))
        else:
            channel = grpc.insecure_channel(target)
        resolved = resolve_token(address, token)
        self.channel: grpc.Channel = grpc.intercept_channel(channel, _BearerToken(resolved)) if resolved else channel
        self._raw_channel = channel
        self.timeout = timeout
        #: The generated stub: every ClientService RPC, with the token attached.
        self.stub = client_pb2_grpc.ClientServiceStub(self.channel)

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Closes the channel."""
        self._raw_channel.close()

    def submit(self, request: Optional[client_pb2.SubmitTaskRequest] = None, **fields: Any) -> List[types_pb2.Task]:
        """Submits a task (or a sweep): a ``SubmitTaskRequest``, or its fields as keywords
        (``command="python", args=["train.py"], cores=2, memory="4G"``). Returns the
        created tasks; ``container`` defaults to the Host's default environment, "NULL" is native."""
        request = request or client_pb2.SubmitTaskRequest(**fields)
        with translate_errors():
            return list(self.stub.SubmitTask(request, timeout=self.timeout).tasks)

    def get_task(self, task_id: str) -> types_pb2.Task:
        """One task by id."""
        with translate_errors():
            return self.stub.GetTask(client_pb2.GetTaskRequest(task_id=task_id), timeout=self.timeout).task

    def list_nodes(self) -> List[types_pb2.Node]:
        """Every node the Host knows, online or not."""
        with translate_errors():
            return list(self.stub.ListNodes(client_pb2.ListNodesRequest(), timeout=self.timeout).nodes)

    def kill(self, task_id: str) -> types_pb2.Task:
        """Kills a task; returns it as the Host recorded the kill."""
        with translate_errors():
            return self.stub.KillTask(client_pb2.KillTaskRequest(task_id=task_id), timeout=self.timeout).task

    def follow_logs(
        self,
        task_id: str,
        *,
        stream: "types_pb2.LogStream.ValueType" = types_pb2.LOG_STREAM_STDOUT,
        offset: int = 0,
        follow: bool = True,
        timeout: Optional[float] = None,
    ) -> LogFollow:
        """A task's stdout (or ``stream=LOG_STREAM_STDERR``) from byte ``offset``; with
        ``follow`` the iteration lasts until the task ends. ``timeout`` (seconds) bounds the whole stream."""
        request = client_pb2.FollowLogsRequest(task_id=task_id, stream=stream, offset=offset, follow=follow)
        return LogFollow(self.stub.FollowLogs(request, timeout=timeout))

    def wait(self, task_id: str, timeout: Optional[float] = None) -> types_pb2.Task:
        """Blocks until the task reaches a final status (the Host pushes it; no polling) and returns it."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            task = self.get_task(task_id)
            if task.status in FINAL_STATUSES:
                return task
            left = None if deadline is None else max(0.001, deadline - time.monotonic())
            followed = self.follow_logs(task_id, follow=True, timeout=left)
            for _ in followed:
                pass
            if followed.end is None or followed.end.status not in FINAL_STATUSES:
                time.sleep(0.2)  # the stream ended without the final state: look again shortly

    def submit_and_wait(
        self, request: Optional[client_pb2.SubmitTaskRequest] = None, *, timeout: Optional[float] = None, **fields: Any
    ) -> List[types_pb2.Task]:
        """:meth:`submit`, then :meth:`wait` for every created task; returns them in their
        final state (``status``, ``exit_code``). ``timeout`` (seconds) bounds the whole wait."""
        deadline = None if timeout is None else time.monotonic() + timeout
        finished = []
        for task in self.submit(request, **fields):
            left = None if deadline is None else max(0.001, deadline - time.monotonic())
            finished.append(self.wait(task.task_id, timeout=left))
        return finished
