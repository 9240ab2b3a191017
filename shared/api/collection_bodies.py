"""Request bodies and identifiers of collections, persons and persisted faces."""
from __future__ import annotations

import re
import uuid

from pydantic import BaseModel, ConfigDict, Field

from ..services.models import DEFAULT_RECOGNITION_MODEL
from .errors import ApiError, bad_argument
from .http_types import ApiRequest
from .params import query_bool, query_int

ID_PATTERN = re.compile(r"^[a-z0-9-_]{1,64}$")
USER_DATA_MAX = 16384
FACE_USER_DATA_MAX = 1024


class _Body(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class CreateCollectionBody(_Body):
    name: str = Field(min_length=1, max_length=128)
    user_data: str | None = Field(None, alias="userData", max_length=USER_DATA_MAX)
    recognition_model: str = Field(DEFAULT_RECOGNITION_MODEL, alias="recognitionModel")


class UpdateBody(_Body):
    name: str | None = Field(None, min_length=1, max_length=128)
    user_data: str | None = Field(None, alias="userData", max_length=USER_DATA_MAX)


class PersonBody(_Body):
    name: str = Field(min_length=1, max_length=128)
    user_data: str | None = Field(None, alias="userData", max_length=USER_DATA_MAX)


class FaceUserDataBody(_Body):
    user_data: str | None = Field(None, alias="userData", max_length=FACE_USER_DATA_MAX)


def require_change(body: UpdateBody) -> None:
    if body.name is None and body.user_data is None:
        raise bad_argument("Both 'name' and 'userData' are empty.")


def collection_id(value: str, field: str) -> str:
    if not ID_PATTERN.match(value or ""):
        raise bad_argument(f"Invalid {field}: use 1 to 64 characters from a-z, 0-9, '-' and '_'.")
    return value


def uuid_id(value: str, field: str) -> str:
    try:
        return str(uuid.UUID(value))
    except (ValueError, TypeError, AttributeError):
        raise bad_argument(f"Invalid {field}.") from None


def paging(request: ApiRequest) -> tuple[str | None, int]:
    start = request.query.get("start") or None
    if start is not None and len(start) > 64:
        raise bad_argument("'start' must be at most 64 characters.")
    return start, query_int(request, "top", 1000, 1, 1000)


def target_face(raw: str | None) -> tuple[int, int, int, int] | None:
    if not raw:
        return None
    try:
        values = tuple(int(v) for v in raw.split(","))
    except ValueError:
        raise bad_argument("Invalid argument targetFace: expected left,top,width,height.") from None
    if len(values) != 4 or values[0] < 0 or values[1] < 0 or values[2] <= 0 or values[3] <= 0:
        raise bad_argument("Invalid argument targetFace: expected left,top,width,height.")
    return values  # type: ignore[return-value]


def quality_override(request: ApiRequest) -> bool:
    """Only an admin may enroll a face the quality filter refuses."""
    wanted = query_bool(request, "overrideQualityCheck", False)
    if wanted and getattr(request.caller, "role", None) != "admin":
        raise ApiError(403, "PermissionDenied", "Only an admin key may override the enrollment quality check.")
    return wanted


def face_user_data(request: ApiRequest) -> str | None:
    value = request.query.get("userData")
    if value is not None and len(value) > FACE_USER_DATA_MAX:
        raise bad_argument(f"'userData' is too long; the limit is {FACE_USER_DATA_MAX} characters.")
    return value


class CreateDynamicGroupBody(_Body):
    name: str = Field(min_length=1, max_length=128)
    user_data: str | None = Field(None, alias="userData", max_length=USER_DATA_MAX)
    add_person_ids: list[str] = Field(default_factory=list, alias="addPersonIds")


class UpdateDynamicGroupBody(UpdateBody):
    add_person_ids: list[str] = Field(default_factory=list, alias="addPersonIds")
    remove_person_ids: list[str] = Field(default_factory=list, alias="removePersonIds")
