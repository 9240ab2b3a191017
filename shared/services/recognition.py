"""Face-to-face recognition over stored faceIds: verify, find-similar and group."""
from __future__ import annotations

import numpy as np

from ..api.errors import ApiError, bad_argument
from ..store import faces as face_store
from ..vision import pipeline
from .clustering import average_linkage_groups

SAME_PERSON = 0.5


def _face_not_found(status: int) -> ApiError:
    return ApiError(status, "FaceNotFound", "Face is not found.")


def _load(face_ids: list[str], missing_status: int) -> list[face_store.StoredFace]:
    found = face_store.load_faces(face_ids)
    try:
        faces = [found[f.lower()] for f in face_ids]
    except KeyError:
        raise _face_not_found(missing_status) from None
    if len({f.recognition_model for f in faces}) > 1:
        raise bad_argument("'recognitionModel' is incompatible.")
    return faces


def verify_faces(face_id1: str, face_id2: str) -> dict:
    first, second = _load([face_id1, face_id2], missing_status=404)
    confidence = float(pipeline.confidence_from_similarity(pipeline.similarity(first.embedding, second.embedding)))
    return {"isIdentical": confidence >= SAME_PERSON, "confidence": round(confidence, 5)}


def find_similar_faces(face_id: str, candidate_ids: list[str], max_candidates: int, mode: str) -> list[dict]:
    faces = _load([face_id, *candidate_ids], missing_status=400)
    query, candidates = faces[0], faces[1:]
    matrix = np.stack([c.embedding for c in candidates])
    confidence = np.asarray(pipeline.confidence_from_similarity(matrix @ query.embedding), dtype=np.float64)
    order = np.argsort(-confidence, kind="stable")
    results = []
    for index in order:
        if mode == "matchPerson" and confidence[index] < SAME_PERSON:
            break
        results.append({"faceId": candidates[index].face_id, "confidence": round(float(confidence[index]), 5)})
        if len(results) == max_candidates:
            break
    return results


def group_faces(face_ids: list[str]) -> dict:
    faces = _load(face_ids, missing_status=400)
    matrix = np.stack([f.embedding for f in faces])
    confidence = np.asarray(pipeline.confidence_from_similarity(matrix @ matrix.T), dtype=np.float64)
    clusters = average_linkage_groups(confidence, SAME_PERSON)
    groups = sorted((c for c in clusters if len(c) > 1), key=lambda c: (-len(c), min(c)))
    messy = sorted(i for c in clusters if len(c) == 1 for i in c)
    return {
        "groups": [[faces[i].face_id for i in sorted(group)] for group in groups],
        "messyGroup": [faces[i].face_id for i in messy],
    }
