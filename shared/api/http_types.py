"""HTTP-shaped request and response values that the core handles without azure.functions."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Mapping


class CaseInsensitiveDict(dict):
    """Header and query lookups are case-insensitive, as on the Azure front door."""

    def __init__(self, data: Mapping[str, str] | None = None) -> None:
        super().__init__()
        for k, v in (data or {}).items():
            self[k] = v

    def __setitem__(self, key: str, value: str) -> None:
        super().__setitem__(key.lower(), value)

    def __getitem__(self, key: str) -> str:
        return super().__getitem__(key.lower())

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and super().__contains__(key.lower())

    def get(self, key: str, default: Any = None) -> Any:
        return super().get(key.lower(), default)


@dataclass
class ApiRequest:
    method: str
    route: dict[str, str]
    query: CaseInsensitiveDict
    headers: CaseInsensitiveDict
    body: bytes = b""
    url: str = ""
    caller: Any = None          # the ApiKey that authenticated the request
    audit_detail: str = ""      # what a handler wants recorded beside the operation (no biometrics)

    @property
    def base_url(self) -> str:
        """scheme://host[:port] of the request, for Location-style headers."""
        parts = self.url.split("/", 3)
        return "/".join(parts[:3]) if len(parts) >= 3 else ""

    @property
    def content_type(self) -> str:
        return (self.headers.get("content-type") or "").split(";")[0].strip().lower()


@dataclass
class ApiResponse:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    @staticmethod
    def json(payload: Any, status: int = 200, headers: dict[str, str] | None = None) -> "ApiResponse":
        h = {"Content-Type": "application/json; charset=utf-8"}
        h.update(headers or {})
        return ApiResponse(status, json.dumps(payload, separators=(",", ":")).encode(), h)

    @staticmethod
    def empty(status: int = 200, headers: dict[str, str] | None = None) -> "ApiResponse":
        return ApiResponse(status, b"", dict(headers or {}))
