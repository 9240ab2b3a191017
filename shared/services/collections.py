"""Create, read, update and delete collections, their persons and their persisted faces."""
from __future__ import annotations

import logging
import uuid

import numpy as np

from ..api.errors import ApiError
from ..settings import get_settings
from ..store import collections as collection_store
from ..store import members, snapshots
from ..store import training as training_store
from . import consent_gate
from .collection_kinds import FACE_LIST, CollectionKind
from .enrollment import rect_text, template_for_new_face, template_version

log = logging.getLogger(__name__)


def _quota(message: str) -> ApiError:
    return ApiError(403, "QuotaExceeded", message)


def person_not_found() -> ApiError:
    return ApiError(404, "PersonNotFound", "Person is not found.")


def persisted_face_not_found() -> ApiError:
    return ApiError(404, "PersistedFaceNotFound", "Persisted face is not found.")


def require(kind: CollectionKind, collection_id: str, status: int = 404) -> collection_store.Collection:
    found = collection_store.get(kind.key, collection_id)
    if found is None:
        raise kind.not_found(status)
    return found


def _part(kind: CollectionKind, collection_id: str) -> str:
    return members.partition(kind.key, collection_id)


def _describe(kind: CollectionKind, c: collection_store.Collection, return_model: bool) -> dict:
    out: dict = {kind.id_field: c.collection_id, "name": c.name}
    if c.user_data is not None:
        out["userData"] = c.user_data
    if return_model:
        out["recognitionModel"] = c.recognition_model
    return out


# ---- collections -----------------------------------------------------------------------------

def create(kind: CollectionKind, collection_id: str, name: str, user_data: str | None, model: str) -> None:
    if kind is FACE_LIST and collection_store.count(kind.key) >= get_settings().limits.face_lists:
        raise _quota("Face list number reached the limit.")
    if not collection_store.create(kind.key, collection_id, name, user_data, model):
        raise kind.exists()
    log.info("created %s", kind.key)


def describe(kind: CollectionKind, collection_id: str, return_model: bool) -> dict:
    collection = require(kind, collection_id)
    out = _describe(kind, collection, return_model)
    if kind is FACE_LIST:
        faces = members.list_faces(_part(kind, collection_id), None, get_settings().limits.faces_per_face_list)
        out["persistedFaces"] = [_face_json(f) for f in faces]
    return out


def list_all(kind: CollectionKind, start: str | None, top: int | None, return_model: bool) -> list[dict]:
    return [_describe(kind, c, return_model) for c in collection_store.list_page(kind.key, start, top)]


def update(kind: CollectionKind, collection_id: str, name: str | None, user_data: str | None) -> None:
    if not collection_store.update(kind.key, collection_id, name, user_data):
        raise kind.not_found()


def delete(kind: CollectionKind, collection_id: str) -> None:
    """Hide the collection first, then remove its rows, training state and snapshots, then the record.

    A crash part-way leaves a hidden collection that a repeated DELETE finishes.
    """
    if not collection_store.mark_deleting(kind.key, collection_id):
        raise kind.not_found()
    rows = members.delete_partition(_part(kind, collection_id))
    training_store.remove(kind.key, collection_id)
    blobs = snapshots.delete_all(kind.key, collection_id) if kind.trainable else 0
    consent_gate.forget_collection(kind.key, collection_id)
    collection_store.remove(kind.key, collection_id)
    log.info("deleted %s: %d rows, %d snapshots", kind.key, rows, blobs)


# ---- persons ---------------------------------------------------------------------------------

def _person_json(p: members.Person) -> dict:
    out: dict = {"personId": p.person_id, "name": p.name}
    if p.user_data is not None:
        out["userData"] = p.user_data
    out["persistedFaceIds"] = p.face_ids
    return out


def create_person(kind: CollectionKind, collection_id: str, name: str, user_data: str | None) -> str:
    require(kind, collection_id)
    person_id = str(uuid.uuid4())
    try:
        members.add_person(_part(kind, collection_id), person_id, name, user_data, kind.member_limit(get_settings().limits))
    except members.QuotaReached:
        raise _quota("Person number reached the limit of the group.") from None
    return person_id


