"""POST /verify, /findsimilars and /group."""
from __future__ import annotations

from ..services import directory, identification, recognition
from ..services.collection_kinds import LARGE_FACE_LIST, LARGE_PERSON_GROUP, FACE_LIST, PERSON_GROUP
from .bodies import FindSimilarBody, GroupBody, IdentifyBody, VerifyBody
from .collection_bodies import collection_id, uuid_id
from .errors import ApiError, bad_argument
from .http_types import ApiRequest, ApiResponse
from .params import parse_body


def handle_verify(request: ApiRequest) -> ApiResponse:
    body = parse_body(request, VerifyBody)
    if body.face_id1 is not None or body.face_id2 is not None:
        if body.face_id1 is None or body.face_id2 is None:
            raise bad_argument("Both 'faceId1' and 'faceId2' are required.")
        return ApiResponse.json(recognition.verify_faces(str(body.face_id1), str(body.face_id2)))
    if body.face_id is not None and body.person_id is not None:
        if body.person_group_id is not None and body.large_person_group_id is not None:
            raise bad_argument("Only one of 'personGroupId' and 'largePersonGroupId' may be given.")
        if body.person_group_id is not None:
            kind, cid = PERSON_GROUP, collection_id(body.person_group_id, "personGroupId")
        elif body.large_person_group_id is not None:
            kind, cid = LARGE_PERSON_GROUP, collection_id(body.large_person_group_id, "largePersonGroupId")
        else:
            return ApiResponse.json(directory.verify(str(body.face_id), str(body.person_id)))
        return ApiResponse.json(
            identification.verify_to_person(kind, cid, str(body.face_id), str(body.person_id))
        )
    raise bad_argument("Request body must contain 'faceId1' and 'faceId2', or 'faceId' and 'personId'.")


def handle_find_similar(request: ApiRequest) -> ApiResponse:
    body = parse_body(request, FindSimilarBody)
    scopes = [s for s in (body.face_ids, body.face_list_id, body.large_face_list_id) if s is not None]
    if len(scopes) != 1:
        raise bad_argument("Exactly one of 'faceIds', 'faceListId' or 'largeFaceListId' is required.")
    if body.face_list_id is not None:
        cid = collection_id(body.face_list_id, "faceListId")
        return ApiResponse.json(
            identification.find_similar_in_list(FACE_LIST, cid, str(body.face_id), body.max_candidates, body.mode)
        )
    if body.large_face_list_id is not None:
        cid = collection_id(body.large_face_list_id, "largeFaceListId")
        return ApiResponse.json(
            identification.find_similar_in_list(LARGE_FACE_LIST, cid, str(body.face_id), body.max_candidates, body.mode)
        )
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


DEFAULT_IDENTIFY_THRESHOLD = 0.5


def handle_identify(request: ApiRequest) -> ApiResponse:
    body = parse_body(request, IdentifyBody)
    if body.person_group_id is not None and body.large_person_group_id is not None:
        raise ApiError(
            400, "PersonGroupIdAndLargePersonGroupIdBothNotNull",
            "Large person group ID and person group ID are both not null.",
        )
    if body.person_group_id is not None:
        kind, cid = PERSON_GROUP, collection_id(body.person_group_id, "personGroupId")
    elif body.large_person_group_id is not None:
        kind, cid = LARGE_PERSON_GROUP, collection_id(body.large_person_group_id, "largePersonGroupId")
    elif body.person_ids is not None or body.dynamic_person_group_id is not None:
        return ApiResponse.json(_identify_in_directory(request, body))
    else:
        raise ApiError(
            400, "PersonGroupIdAndLargePersonGroupIdBothNull",
            "Large person group ID and person group ID are both null.",
        )
    face_ids, max_candidates, threshold = _identify_options(request, body)
    return ApiResponse.json(identification.identify(kind, cid, face_ids, max_candidates, threshold))


def _identify_options(request: ApiRequest, body: IdentifyBody) -> tuple[list[str], int, float]:
    face_ids = list(dict.fromkeys(str(f) for f in body.face_ids))
    # v1.0 returned a single candidate unless asked for more.
    default_max = 1 if request.route.get("apiVersion") == "v1.0" else 10
    threshold = DEFAULT_IDENTIFY_THRESHOLD if body.confidence_threshold is None else body.confidence_threshold
    return face_ids, body.max_candidates or default_max, threshold


def _identify_in_directory(request: ApiRequest, body: IdentifyBody) -> list[dict]:
    face_ids, max_candidates, threshold = _identify_options(request, body)
    if body.dynamic_person_group_id is not None:
        if body.person_ids is not None:
            raise bad_argument("Only one of 'personIds' and 'dynamicPersonGroupId' may be given.")
        group_id = collection_id(body.dynamic_person_group_id, "dynamicPersonGroupId")
        return directory.identify_in_group(face_ids, group_id, max_candidates, threshold)
    if body.person_ids == ["*"]:
        return directory.identify(face_ids, None, max_candidates, threshold)
    person_ids = [uuid_id(p, "personIds") for p in body.person_ids or []]
    return directory.identify(face_ids, list(dict.fromkeys(person_ids)), max_candidates, threshold)
