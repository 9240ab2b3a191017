"""API versions served under /face/{apiVersion}/."""
from __future__ import annotations

from .errors import ApiError

SUPPORTED_VERSIONS = ("v1.0", "v1.1-preview.1", "v1.2-preview.1", "v1.2")


def require_version(version: str) -> str:
    if version not in SUPPORTED_VERSIONS:
        raise ApiError(404, "404", "Resource not found")
    return version
