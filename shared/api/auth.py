"""Who is calling: the subscription key identifies a named key with a role."""
from __future__ import annotations

import hmac

from ..settings import ApiKey, key_hash
from .errors import ApiError, unauthorized
from .http_types import ApiRequest

KEY_HEADER = "Ocp-Apim-Subscription-Key"

RECOGNIZE, ENROLL, ADMIN = "recognize", "enroll", "admin"
DEVICE = "device"  # a liveness session's own bearer token; opens nothing else
# The recognizer mirrors Azure's "Cognitive Services Face Recognizer" role: it may detect and
# search but never create, change or delete enrollment data.
ROLE_PERMISSIONS = {
    "recognizer": frozenset({RECOGNIZE}),
    "enroller": frozenset({RECOGNIZE, ENROLL}),
    "admin": frozenset({RECOGNIZE, ENROLL, ADMIN}),
}


def identify_caller(request: ApiRequest, keys: tuple[ApiKey, ...]) -> ApiKey:
    presented = request.headers.get(KEY_HEADER) or ""
    digest = key_hash(presented)
    # Compare with every key, without stopping early, so timing reveals nothing about which matched.
    match = None
    for key in keys:
        if hmac.compare_digest(digest, key.sha256) and presented:
            match = key
    if match is None:
        raise unauthorized()
    return match


def require_permission(caller: ApiKey, permission: str) -> None:
    if permission not in ROLE_PERMISSIONS.get(caller.role, frozenset()):
        raise ApiError(
            403, "PermissionDenied",
            f"The key '{caller.name}' has the role '{caller.role}', which does not allow this operation.",
        )