def get_person(kind: CollectionKind, collection_id: str, person_id: str) -> dict:
    require(kind, collection_id)
    person = members.get_person(_part(kind, collection_id), person_id)
    if person is None:
        raise person_not_found()
    return _person_json(person)


def list_persons(kind: CollectionKind, collection_id: str, start: str | None, top: int) -> list[dict]:
    require(kind, collection_id)
    return [_person_json(p) for p in members.list_persons(_part(kind, collection_id), start, top)]


def update_person(kind: CollectionKind, collection_id: str, person_id: str, name: str | None, user_data: str | None) -> None:
    require(kind, collection_id)
    if not members.update_person(_part(kind, collection_id), person_id, name, user_data):
        raise person_not_found()


def delete_person(kind: CollectionKind, collection_id: str, person_id: str) -> None:
    require(kind, collection_id)
    if not members.delete_person(_part(kind, collection_id), person_id):
        raise person_not_found()
    consent_gate.forget_person(kind.key, collection_id, person_id)


# ---- persisted faces -------------------------------------------------------------------------

def _face_json(f: members.Face) -> dict:
    out: dict = {"persistedFaceId": f.face_id}
    if f.user_data:
        out["userData"] = f.user_data
    return out


def add_face(
    kind: CollectionKind,
    collection_id: str,
    person_id: str | None,
    photo: bytes,
    image: np.ndarray,
    target_face: tuple[int, int, int, int] | None,
    detection_model: str,
    user_data: str | None,
    quality_override: bool = False,
) -> str:
    collection = require(kind, collection_id)
    part = _part(kind, collection_id)
    limits = get_settings().limits
    if person_id is not None:
        if members.get_person(part, person_id) is None:
            raise person_not_found()
        consent_gate.check_before_add(person_id)
    analysis = template_for_new_face(image, target_face, quality_override)
    face = members.Face(
        face_id=str(uuid.uuid4()), person_id=person_id, user_data=user_data,
        recognition_model=collection.recognition_model, detection_model=detection_model,
        template_version=template_version(), rect=rect_text(analysis),
    )
    limit = limits.faces_per_person if person_id is not None else kind.member_limit(limits)
    # The photo goes first, so a failure can only leave a photo to remove, never a face without its photo.
    photo_blob = consent_gate.store_photo_if_consented(kind.key, collection_id, person_id, face.face_id, photo)
    try:
        members.add_face(part, face, analysis.embedding, limit, person_id)
    except members.QuotaReached:
        what = "Persisted face number of the person" if person_id else "Persisted face number"
        raise _quota(f"{what} reached the limit.") from None
    except members.Missing:
        raise person_not_found() from None
    finally:
        if photo_blob is not None and members.get_face(part, face.face_id, person_id) is None:
            consent_gate.forget_face(kind.key, collection_id, person_id, face.face_id)
    return face.face_id


def get_face(kind: CollectionKind, collection_id: str, person_id: str | None, face_id: str) -> dict:
    require(kind, collection_id)
    face = members.get_face(_part(kind, collection_id), face_id, person_id)
    if face is None:
        raise persisted_face_not_found()
    return _face_json(face)


def list_faces(kind: CollectionKind, collection_id: str, start: str | None, top: int) -> list[dict]:
    require(kind, collection_id)
    return [_face_json(f) for f in members.list_faces(_part(kind, collection_id), start, top)]


def update_face(kind: CollectionKind, collection_id: str, person_id: str | None, face_id: str, user_data: str | None) -> None:
    require(kind, collection_id)
    if person_id is not None and members.get_person(_part(kind, collection_id), person_id) is None:
        raise person_not_found()
    if not members.update_face(_part(kind, collection_id), face_id, user_data, person_id):
        raise persisted_face_not_found()


def delete_face(kind: CollectionKind, collection_id: str, person_id: str | None, face_id: str) -> None:
    require(kind, collection_id)
    if person_id is not None and members.get_person(_part(kind, collection_id), person_id) is None:
        raise person_not_found()
    if not members.delete_face(_part(kind, collection_id), face_id, person_id):
        raise persisted_face_not_found()
    consent_gate.forget_face(kind.key, collection_id, person_id, face_id)

