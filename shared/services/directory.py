"""PersonDirectory and DynamicPersonGroup: persons shared across models and groups, searched 1:N."""
from __future__ import annotations

import logging
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from ..api.errors import ApiError, bad_argument
from ..search.index import TemplateIndex
from ..settings import get_settings
from ..store import collections as collection_store
from ..store import directory as store
from ..store import members, operations
from ..vision import pipeline
from . import consent_gate
from .collections import person_not_found, persisted_face_not_found
from .enrollment import rect_text, template_for_new_face, template_version
from .identification import SAME_PERSON, query_faces

log = logging.getLogger(__name__)
_pool = ThreadPoolExecutor(max_workers=16, thread_name_prefix="directory-read")
DIRECTORY_PERSON_LIMIT = 75_000_000


def _done() -> str:
    return operations.record("succeeded")


def _dpg_not_found(status: int = 404) -> ApiError:
    return ApiError(status, "DynamicPersonGroupNotFound", "Dynamic person group is not found.")


def _person_json(p: members.Person) -> dict:
    out: dict = {"personId": p.person_id, "name": p.name}
    if p.user_data is not None:
        out["userData"] = p.user_data
    return out


# ---- persons -----------------------------------------------------------------------------------

def create_person(name: str, user_data: str | None) -> tuple[str, str]:
    person_id = str(uuid.uuid4())
    members.add_person(store.persons_partition(), person_id, name, user_data, DIRECTORY_PERSON_LIMIT)
    return person_id, _done()


def _require_person(person_id: str, status: int = 404) -> members.Person:
    person = members.get_person(store.persons_partition(), person_id)
    if person is None:
        raise ApiError(status, "PersonNotFound", "Person is not found.")
    return person


def get_person(person_id: str) -> dict:
    return _person_json(_require_person(person_id))


def list_persons(start: str | None, top: int) -> list[dict]:
    return [_person_json(p) for p in members.list_persons(store.persons_partition(), start, top)]


def update_person(person_id: str, name: str | None, user_data: str | None) -> None:
    if not members.update_person(store.persons_partition(), person_id, name, user_data):
        raise person_not_found()


def delete_person(person_id: str, recognition_models: tuple[str, ...]) -> str:
    """Faces in every model, group memberships and the person itself; nothing of them stays."""
    _require_person(person_id)
    for model in recognition_models:
        if members.delete_person(store.faces_partition(model), person_id):
            store.bump_version(model)
    for group_id in store.person_groups(person_id):
        store.remove_members(group_id, [person_id])
    members.delete_person(store.persons_partition(), person_id)
    consent_gate.forget_person(store.DIRECTORY, "", person_id)
    return _done()


def references(person_id: str, start: str | None, top: int) -> dict:
    _require_person(person_id)
    return {"dynamicPersonGroupIds": store.person_groups(person_id, start, top)}


# ---- faces -------------------------------------------------------------------------------------

def add_face(
    person_id: str, model: str, photo: bytes, image: np.ndarray, target, detection_model: str,
    user_data: str | None, quality_override: bool = False,
) -> tuple[str, str]:
    _require_person(person_id)
    consent_gate.check_before_add(person_id)
    analysis = template_for_new_face(image, target, quality_override)
    store.ensure_face_owner(model, person_id)
    face = members.Face(str(uuid.uuid4()), person_id, user_data, model, detection_model,
                        template_version(), rect_text(analysis))
    part = store.faces_partition(model)
    photo_blob = consent_gate.store_photo_if_consented(store.DIRECTORY, "", person_id, face.face_id, photo)
    try:
        members.add_face(part, face, analysis.embedding, get_settings().limits.faces_per_person, person_id)
    except members.QuotaReached:
        raise ApiError(403, "QuotaExceeded", "Persisted face number of the person reached the limit.") from None
    finally:
        if photo_blob is not None and members.get_face(part, face.face_id, person_id) is None:
            consent_gate.forget_face(store.DIRECTORY, "", person_id, face.face_id)
    store.bump_version(model)
    return face.face_id, _done()


def list_faces(person_id: str, model: str) -> dict:
    _require_person(person_id)
    owner = members.get_person(store.faces_partition(model), person_id)
    return {"personId": person_id, "persistedFaceIds": owner.face_ids if owner else []}


def get_face(person_id: str, model: str, face_id: str) -> dict:
    _require_person(person_id)
    face = members.get_face(store.faces_partition(model), face_id, person_id)
    if face is None:
        raise persisted_face_not_found()
    out: dict = {"persistedFaceId": face.face_id}
    if face.user_data:
        out["userData"] = face.user_data
    return out


def update_face(person_id: str, model: str, face_id: str, user_data: str | None) -> None:
    _require_person(person_id)
    if not members.update_face(store.faces_partition(model), face_id, user_data, person_id):
        raise persisted_face_not_found()


def delete_face(person_id: str, model: str, face_id: str) -> str:
    _require_person(person_id)
    if not members.delete_face(store.faces_partition(model), face_id, person_id):
        raise persisted_face_not_found()
    consent_gate.forget_face(store.DIRECTORY, "", person_id, face_id)
    store.bump_version(model)
    return _done()


# ---- dynamic person groups ----------------------------------------------------------------------

def _check_persons_exist(person_ids: list[str]) -> None:
    found = list(_pool.map(lambda p: members.get_person(store.persons_partition(), p), person_ids))
    if any(f is None for f in found):
        raise ApiError(400, "PersonNotFound", "Person is not found.")


