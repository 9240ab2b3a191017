"""Parsing of query parameters and JSON bodies into typed values, with Azure's error codes."""
from __future__ import annotations

import json
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from .errors import bad_argument
from .http_types import ApiRequest

M = TypeVar("M", bound=BaseModel)


def query_bool(request: ApiRequest, name: str, default: bool) -> bool:
    raw = request.query.get(name)
    if raw is None or raw == "":
        return default
    lowered = raw.strip().lower()
    if lowered in ("true", "1"):
        return True
    if lowered in ("false", "0"):
        return False
    raise bad_argument(f"Invalid value for '{name}': expected true or false.")


def query_int(request: ApiRequest, name: str, default: int, low: int, high: int) -> int:
    raw = request.query.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise bad_argument(f"Invalid value for '{name}': expected an integer.") from None
    if not low <= value <= high:
        raise bad_argument(f"'{name}' must be between {low} and {high}.")
    return value


def query_choice(request: ApiRequest, name: str, default: str, choices: tuple[str, ...]) -> str:
    raw = request.query.get(name)
    if raw is None or raw == "":
        return default
    for choice in choices:
        if raw.strip().lower() == choice.lower():
            return choice
    raise bad_argument(f"Invalid {name} '{raw}'. Supported values: {', '.join(choices)}.")


def json_body(request: ApiRequest) -> Any:
    if not request.body:
        raise bad_argument("Request body is empty.")
    try:
        return json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        raise bad_argument("Request body is invalid JSON.") from None


def _describe(error: ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(p) for p in first.get("loc", ())) or "body"
    return f"Invalid request body at '{where}': {first.get('msg', 'invalid value')}."


def parse_body(request: ApiRequest, model: type[M]) -> M:
    data = json_body(request)
    if not isinstance(data, dict):
        raise bad_argument("Request body must be a JSON object.")
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise bad_argument(_describe(error)) from None
