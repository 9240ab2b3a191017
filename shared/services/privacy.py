"""Consent ledger, identity mapping, photo access, revocation and delete-my-data."""
from __future__ import annotations

import logging
from datetime import datetime

from ..api.errors import ApiError, bad_argument
from ..settings import get_settings
from ..store import members, photos, subjects
from ..store import directory as directory_store
from . import collections as collection_service
from . import directory as directory_service
from .collection_kinds import KINDS_BY_KEY
from .models import RECOGNITION_MODELS
from .training import purge_snapshot

log = logging.getLogger(__name__)

SCOPES = (subjects.ENROLLMENT, subjects.PHOTO_STORAGE)
METHODS = ("app", "kiosk", "admin")
LINKABLE = ("persongroup", "largepersongroup", directory_store.DIRECTORY)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value is not None else None


def _subject_not_found() -> ApiError:
    return ApiError(404, "SubjectNotFound", "No data subject is known by this alias.")


def grant(alias: str, scope: str, purpose: str, notice_version: str, method: str, granted_by: str) -> dict:
    if scope not in SCOPES:
        raise bad_argument(f"'scope' must be one of {', '.join(SCOPES)}.")
    if method not in METHODS:
        raise bad_argument(f"'method' must be one of {', '.join(METHODS)}.")
    if scope == subjects.PHOTO_STORAGE and not any(
        c.scope == subjects.ENROLLMENT and c.active for c in subjects.consents(alias)
    ):
        raise ApiError(409, "ConsentOrderViolation", "Photo storage is a second consent: record enrollment consent first.")
    consent = subjects.grant(alias, scope, purpose, notice_version, method, granted_by)
    return _consent_json(consent)


def _consent_json(c: subjects.Consent) -> dict:
    out = {
        "consentId": c.consent_id, "scope": c.scope, "purpose": c.purpose, "noticeVersion": c.notice_version,
        "method": c.method, "grantedBy": c.granted_by, "grantedDateTime": _iso(c.granted_at), "active": c.active,
    }
    if c.revoked_at is not None:
        out["revokedDateTime"] = _iso(c.revoked_at)
        out["revokedBy"] = c.revoked_by
    return out


def view(alias: str) -> dict:
    record = subjects.subject(alias)
    if record is None:
        raise _subject_not_found()
    return {
        "alias": record["Alias"],
        "retainUntil": _iso(record.get("RetainUntil")),
        "leaver": bool(record.get("Leaver", False)),
        "persons": [
            {"kind": l.kind, "collectionId": l.collection_id, "personId": l.person_id} for l in subjects.links(alias)
        ],
        "consents": [_consent_json(c) for c in subjects.consents(alias)],
    }


def link(alias: str, kind: str, collection_id: str, person_id: str) -> None:
    if kind not in LINKABLE:
        raise bad_argument(f"'kind' must be one of {', '.join(LINKABLE)}.")
    if kind == directory_store.DIRECTORY:
        collection_id = ""
        exists = members.get_person(directory_store.persons_partition(), person_id) is not None
    else:
        collection_service.require(KINDS_BY_KEY[kind], collection_id)
        exists = members.get_person(members.partition(kind, collection_id), person_id) is not None
    if not exists:
        raise ApiError(404, "PersonNotFound", "Person is not found.")
    subjects.link(alias, subjects.Link(kind, collection_id, person_id))


def set_retention(alias: str, retain_until: datetime | None, leaver: bool | None) -> None:
    if subjects.subject(alias) is None:
        raise _subject_not_found()
    subjects.set_retention(alias, retain_until, leaver)


def photo_urls(alias: str) -> list[dict]:
    if subjects.subject(alias) is None:
        raise _subject_not_found()
    minutes = get_settings().photo_sas_minutes
    out = []
    for l in subjects.links(alias):
        for blob in photos.list_names(l.kind, l.collection_id, l.person_id):
            url, expiry = photos.sas_url(blob, minutes)
            out.append({"personId": l.person_id, "persistedFaceId": blob.rsplit("/", 1)[1], "url": url,
                        "expiresOn": _iso(expiry)})
    return out


def _delete_photos(alias: str) -> int:
    return sum(photos.delete_prefix(l.kind, l.collection_id, l.person_id) for l in subjects.links(alias))


def revoke(alias: str, scope: str, revoked_by: str) -> dict:
    if scope not in SCOPES:
        raise bad_argument(f"'scope' must be one of {', '.join(SCOPES)}.")
    if subjects.subject(alias) is None:
        raise _subject_not_found()
    if scope == subjects.PHOTO_STORAGE:
        revoked = subjects.revoke(alias, scope, revoked_by)
        return {"revoked": revoked, "photosDeleted": _delete_photos(alias), "personsDeleted": 0}
    # Without enrollment consent nothing of the person may stay: this is the same as delete-my-data.
    revoked = subjects.revoke(alias, subjects.ENROLLMENT, revoked_by) + subjects.revoke(alias, subjects.PHOTO_STORAGE, revoked_by)
    return {"revoked": revoked, **erase(alias)}


def erase(alias: str) -> dict:
    """Delete every person linked to the alias (templates, faces, photos, group memberships), rebuild
    the snapshots that held their templates, then the subject itself. Safe to repeat."""
    if subjects.subject(alias) is None:
        raise _subject_not_found()
    persons = photos_deleted = 0
    touched: set[tuple[str, str]] = set()
    for l in subjects.links(alias):
        photos_deleted += photos.delete_prefix(l.kind, l.collection_id, l.person_id)
        try:
            if l.kind == directory_store.DIRECTORY:
                directory_service.delete_person(l.person_id, RECOGNITION_MODELS)
            else:
                collection_service.delete_person(KINDS_BY_KEY[l.kind], l.collection_id, l.person_id)
                touched.add((l.kind, l.collection_id))
            persons += 1
        except ApiError as error:
            if error.status != 404:  # already gone (a repeated erasure, or the group was deleted): fine
                raise
        subjects.unlink_person(l.person_id)
    purged = 0
    for kind, collection_id in touched:
        try:
            purged += int(purge_snapshot(KINDS_BY_KEY[kind], collection_id))
        except ApiError:
            pass  # the collection itself was deleted meanwhile
    subjects.erase_subject(alias)
    log.info("erasure done: %d person(s), %d photo(s), %d snapshot(s) rebuilt", persons, photos_deleted, purged)
    return {"personsDeleted": persons, "photosDeleted": photos_deleted, "snapshotsRebuilt": purged}