def create_group(group_id: str, name: str, user_data: str | None, add: list[str]) -> str | None:
    _check_persons_exist(add)
    if not collection_store.create(store.DPG_KIND, group_id, name, user_data, ""):
        raise ApiError(409, "DynamicPersonGroupExists", "Dynamic person group already exists.")
    if add:
        store.add_members(group_id, add)
        return _done()
    return None


def _require_group(group_id: str, status: int = 404) -> collection_store.Collection:
    group = collection_store.get(store.DPG_KIND, group_id)
    if group is None:
        raise _dpg_not_found(status)
    return group


def update_group(group_id: str, name: str | None, user_data: str | None, add: list[str], remove: list[str]) -> str | None:
    _require_group(group_id)
    _check_persons_exist(add)
    if name is not None or user_data is not None:
        collection_store.update(store.DPG_KIND, group_id, name, user_data)
    if add or remove:
        store.add_members(group_id, add)
        store.remove_members(group_id, remove)
        return _done()
    return None


def delete_group(group_id: str) -> str:
    if not collection_store.mark_deleting(store.DPG_KIND, group_id):
        raise _dpg_not_found()
    store.delete_group_members(group_id)
    collection_store.remove(store.DPG_KIND, group_id)
    return _done()


def get_group(group_id: str) -> dict:
    group = _require_group(group_id)
    out: dict = {"dynamicPersonGroupId": group.collection_id, "name": group.name}
    if group.user_data is not None:
        out["userData"] = group.user_data
    return out


def list_groups(start: str | None, top: int) -> list[dict]:
    return [get_group(g.collection_id) for g in collection_store.list_page(store.DPG_KIND, start, top)]


def group_persons(group_id: str, start: str | None, top: int) -> dict:
    _require_group(group_id)
    return {"personIds": store.group_members(group_id, start, top)}


# ---- search --------------------------------------------------------------------------------------

_index_cache: dict[str, tuple[str, list[str], TemplateIndex]] = {}
_index_lock = threading.Lock()


def _directory_index(model: str) -> tuple[list[str], TemplateIndex]:
    """The whole directory's templates for one model, rebuilt when a face was added or removed."""
    token = store.version(model)
    with _index_lock:
        hit = _index_cache.get(model)
        if hit is not None and hit[0] == token:
            return hit[1], hit[2]
        person_of_row: list[str] = []
        vectors = []
        for _face_id, person_id, template, _m in members.templates(store.faces_partition(model)):
            person_of_row.append(person_id)
            vectors.append(template)
        matrix = np.stack(vectors).astype(np.float32) if vectors else np.zeros((0, 512), np.float32)
        index = TemplateIndex.build(matrix)
        _index_cache[model] = (token, person_of_row, index)
        log.info("directory index for %s rebuilt: %d templates", model, index.size)
        return person_of_row, index


def _person_templates(model: str, person_id: str) -> np.ndarray:
    part = store.faces_partition(model)
    owner = members.get_person(part, person_id)
    if owner is None or not owner.face_ids:
        return np.zeros((0, 512), np.float32)
    rows = [r for r in _pool.map(lambda f: members.get_row(part, members.FACE + f), owner.face_ids) if r is not None]
    return np.stack([np.frombuffer(r["Template"], dtype="<f4") for r in rows]) if rows else np.zeros((0, 512), np.float32)


def _confidence(sims) -> np.ndarray:
    return np.asarray(pipeline.confidence_from_similarity(sims), dtype=np.float64)


def _rank(best: dict[str, float], threshold: float, max_candidates: int) -> list[dict]:
    ranked = sorted(((p, c) for p, c in best.items() if c >= threshold), key=lambda kv: -kv[1])
    return [{"personId": p, "confidence": round(c, 5)} for p, c in ranked[:max_candidates]]


def identify(face_ids: list[str], scope: list[str] | None, max_candidates: int, threshold: float) -> list[dict]:
    """scope None searches the whole directory ("*"); otherwise only the listed persons."""
    queries = query_faces(face_ids, None)
    model = queries[0].recognition_model
    results = []
    if scope is None:
        person_of_row, index = _directory_index(model)
        if index.size == 0:
            return [{"faceId": q.face_id, "candidates": []} for q in queries]
        k = min(index.size, max(64, max_candidates * 16))
        sims, rows = index.search(np.stack([q.embedding for q in queries]).astype(np.float32), k)
        for query, q_sims, q_rows in zip(queries, sims, rows):
            best: dict[str, float] = {}
            for conf, row in zip(_confidence(q_sims), q_rows):
                best.setdefault(person_of_row[row], float(conf))
            live = {p for p in best if members.get_person(store.persons_partition(), p) is not None} if best else set()
            results.append({"faceId": query.face_id,
                            "candidates": _rank({p: c for p, c in best.items() if p in live}, threshold, max_candidates)})
        return results
    templates = dict(zip(scope, _pool.map(lambda p: _person_templates(model, p), scope)))
    for query in queries:
        best = {p: float(_confidence(t @ query.embedding).max()) for p, t in templates.items() if len(t)}
        results.append({"faceId": query.face_id, "candidates": _rank(best, threshold, max_candidates)})
    return results


def identify_in_group(face_ids: list[str], group_id: str, max_candidates: int, threshold: float) -> list[dict]:
    _require_group(group_id, status=400)
    return identify(face_ids, store.group_members(group_id), max_candidates, threshold)


def verify(face_id: str, person_id: str) -> dict:
    (query,) = query_faces([face_id], None, missing_status=404)
    _require_person(person_id)
    templates = _person_templates(query.recognition_model, person_id)
    if not len(templates):
        raise bad_argument("The person has no persisted face for this face's recognition model.")
    confidence = float(_confidence(templates @ query.embedding).max())
    return {"isIdentical": confidence >= SAME_PERSON, "confidence": round(confidence, 5)}
