"""HakuRiver from Python: the generated ``hakuriver.v1`` messages and stubs plus a few
conveniences. Add this directory (``gen/python``) to ``PYTHONPATH``, or
``pip install gen/python``.

    from hakuriver_client import Client

    with Client("127.0.0.1:8000") as hr:           # token: HAKURIVER_AUTH_TOKEN or `hakuriver login`
        [task] = hr.submit(command="echo", args=["hi"], container="NULL")
        logs = hr.follow_logs(task.task_id)
        for chunk in logs:
            print(chunk.decode(), end="")
        print("exit", logs.end.exit_code)
"""
from .client import DEFAULT_ADDRESS, FINAL_STATUSES, Client, LogFollow, resolve_token
from .errors import (
    AlreadyExists,
    DeadlineExceeded,
    FailedPrecondition,
    FieldViolation,
    HakuRiverError,
    InvalidArgument,
    NotFound,
    PermissionDenied,
    ResourceExhausted,
    Unauthenticated,
    Unavailable,
    from_rpc_error,
    translate_errors,
)

__all__ = [
    "Client",
    "LogFollow",
    "FINAL_STATUSES",
    "DEFAULT_ADDRESS",
    "resolve_token",
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
