"""Liveness session routes: GA v1.2 (/detectLiveness-sessions) and the preview routes that
azure-ai-vision-face 1.0.0b2 calls (/detectLiveness/singleModal/sessions), plus our device route."""
from __future__ import annotations

import base64
import binascii
import json

from ..services import liveness as svc
from ..store import liveness as store
from .collection_bodies import paging, uuid_id
from .errors import ApiError
from .http_types import ApiRequest, ApiResponse
from .multipart import parse_form

LIVENESS, WITH_VERIFY = "liveness", "livenessWithVerify"
# GA multipart sends each field as its own part; these are its booleans and numbers.
_GA_FIELDS = ("livenessOperationMode", "deviceCorrelationIdSetInClient", "enableSessionImage", "livenessModelVersion",
              "deviceCorrelationId", "authTokenTimeToLiveInSeconds", "returnVerifyImageHash",
              "verifyConfidenceThreshold", "sendResultsToClient")


def _json(request: ApiRequest) -> dict:
    try:
        data = json.loads(request.body or b"{}")
    except ValueError:
        raise ApiError(400, "InvalidRequestBody", "The request body is not valid JSON.") from None
    if not isinstance(data, dict):
        raise ApiError(400, "InvalidRequestBody", "The request body must be a JSON object.")
    return data


def _create_parts(request: ApiRequest) -> tuple[dict, bytes | None]:
    if request.content_type != "multipart/form-data":
        return _json(request), None
    parts = parse_form(request.body, request.headers.get("content-type") or "")
    verify = parts.get("verifyimage")
    if "parameters" in parts:  # the preview SDK: one JSON part plus the image
        try:
            return json.loads(parts["parameters"]), verify
        except ValueError:
            raise ApiError(400, "InvalidRequestBody", "The Parameters part is not valid JSON.") from None
    data: dict = {}
    for field in _GA_FIELDS:
        raw = parts.get(field.lower())
        if raw is None:
            continue
        text = raw.decode("utf-8").strip()
        try:
            data[field] = json.loads(text)
        except ValueError:
            data[field] = text
    return data, verify


def _create(request: ApiRequest, kind: str) -> dict:
    data, verify_image = _create_parts(request)
    if kind == WITH_VERIFY and verify_image is None and isinstance(data.get("verifyImage"), str):
        try:  # the JSON form carries the verify image as base64
            verify_image = base64.b64decode(data["verifyImage"], validate=True)
        except (ValueError, binascii.Error):
            raise ApiError(400, "InvalidRequestBody", "'verifyImage' must be base64.") from None
    return svc.create(kind, svc.parse_request(data), verify_image)


def handle_ga_create(request: ApiRequest, kind: str) -> ApiResponse:
    return ApiResponse.json(svc.ga_session(_create(request, kind)))


def handle_ga_session(request: ApiRequest) -> ApiResponse:
    session_id = request.route["sessionId"]
    if request.method == "DELETE":
        svc.delete(session_id)
        return ApiResponse.empty(204)
    return ApiResponse.json(svc.ga_session(svc.load(session_id)))


def handle_preview_sessions(request: ApiRequest, kind: str) -> ApiResponse:
    if request.method == "POST":
        row = _create(request, kind)
        out = {"sessionId": row["RowKey"], "authToken": row["Token"]}
        if row["Kind"] == WITH_VERIFY:
            out["verifyImage"] = svc.verify_image_json(row)
        return ApiResponse.json(out)
    start, top = paging(request)
    rows = sorted(store.list_page(kind, start, top), key=lambda r: r["RowKey"])
    return ApiResponse.json([svc.preview_item(r) for r in rows])


def handle_preview_session(request: ApiRequest) -> ApiResponse:
    session_id = request.route["sessionId"]
    if request.method == "DELETE":
        svc.delete(session_id)
        return ApiResponse.empty(200)
    return ApiResponse.json(svc.preview_session(svc.load(session_id)))


def handle_preview_audit(request: ApiRequest) -> ApiResponse:
    row = svc.load(request.route["sessionId"])
    start = request.query.get("start")
    top = int(request.query.get("top") or 1000)
    records = store.attempts(row["RowKey"], int(start) if start and start.isdigit() else 0, top)
    return ApiResponse.json([svc.audit_entry(row, r) for r in records])


def handle_session_image(request: ApiRequest) -> ApiResponse:
    image_id = uuid_id(request.route["sessionImageId"], "sessionImageId")
    data = store.get_image(image_id)
    if data is None:
        raise ApiError(404, "SessionImageNotFound", "Session image is not found.")
    return ApiResponse(200, data, {"Content-Type": "application/octet-stream"})


def handle_device_attempt(request: ApiRequest) -> ApiResponse:
    """Our own device route: the session's authToken as a bearer token, frames in the body."""
    row = svc.authenticate_device(request.headers.get("authorization"))
    frames, client_request_id = svc.decode_frames(request.body, request.content_type)
    meta = {"url": request.url.split("?", 1)[0].replace(row["RowKey"], "{sessionId}"), "method": request.method,
            "contentLength": len(request.body), "contentType": request.content_type or "application/octet-stream",
            "userAgent": request.headers.get("user-agent") or ""}
    record = svc.submit_attempt(row, frames, client_request_id, meta)
    if not row.get("SendResultsToClient"):
        return ApiResponse.empty(204)
    out: dict = {"livenessDecision": record["decision"], "attemptId": record["attemptId"]}
    if record["verify"]:
        out["verifyResult"] = record["verify"]
    if record["error"]:
        out["error"] = record["error"]
    return ApiResponse.json(out)


def handle_device_challenge(request: ApiRequest) -> ApiResponse:
    row = svc.authenticate_device(request.headers.get("authorization"))
    out: dict = {"livenessOperationMode": row["Mode"], "attemptsLeft": svc.MAX_ATTEMPTS - int(row.get("AttemptCount", 0))}
    if row["Mode"] == "PassiveActive":
        out["challenge"] = row["Challenge"]
        out["minimumTurnDegrees"] = svc.TURN_DEGREES
    return ApiResponse.json(out)
