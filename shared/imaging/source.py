"""The image an operation works on: raw bytes in the body, or JSON {"url"}."""
from __future__ import annotations

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from ..api.errors import ApiError, invalid_url
from ..api.http_types import ApiRequest
from ..api.params import parse_body
from ..settings import Settings
from ..store import liveness
from .decode import check_size, decode_image
from .fetch import fetch_image

RAW_TYPES = ("application/octet-stream", "image/jpeg", "image/png", "image/gif", "image/bmp")


class UrlBody(BaseModel):
    model_config = ConfigDict(extra="ignore")
    url: str | None = None
    session_image_id: str | None = Field(None, alias="sessionImageId")


def image_bytes(request: ApiRequest, settings: Settings) -> bytes:
    ctype = request.content_type
    if ctype == "application/json" or ctype.endswith("+json"):
        body = parse_body(request, UrlBody)
        if body.session_image_id and not body.url:
            return _session_image(body.session_image_id)
        if not body.url:
            raise invalid_url("Invalid image URL.")
        data = fetch_image(
            body.url.strip(),
            allow_private=settings.allow_private_urls,
            timeout=settings.url_timeout_seconds,
            max_redirects=settings.url_max_redirects,
        )
    elif ctype in RAW_TYPES or ctype == "":
        data = request.body
    else:
        raise ApiError(415, "BadArgument", f"Unsupported media type '{ctype}'. Use application/octet-stream or application/json.")
    check_size(data)
    return data


def load_image(request: ApiRequest, settings: Settings) -> np.ndarray:
    return decode_image(image_bytes(request, settings), settings.max_image_pixels)


def _session_image(image_id: str) -> bytes:
    data = liveness.get_image(image_id.strip().lower())
    if data is None:
        raise ApiError(404, "SessionImageNotFound", "Session image is not found.")
    return data
