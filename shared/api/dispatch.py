"""Runs a handler the way every Face operation runs: key check, version check, error envelope."""
from __future__ import annotations

import logging
import uuid
from typing import Callable

from ..settings import get_settings
from .auth import require_key
from .errors import ApiError, internal_error
from .http_types import ApiRequest, ApiResponse
from .versions import require_version

log = logging.getLogger("faceapi")

Handler = Callable[[ApiRequest], ApiResponse]


def _error_response(error: ApiError) -> ApiResponse:
    return ApiResponse(error.status, error.body(), error.headers())


def run(request: ApiRequest, handler: Handler, operation: str) -> ApiResponse:
    request_id = str(uuid.uuid4())
    try:
        require_key(request, get_settings().api_keys)
        require_version(request.route.get("apiVersion", ""))
        response = handler(request)
    except ApiError as error:
        log.info("%s -> %d %s", operation, error.status, error.code)
        response = _error_response(error)
    except Exception:  # noqa: BLE001 - the client must get the envelope, never a traceback
        log.exception("%s failed (request %s)", operation, request_id)
        response = _error_response(internal_error())
    response.headers.setdefault("apim-request-id", request_id)
    return response
