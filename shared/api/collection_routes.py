"""HTTP handlers for FaceList, LargeFaceList, PersonGroup and LargePersonGroup (one set for all four)."""
from __future__ import annotations

from ..imaging.decode import decode_image
from ..imaging.source import image_bytes
from ..services import collections as svc
from ..services import training
from ..services.collection_kinds import CollectionKind, kind_for_route
from ..services.models import DEFAULT_DETECTION_MODEL, DETECTION_MODELS, RECOGNITION_MODELS
from ..settings import get_settings
from .collection_bodies import (
    CreateCollectionBody,
    quality_override,
    require_change,
    FaceUserDataBody,
    PersonBody,
    UpdateBody,
    collection_id,
    face_user_data,
    paging,
    target_face,
    uuid_id,
)
from .errors import ApiError, bad_argument
from .http_types import ApiRequest, ApiResponse
from .params import parse_body, query_bool, query_choice

TRAINING_POLL_SECONDS = "1"


def _not_allowed() -> ApiError:
    return ApiError(405, "MethodNotAllowed", "The HTTP method is not supported on this resource.")


def _target(request: ApiRequest) -> tuple[CollectionKind, str]:
    kind = kind_for_route(request.route["collection"])
    return kind, collection_id(request.route["collectionId"], kind.id_field)


def _persons_kind(request: ApiRequest) -> tuple[CollectionKind, str]:
    kind, cid = _target(request)
    if not kind.has_persons:
        raise ApiError(404, "404", "Resource not found")
    return kind, cid


def _lists_kind(request: ApiRequest) -> tuple[CollectionKind, str]:
    kind, cid = _target(request)
    if kind.has_persons:
        raise ApiError(404, "404", "Resource not found")
    return kind, cid


def handle_collection(request: ApiRequest) -> ApiResponse:
    kind, cid = _target(request)
    if request.method == "PUT":
        body = parse_body(request, CreateCollectionBody)
        if body.recognition_model not in RECOGNITION_MODELS:
            raise bad_argument(f"Invalid recognitionModel '{body.recognition_model}'.")
        svc.create(kind, cid, body.name, body.user_data, body.recognition_model)
        return ApiResponse.empty()
    if request.method == "GET":
        return ApiResponse.json(svc.describe(kind, cid, query_bool(request, "returnRecognitionModel", False)))
    if request.method == "PATCH":
        body = parse_body(request, UpdateBody)
        require_change(body)
        svc.update(kind, cid, body.name, body.user_data)
        return ApiResponse.empty()
    if request.method == "DELETE":
        svc.delete(kind, cid)
        return ApiResponse.empty()
    raise _not_allowed()


def handle_collection_list(request: ApiRequest) -> ApiResponse:
    kind = kind_for_route(request.route["collection"])
    return_model = query_bool(request, "returnRecognitionModel", False)
    if kind.paged:
        start, top = paging(request)
    else:
        start, top = None, None
    return ApiResponse.json(svc.list_all(kind, start, top, return_model))


def handle_train(request: ApiRequest) -> ApiResponse:
    kind, cid = _target(request)
    if not kind.trainable:
        raise ApiError(404, "404", "Resource not found")
    training.request_training(kind, cid)
    location = f"{request.base_url}/face/{request.route['apiVersion']}/{kind.route}/{cid}/training"
    return ApiResponse.empty(202, {"operation-Location": location, "Retry-After": TRAINING_POLL_SECONDS})


def handle_training_status(request: ApiRequest) -> ApiResponse:
    kind, cid = _target(request)
    if not kind.trainable:
        raise ApiError(404, "404", "Resource not found")
    status = training.training_status(kind, cid, request.route["apiVersion"])
    headers = {} if status["status"] in ("succeeded", "failed") else {"Retry-After": TRAINING_POLL_SECONDS}
    return ApiResponse.json(status, headers=headers)


def handle_persons(request: ApiRequest) -> ApiResponse:
    kind, cid = _persons_kind(request)
    if request.method == "POST":
        body = parse_body(request, PersonBody)
        return ApiResponse.json({"personId": svc.create_person(kind, cid, body.name, body.user_data)})
    start, top = paging(request)
    return ApiResponse.json(svc.list_persons(kind, cid, start, top))


def handle_person(request: ApiRequest) -> ApiResponse:
    kind, cid = _persons_kind(request)
    person_id = uuid_id(request.route["personId"], "personId")
    if request.method == "GET":
        return ApiResponse.json(svc.get_person(kind, cid, person_id))
    if request.method == "PATCH":
        body = parse_body(request, UpdateBody)
        require_change(body)
        svc.update_person(kind, cid, person_id, body.name, body.user_data)
        return ApiResponse.empty()
    if request.method == "DELETE":
        svc.delete_person(kind, cid, person_id)
        return ApiResponse.empty()
    raise _not_allowed()


def _add_face(request: ApiRequest, kind: CollectionKind, cid: str, person_id: str | None) -> ApiResponse:
    detection_model = query_choice(request, "detectionModel", DEFAULT_DETECTION_MODEL, DETECTION_MODELS)
    target = target_face(request.query.get("targetFace"))
    user_data = face_user_data(request)
    override = quality_override(request)
    svc.require(kind, cid)  # cheap checks before the image is fetched and analysed
    photo = image_bytes(request, get_settings())
    image = decode_image(photo, get_settings().max_image_pixels)
    face_id = svc.add_face(kind, cid, person_id, photo, image, target, detection_model, user_data, override)
    return ApiResponse.json({"persistedFaceId": face_id})


def _face_item(request: ApiRequest, kind: CollectionKind, cid: str, person_id: str | None) -> ApiResponse:
    face_id = uuid_id(request.route["persistedFaceId"], "persistedFaceId")
    if request.method == "GET":
        return ApiResponse.json(svc.get_face(kind, cid, person_id, face_id))
    if request.method == "PATCH":
        body = parse_body(request, FaceUserDataBody)
        svc.update_face(kind, cid, person_id, face_id, body.user_data)
        return ApiResponse.empty()
    if request.method == "DELETE":
        svc.delete_face(kind, cid, person_id, face_id)
        return ApiResponse.empty()
    raise _not_allowed()


def handle_person_faces(request: ApiRequest) -> ApiResponse:
    kind, cid = _persons_kind(request)
    return _add_face(request, kind, cid, uuid_id(request.route["personId"], "personId"))


def handle_person_face(request: ApiRequest) -> ApiResponse:
    kind, cid = _persons_kind(request)
    return _face_item(request, kind, cid, uuid_id(request.route["personId"], "personId"))


def handle_list_faces(request: ApiRequest) -> ApiResponse:
    kind, cid = _lists_kind(request)
    if request.method == "POST":
        return _add_face(request, kind, cid, None)
    if not kind.paged:
        raise _not_allowed()
    start, top = paging(request)
    return ApiResponse.json(svc.list_faces(kind, cid, start, top))


def handle_list_face(request: ApiRequest) -> ApiResponse:
    kind, cid = _lists_kind(request)
    return _face_item(request, kind, cid, None)
