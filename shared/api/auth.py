"""Subscription-key check. Two keys are accepted at once so they can be rotated like Azure's."""
from __future__ import annotations

import hmac

from .errors import unauthorized
from .http_types import ApiRequest

KEY_HEADER = "Ocp-Apim-Subscription-Key"


def require_key(request: ApiRequest, valid_keys: tuple[str, ...]) -> None:
    presented = request.headers.get(KEY_HEADER) or ""
    # Compare against every key, without short-circuiting, so timing reveals neither key.
    matched = False
    for key in valid_keys:
        matched |= hmac.compare_digest(presented.encode(), key.encode())
    if not (presented and matched):
        raise unauthorized()
