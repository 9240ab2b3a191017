"""Our own routes (outside the Azure surface) for consent, identity mapping, photos, erasure,
retention and audit. Documented in the README, section "Privacy and data lifecycle"."""
from __future__ import annotations

from datetime import datetime, timezone

from pydantic import BaseModel, ConfigDict, Field

from ..services import privacy, reenrollment, retention
from ..store import audit, subjects
from .collection_bodies import collection_id, uuid_id
from .errors import bad_argument
from .http_types import ApiRequest, ApiResponse
from .params import parse_body, query_int


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class ConsentBody(_Body):
    alias: str = Field(min_length=1, max_length=256)
    scope: str
    purpose: str = Field(min_length=1, max_length=1024)
    notice_version: str = Field(alias="noticeVersion", min_length=1, max_length=64)
    method: str


class RevokeBody(_Body):
    alias: str = Field(min_length=1, max_length=256)
    scope: str


class AliasBody(_Body):
    alias: str = Field(min_length=1, max_length=256)


class LinkBody(_Body):
    alias: str = Field(min_length=1, max_length=256)
    person_id: str = Field(alias="personId")
    person_group_id: str | None = Field(None, alias="personGroupId")
    large_person_group_id: str | None = Field(None, alias="largePersonGroupId")
    person_directory: bool = Field(False, alias="personDirectory")


class RetentionBody(_Body):
    alias: str = Field(min_length=1, max_length=256)
    retain_until: datetime | None = Field(None, alias="retainUntil")
    leaver: bool | None = None


def _alias_query(request: ApiRequest) -> str:
    alias = request.query.get("alias")
    if not alias:
        raise bad_argument("Query parameter 'alias' is required.")
    return alias


def _detail(request: ApiRequest, alias: str, extra: str = "") -> None:
    # The audit names the subject by its hashed key, not by the alias itself.
    request.audit_detail = f"subject={subjects.alias_key(alias)}" + (f" {extra}" if extra else "")


def handle_consents(request: ApiRequest) -> ApiResponse:
    body = parse_body(request, ConsentBody)
    _detail(request, body.alias, f"scope={body.scope}")
    return ApiResponse.json(
        privacy.grant(body.alias, body.scope, body.purpose, body.notice_version, body.method, request.caller.name)
    )


def handle_revoke(request: ApiRequest) -> ApiResponse:
    body = parse_body(request, RevokeBody)
    result = privacy.revoke(body.alias, body.scope, request.caller.name)
    _detail(request, body.alias, " ".join(f"{k}={v}" for k, v in result.items()))
    return ApiResponse.json(result)


def handle_erasure(request: ApiRequest) -> ApiResponse:
    body = parse_body(request, AliasBody)
    result = privacy.erase(body.alias)
    _detail(request, body.alias, " ".join(f"{k}={v}" for k, v in result.items()))
    return ApiResponse.json(result)


def handle_subject(request: ApiRequest) -> ApiResponse:
    alias = _alias_query(request)
    _detail(request, alias)
    return ApiResponse.json(privacy.view(alias))


def handle_link(request: ApiRequest) -> ApiResponse:
    body = parse_body(request, LinkBody)
    scopes = [s for s in (body.person_group_id, body.large_person_group_id, body.person_directory or None) if s]
    if len(scopes) != 1:
        raise bad_argument("Give exactly one of 'personGroupId', 'largePersonGroupId' or 'personDirectory': true.")
    person_id = uuid_id(body.person_id, "personId")
    if body.person_group_id:
        kind, cid = "persongroup", collection_id(body.person_group_id, "personGroupId")
    elif body.large_person_group_id:
        kind, cid = "largepersongroup", collection_id(body.large_person_group_id, "largePersonGroupId")
    else:
        kind, cid = "directory", ""
    privacy.link(body.alias, kind, cid, person_id)
    _detail(request, body.alias, f"kind={kind}")
    return ApiResponse.empty()


def handle_retention(request: ApiRequest) -> ApiResponse:
    body = parse_body(request, RetentionBody)
    if body.retain_until is None and body.leaver is None:
        raise bad_argument("Give 'retainUntil', 'leaver' or both.")
    retain = body.retain_until
    if retain is not None and retain.tzinfo is None:
        retain = retain.replace(tzinfo=timezone.utc)
    privacy.set_retention(body.alias, retain, body.leaver)
    _detail(request, body.alias)
    return ApiResponse.empty()


def handle_photos(request: ApiRequest) -> ApiResponse:
    alias = _alias_query(request)
    _detail(request, alias)
    return ApiResponse.json(privacy.photo_urls(alias))


def handle_sweep(request: ApiRequest) -> ApiResponse:
    return ApiResponse.json(retention.sweep())


def handle_audit(request: ApiRequest) -> ApiResponse:
    day = request.query.get("day") or datetime.now(timezone.utc).strftime("%Y%m%d")
    if len(day) != 8 or not day.isdigit():
        raise bad_argument("'day' must be a UTC date written yyyymmdd.")
    top = query_int(request, "top", 100, 1, 1000)
    return ApiResponse.json(
        audit.query(day, top, request.query.get("operation") or None, request.query.get("keyName") or None)
    )


def handle_reenrollment_start(request: ApiRequest) -> ApiResponse:
    operation_id = reenrollment.start()
    location = f"{request.base_url}/face/{request.route['apiVersion']}/admin/reenrollment/{operation_id}"
    return ApiResponse.json({"operationId": operation_id}, 202, {"operation-Location": location, "Retry-After": "1"})


def handle_reenrollment_status(request: ApiRequest) -> ApiResponse:
    return ApiResponse.json(reenrollment.status(uuid_id(request.route["operationId"], "operationId")))
