"""POST /verify, /findsimilars and /group."""
from __future__ import annotations

from ..services import recognition
from .bodies import FindSimilarBody, GroupBody, VerifyBody
from .errors import bad_argument
from .http_types import ApiRequest, ApiResponse
from .params import parse_body


def handle_verify(request: ApiRequest) -> ApiResponse:
    body = parse_body(request, VerifyBody)
    if body.face_id1 is not None or body.face_id2 is not None:
        if body.face_id1 is None or body.face_id2 is None:
            raise bad_argument("Both 'faceId1' and 'faceId2' are required.")
        return ApiResponse.json(recognition.verify_faces(str(body.face_id1), str(body.face_id2)))
    if body.face_id is not None and body.person_id is not None:
        raise bad_argument("Face-to-person verification is not available in this deployment yet.")
    raise bad_argument("Request body must contain 'faceId1' and 'faceId2', or 'faceId' and 'personId'.")


def handle_find_similar(request: ApiRequest) -> ApiResponse:
    body = parse_body(request, FindSimilarBody)
    scopes = [s for s in (body.face_ids, body.face_list_id, body.large_face_list_id) if s is not None]
    if len(scopes) != 1:
        raise bad_argument("Exactly one of 'faceIds', 'faceListId' or 'largeFaceListId' is required.")
    if body.face_ids is None:
        raise bad_argument("Find-similar against face lists is not available in this deployment yet.")
    if not body.face_ids:
        raise bad_argument("'faceIds' must not be empty.")
    results = recognition.find_similar_faces(
        str(body.face_id), [str(f) for f in body.face_ids], body.max_candidates, body.mode
    )
    return ApiResponse.json(results)


def handle_group(request: ApiRequest) -> ApiResponse:
    body = parse_body(request, GroupBody)
    face_ids = list(dict.fromkeys(str(f) for f in body.face_ids))
    if len(face_ids) < 2:
        raise bad_argument("'faceIds' must hold at least 2 distinct faceIds.")
    return ApiResponse.json(recognition.group_faces(face_ids))
