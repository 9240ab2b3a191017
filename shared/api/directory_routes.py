"""HTTP handlers for PersonDirectory, DynamicPersonGroup and /operations (preview API surface)."""
from __future__ import annotations

from ..imaging.decode import decode_image
from ..imaging.source import image_bytes
from ..services import directory as svc
from ..services.models import DEFAULT_DETECTION_MODEL, DETECTION_MODELS, RECOGNITION_MODELS
from ..settings import get_settings
from ..store import operations
from .collection_bodies import (
    CreateDynamicGroupBody,
    FaceUserDataBody,
    PersonBody,
    UpdateBody,
    UpdateDynamicGroupBody,
    collection_id,
    face_user_data,
    paging,
    quality_override,
    require_change,
    target_face,
    uuid_id,
)
from .errors import ApiError, bad_argument
from .http_types import ApiRequest, ApiResponse
from .params import parse_body, query_choice


def _root(request: ApiRequest) -> str:
    return f"{request.base_url}/face/{request.route['apiVersion']}"


def _accepted(request: ApiRequest, operation_id: str, body: dict | None = None, location: str | None = None) -> ApiResponse:
    headers = {"operation-Location": f"{_root(request)}/operations/{operation_id}"}
    if location:
        headers["Location"] = f"{_root(request)}/{location}"
    if body is None:
        return ApiResponse.empty(202, headers)
    return ApiResponse.json(body, 202, headers)


def _person_id(request: ApiRequest) -> str:
    return uuid_id(request.route["personId"], "personId")


def _model(request: ApiRequest) -> str:
    model = request.route["recognitionModel"]
    if model not in RECOGNITION_MODELS:
        raise bad_argument(f"Invalid recognitionModel '{model}'.")
    return model


def _ids(values: list[str]) -> list[str]:
    return [uuid_id(v, "personId") for v in values]


def handle_persons(request: ApiRequest) -> ApiResponse:
    if request.method == "POST":
        body = parse_body(request, PersonBody)
        person_id, op = svc.create_person(body.name, body.user_data)
        return _accepted(request, op, {"personId": person_id}, f"persons/{person_id}")
    start, top = paging(request)
    return ApiResponse.json(svc.list_persons(start, top))


def handle_person(request: ApiRequest) -> ApiResponse:
    person_id = _person_id(request)
    if request.method == "GET":
        return ApiResponse.json(svc.get_person(person_id))
    if request.method == "PATCH":
        body = parse_body(request, UpdateBody)
        require_change(body)
        svc.update_person(person_id, body.name, body.user_data)
        return ApiResponse.empty()
    return _accepted(request, svc.delete_person(person_id, RECOGNITION_MODELS))


def handle_person_references(request: ApiRequest) -> ApiResponse:
    start, top = paging(request)
    return ApiResponse.json(svc.references(_person_id(request), start, top))


def handle_person_faces(request: ApiRequest) -> ApiResponse:
    person_id, model = _person_id(request), _model(request)
    if request.method == "GET":
        return ApiResponse.json(svc.list_faces(person_id, model))
    detection_model = query_choice(request, "detectionModel", DEFAULT_DETECTION_MODEL, DETECTION_MODELS)
    target = target_face(request.query.get("targetFace"))
    user_data = face_user_data(request)
    override = quality_override(request)
    svc.get_person(person_id)  # fail before fetching the image
    photo = image_bytes(request, get_settings())
    image = decode_image(photo, get_settings().max_image_pixels)
    face_id, op = svc.add_face(person_id, model, photo, image, target, detection_model, user_data, override)
    return _accepted(
        request, op, {"persistedFaceId": face_id},
        f"persons/{person_id}/recognitionModels/{model}/persistedfaces/{face_id}",
    )


def handle_person_face(request: ApiRequest) -> ApiResponse:
    person_id, model = _person_id(request), _model(request)
    face_id = uuid_id(request.route["persistedFaceId"], "persistedFaceId")
    if request.method == "GET":
        return ApiResponse.json(svc.get_face(person_id, model, face_id))
    if request.method == "PATCH":
        body = parse_body(request, FaceUserDataBody)
        svc.update_face(person_id, model, face_id, body.user_data)
        return ApiResponse.empty()
    return _accepted(request, svc.delete_face(person_id, model, face_id))


def handle_dynamic_groups(request: ApiRequest) -> ApiResponse:
    start, top = paging(request)
    return ApiResponse.json(svc.list_groups(start, top))


def handle_dynamic_group(request: ApiRequest) -> ApiResponse:
    group_id = collection_id(request.route["dynamicPersonGroupId"], "dynamicPersonGroupId")
    if request.method == "GET":
        return ApiResponse.json(svc.get_group(group_id))
    if request.method == "PUT":
        body = parse_body(request, CreateDynamicGroupBody)
        op = svc.create_group(group_id, body.name, body.user_data, _ids(body.add_person_ids))
        return _accepted(request, op) if op else ApiResponse.empty()
    if request.method == "PATCH":
        body = parse_body(request, UpdateDynamicGroupBody)
        add, remove = _ids(body.add_person_ids), _ids(body.remove_person_ids)
        if body.name is None and body.user_data is None and not add and not remove:
            raise bad_argument("Nothing to update.")
        op = svc.update_group(group_id, body.name, body.user_data, add, remove)
        return _accepted(request, op) if op else ApiResponse.empty()
    return _accepted(request, svc.delete_group(group_id))


def handle_dynamic_group_persons(request: ApiRequest) -> ApiResponse:
    group_id = collection_id(request.route["dynamicPersonGroupId"], "dynamicPersonGroupId")
    start, top = paging(request)
    return ApiResponse.json(svc.group_persons(group_id, start, top))


def _iso(value) -> str | None:
    return value.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z" if value is not None else None


def handle_operation(request: ApiRequest) -> ApiResponse:
    operation_id = uuid_id(request.route["operationId"], "operationId")
    found = operations.get(operation_id)
    if found is None:
        raise ApiError(404, "OperationNotFound", "Operation is not found.")
    out = {
        "operationId": operation_id,
        "status": found["Status"],
        "createdTime": _iso(found["CreatedTime"]),
        "lastActionTime": _iso(found.get("LastActionTime")),
        "finishedTime": _iso(found.get("FinishedTime")),
    }
    if found.get("Message"):
        out["message"] = found["Message"]
    return ApiResponse.json({k: v for k, v in out.items() if v is not None})
