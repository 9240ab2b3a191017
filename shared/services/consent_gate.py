"""Where enrollment meets consent: refuse without it, keep photos only with it, forget on delete."""
from __future__ import annotations

import logging

from ..api.errors import ApiError
from ..settings import get_settings
from ..store import photos, subjects

log = logging.getLogger(__name__)


def check_before_add(person_id: str) -> None:
    if get_settings().require_consent and not subjects.has_active(person_id, subjects.ENROLLMENT):
        raise ApiError(
            403, "ConsentRequired",
            "This deployment requires an active enrollment consent for the person before faces can be added. "
            "Record it with POST /face/{version}/privacy/consents and link the person to the subject's alias.",
        )


def store_photo_if_consented(kind: str, collection_id: str, person_id: str | None, face_id: str, photo: bytes) -> str | None:
    """The photo is written only with an active photo-storage consent; otherwise it is never stored."""
    if person_id is None or not subjects.has_active(person_id, subjects.PHOTO_STORAGE):
        return None
    blob = photos.name(kind, collection_id, person_id, face_id)
    photos.put(blob, photo)
    return blob


def forget_face(kind: str, collection_id: str, person_id: str | None, face_id: str) -> None:
    if person_id is not None:
        photos.delete(photos.name(kind, collection_id, person_id, face_id))


def forget_person(kind: str, collection_id: str, person_id: str) -> None:
    removed = photos.delete_prefix(kind, collection_id, person_id)
    subjects.unlink_person(person_id)
    log.info("forgot a person of a %s: %d photo(s) removed", kind, removed)


def forget_collection(kind: str, collection_id: str) -> None:
    photos.delete_prefix(kind, collection_id)
    for link in subjects.links_in_collection(kind, collection_id):
        subjects.unlink_person(link.person_id)
