"""The Azure error envelope: every failure the service reports is an ApiError."""
from __future__ import annotations

import json


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message

    def body(self) -> bytes:
        return json.dumps({"error": {"code": self.code, "message": self.message}}).encode()

    def headers(self) -> dict[str, str]:
        return {"x-ms-error-code": self.code, "Content-Type": "application/json; charset=utf-8"}


def bad_argument(message: str) -> ApiError:
    return ApiError(400, "BadArgument", message)


def invalid_image(message: str) -> ApiError:
    return ApiError(400, "InvalidImage", message)


def invalid_image_size(message: str) -> ApiError:
    return ApiError(400, "InvalidImageSize", message)


def invalid_url(message: str) -> ApiError:
    return ApiError(400, "InvalidURL", message)


def unauthorized() -> ApiError:
    return ApiError(
        401,
        "401",
        "Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key "
        "for an active subscription and use a correct regional API endpoint for your resource.",
    )


def not_found(code: str, message: str) -> ApiError:
    return ApiError(404, code, message)


def internal_error() -> ApiError:
    return ApiError(500, "InternalServerError", "An internal error occurred. Retry the request later.")
