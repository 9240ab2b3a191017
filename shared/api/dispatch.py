"""Runs a handler the way every Face operation runs: key and role check, version check,
error envelope, and an audit entry for everything that touches enrollment data."""
from __future__ import annotations

import logging
import re
import uuid
from typing import Callable
from urllib.parse import urlsplit

from ..settings import get_settings
from ..store import audit
from .auth import ADMIN, DEVICE, ENROLL, RECOGNIZE, identify_caller, require_permission
from .errors import ApiError, internal_error
from .http_types import ApiRequest, ApiResponse
from .versions import require_version

log = logging.getLogger("faceapi")

Handler = Callable[[ApiRequest], ApiResponse]

_RECOGNITION = {"detect", "verify", "findsimilars", "group", "identify"}
_ADMIN_PREFIX = "admin-"


def permission_for(operation: str) -> str:
    if operation.startswith("device-"):
        return DEVICE
    if operation in _RECOGNITION or operation.startswith("liveness"):
        return RECOGNIZE
    if operation.startswith(_ADMIN_PREFIX):
        return ADMIN
    return ENROLL


_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def redact(path: str) -> str:
    """personIds and faceIds are secrets tied to a person; the audit keeps the shape of the path only."""
    return _UUID.sub("{id}", path)


def _error_response(error: ApiError) -> ApiResponse:
    return ApiResponse(error.status, error.body(), error.headers())


def _audit(request: ApiRequest, operation: str, status: int, request_id: str) -> None:
    caller = request.caller
    if caller is None:
        return
    try:
        audit.write(
            audit.AuditEntry(
                key_name=caller.name, role=caller.role, operation=operation, method=request.method,
                resource=redact(urlsplit(request.url).path), status=status, request_id=request_id,
                detail=request.audit_detail,
            )
        )
    except Exception:  # noqa: BLE001 - a failed audit write is reported, not hidden, but doesn't undo the work
        log.exception("audit write failed for request %s", request_id)


def run(request: ApiRequest, handler: Handler, operation: str) -> ApiResponse:
    request_id = str(uuid.uuid4())
    permission = permission_for(operation)
    try:
        if permission != DEVICE:  # devices hold a session token, checked by the handler, never a key
            request.caller = identify_caller(request, get_settings().api_keys)
            require_permission(request.caller, permission)
        require_version(request.route.get("apiVersion", ""))
        response = handler(request)
    except ApiError as error:
        log.info("%s -> %d %s", operation, error.status, error.code)
        response = _error_response(error)
    except Exception:  # noqa: BLE001 - the client must get the envelope, never a traceback
        log.exception("%s failed (request %s)", operation, request_id)
        response = _error_response(internal_error())
    if permission != RECOGNIZE:
        _audit(request, operation, response.status, request_id)
    response.headers.setdefault("apim-request-id", request_id)
    return response
