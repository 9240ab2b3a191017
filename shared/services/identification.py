"""1:N search (identify, find-similar in face lists) and face-to-person verification."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from ..api.errors import ApiError, bad_argument
from ..store import faces as face_store
from ..store import members, snapshots
from ..store import training as training_store
from ..vision import pipeline
from . import snapshot_cache
from .collection_kinds import FACE_LIST, CollectionKind
from .collections import person_not_found, require

SAME_PERSON = 0.5
_pool = ThreadPoolExecutor(max_workers=16, thread_name_prefix="member-read")


def query_faces(face_ids: list[str], model: str | None, missing_status: int = 400) -> list[face_store.StoredFace]:
    """The stored faces behind faceIds; all must exist and (when given) come from `model`."""
    found = face_store.load_faces(face_ids)
    try:
        faces = [found[f.lower()] for f in face_ids]
    except KeyError:
        raise ApiError(missing_status, "FaceNotFound", "Face is not found.") from None
    model = model or faces[0].recognition_model
    if any(f.recognition_model != model for f in faces):
        raise bad_argument("'recognitionModel' is incompatible.")
    return faces


def _trained(kind: CollectionKind, collection_id: str) -> snapshot_cache.Loaded:
    state = training_store.get(kind.key, collection_id)
    if state is None:
        raise kind.not_trained()
    if state.status in (training_store.NOT_STARTED, training_store.RUNNING):
        raise kind.training_not_finished()
    if state.snapshot_blob is None:
        raise kind.not_trained()
    return snapshot_cache.get(kind.key, collection_id, state.snapshot_blob)


def _confidence(sims: np.ndarray) -> np.ndarray:
    return np.asarray(pipeline.confidence_from_similarity(sims), dtype=np.float64)


def identify(
    kind: CollectionKind, collection_id: str, face_ids: list[str], max_candidates: int, threshold: float
) -> list[dict]:
    collection = require(kind, collection_id, status=400)
    queries = query_faces(face_ids, collection.recognition_model)
    loaded = _trained(kind, collection_id)
    part = members.partition(kind.key, collection_id)
    results = []
    if loaded.index.size == 0:
        return [{"faceId": q.face_id, "candidates": []} for q in queries]
    # Enough face rows that the best max_candidates persons are among them even if each has many faces.
    k = min(loaded.index.size, max(64, max_candidates * 16))
    sims, rows = loaded.index.search(np.stack([q.embedding for q in queries]).astype(np.float32), k)
    for query, q_sims, q_rows in zip(queries, sims, rows):
        best: dict[str, float] = {}
        for conf, row in zip(_confidence(q_sims), q_rows):
            if conf < threshold:
                break  # rows come best first
            person = snapshots.uuid_str(loaded.snapshot.person_ids[row])
            if person not in best:
                best[person] = float(conf)
        ranked = sorted(best.items(), key=lambda kv: -kv[1])
        live = _still_present(part, [p for p, _ in ranked[: max_candidates * 2]], members.PERSON)
        candidates = [{"personId": p, "confidence": round(c, 5)} for p, c in ranked if p in live][:max_candidates]
        results.append({"faceId": query.face_id, "candidates": candidates})
    return results


def _still_present(part: str, ids: list[str], row_prefix: str) -> set[str]:
    """Persons or faces deleted since training must never be returned: check the few we would return."""
    if not ids:
        return set()
    client_rows = list(_pool.map(lambda i: members.get_row(part, row_prefix + i), ids))
    return {i for i, row in zip(ids, client_rows) if row is not None}


def verify_to_person(kind: CollectionKind, collection_id: str, face_id: str, person_id: str) -> dict:
    collection = require(kind, collection_id)
    (query,) = query_faces([face_id], collection.recognition_model, missing_status=404)
    part = members.partition(kind.key, collection_id)
    person = members.get_person(part, person_id)
    if person is None:
        raise person_not_found()
    rows = [r for r in _pool.map(lambda f: members.get_row(part, members.FACE + f), person.face_ids) if r is not None]
    if not rows:
        raise ApiError(400, "PersonFaceNotFound", "The person has no persisted face to verify against.")
    templates = np.stack([np.frombuffer(r["Template"], dtype="<f4") for r in rows])
    confidence = float(_confidence(templates @ query.embedding).max())
    return {"isIdentical": confidence >= SAME_PERSON, "confidence": round(confidence, 5)}


# ---- find-similar in face lists ----------------------------------------------------------------

_list_cache: dict[str, tuple[int, list[str], np.ndarray]] = {}
_list_lock = threading.Lock()


def _face_list_templates(part: str) -> tuple[list[str], np.ndarray]:
    """A FaceList (<= 1,000 faces, never trained) is cached per instance until its version changes."""
    version = members.version(part)
    with _list_lock:
        hit = _list_cache.get(part)
    if hit is not None and hit[0] == version:
        return hit[1], hit[2]
    ids, vectors = [], []
    for face_id, _person, template, _model in members.templates(part):
        ids.append(face_id)
        vectors.append(template)
    matrix = np.stack(vectors) if vectors else np.zeros((0, 512), np.float32)
    with _list_lock:
        _list_cache[part] = (version, ids, matrix)
    return ids, matrix


def find_similar_in_list(
    kind: CollectionKind, collection_id: str, face_id: str, max_candidates: int, mode: str
) -> list[dict]:
    collection = require(kind, collection_id, status=400)
    (query,) = query_faces([face_id], collection.recognition_model)
    part = members.partition(kind.key, collection_id)
    if kind is FACE_LIST:
        ids, matrix = _face_list_templates(part)
        if not ids:
            raise ApiError(400, "FaceListNotReady", "Face list is empty.")
        conf = _confidence(matrix @ query.embedding)
        order = np.argsort(-conf, kind="stable")
        ranked = [(ids[i], float(conf[i])) for i in order]
    else:
        loaded = _trained(kind, collection_id)
        if loaded.index.size == 0:
            return []
        sims, rows = loaded.index.search(query.embedding[None, :].astype(np.float32), min(loaded.index.size, max_candidates * 2))
        ranked = [
            (snapshots.uuid_str(loaded.snapshot.face_ids[r]), float(c)) for c, r in zip(_confidence(sims[0]), rows[0])
        ]
    if mode == "matchPerson":
        ranked = [(f, c) for f, c in ranked if c >= SAME_PERSON]
    ranked = ranked[: max_candidates * 2]
    live = _still_present(part, [f for f, _ in ranked], members.FACE)
    return [{"persistedFaceId": f, "confidence": round(c, 5)} for f, c in ranked if f in live][:max_candidates]
