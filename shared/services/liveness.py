"""Liveness sessions: the app server creates them with its key; the device submits frames with the
session's own short-lived token; the service decides realface / spoofface / uncertain."""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import logging
import secrets
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import numpy as np

from ..api.errors import ApiError
from ..imaging.decode import decode_image
from ..settings import get_settings
from ..store import liveness as store
from ..vision import liveness as liveness_model
from ..vision import pipeline

log = logging.getLogger(__name__)

SESSION_LIFETIME = timedelta(hours=48)  # the retention sweep deletes them after this
MAX_ATTEMPTS = 3
MODEL_VERSION = "2024-11-15"
PREVIEW_MODELS = ("2022-10-15-preview.04", "2023-12-20-preview.06")
MODES = ("Passive", "PassiveActive")
CHALLENGES = ("turnLeft", "turnRight")
TURN_DEGREES = 15.0      # the head must turn at least this far for a challenge to count
FRONTAL_DEGREES = 12.0   # and start roughly facing the camera
SAME_PERSON = 0.5


@dataclass
class SessionRequest:
    mode: str
    device_correlation_id: str | None
    device_correlation_id_set_in_client: bool
    enable_session_image: bool
    send_results_to_client: bool
    token_ttl: int
    model_version: str
    return_verify_image_hash: bool = False
    verify_confidence_threshold: float | None = None


def _err(code: str, message: str, status: int = 400) -> ApiError:
    return ApiError(status, code, message)


def parse_request(data: dict) -> SessionRequest:
    if not isinstance(data, dict):
        raise _err("InvalidRequestBody", "The request body must be a JSON object.")
    mode = data.get("livenessOperationMode")
    if mode not in MODES:
        raise _err("InvalidLivenessOperationMode", f"'livenessOperationMode' must be one of {', '.join(MODES)}.")
    set_in_client = _as_bool(data.get("deviceCorrelationIdSetInClient"), "deviceCorrelationIdSetInClient")
    correlation = data.get("deviceCorrelationId")
    if set_in_client:
        if correlation is not None:
            raise _err("InvalidDeviceCorrelationId",
                       "'deviceCorrelationId' must be null when deviceCorrelationIdSetInClient is true.")
    elif not isinstance(correlation, str) or not correlation or len(correlation) > 64:
        raise _err("InvalidDeviceCorrelationId", "'deviceCorrelationId' is required and must be 1 to 64 characters.")
    ttl = data.get("authTokenTimeToLiveInSeconds", 600)
    if isinstance(ttl, str) and ttl.isdigit():
        ttl = int(ttl)
    if not isinstance(ttl, int) or isinstance(ttl, bool) or not 60 <= ttl <= 86400:
        raise _err("InvalidTokenLifetime", "'authTokenTimeToLiveInSeconds' must be between 60 and 86400.")
    version = data.get("livenessModelVersion") or data.get("livenessSingleModalModel") or MODEL_VERSION
    if version not in (MODEL_VERSION, *PREVIEW_MODELS):
        raise _err("InvalidRequestBody", f"Unknown liveness model version '{version}'.")
    threshold = data.get("verifyConfidenceThreshold")
    if threshold is not None:
        try:
            threshold = float(threshold)
        except (TypeError, ValueError):
            raise _err("InvalidRequestBody", "'verifyConfidenceThreshold' must be a number.") from None
        if not 0.0 <= threshold <= 1.0:
            raise _err("InvalidRequestBody", "'verifyConfidenceThreshold' must be between 0 and 1.")
    return SessionRequest(
        mode=mode,
        device_correlation_id=correlation,
        device_correlation_id_set_in_client=set_in_client,
        enable_session_image=_as_bool(data.get("enableSessionImage"), "enableSessionImage"),
        send_results_to_client=_as_bool(data.get("sendResultsToClient"), "sendResultsToClient"),
        token_ttl=ttl,
        model_version=version,
        return_verify_image_hash=_as_bool(data.get("returnVerifyImageHash"), "returnVerifyImageHash"),
        verify_confidence_threshold=threshold,
    )


def _as_bool(value, name: str) -> bool:
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise _err("InvalidRequestBody", f"'{name}' must be true or false.")


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(timezone.utc).isoformat().replace("+00:00", "Z") if value is not None else None


# ---- creating and reading sessions ------------------------------------------------------------

def create(kind: str, request: SessionRequest, verify_image: bytes | None = None) -> dict:
    """kind is 'liveness' or 'livenessWithVerify'. Returns the stored row plus the new token."""
    session_id = str(uuid.uuid4())
    token = f"{session_id}.{secrets.token_urlsafe(32)}"
    now = _now()
    row = {
        "RowKey": session_id,
        "Kind": kind,
        "Mode": request.mode,
        "DeviceCorrelationId": request.device_correlation_id or "",
        "DeviceCorrelationIdSetInClient": request.device_correlation_id_set_in_client,
        "EnableSessionImage": request.enable_session_image,
        "SendResultsToClient": request.send_results_to_client,
        "TokenTtl": request.token_ttl,
        "Token": token,  # GA's GET returns it; it opens this one session only, for minutes
        "TokenHash": _token_hash(token),
        "TokenExpiresAt": now + timedelta(seconds=request.token_ttl),
        "ModelVersion": request.model_version,
        "CreatedAt": now,
        "Status": "NotStarted",
        "AttemptCount": 0,
        "Challenge": secrets.choice(CHALLENGES) if request.mode == "PassiveActive" else "",
        "ReturnVerifyImageHash": request.return_verify_image_hash,
        "VerifyThreshold": request.verify_confidence_threshold if request.verify_confidence_threshold is not None else SAME_PERSON,
    }
    if kind == "livenessWithVerify":
        if verify_image is None:
            raise _err("InvalidRequestBody", "A verify image is required for a liveness-with-verify session.")
        row.update(_verify_reference(verify_image))
    store.create(row)
    log.info("liveness session created (%s, %s)", kind, request.mode)
    return {**row, "PartitionKey": store.PARTITION}


def _verify_reference(data: bytes) -> dict:
    image = decode_image(data, get_settings().max_image_pixels)
    faces = pipeline.analyze(image, want_embedding=True, attributes=frozenset({"qualityForRecognition"}))
    if not faces:
        raise _err("InvalidImage", "No face was found in the verify image.")
    if len(faces) > 1:
        raise _err("InvalidImage", "The verify image must show exactly one face.")
    face = faces[0]
    return {
        "VerifyTemplate": np.asarray(face.embedding, dtype="<f4").tobytes(),
        "VerifyRect": json.dumps(_rect(face.box)),
        "VerifyQuality": face.attributes.get("qualityForRecognition", "medium"),
        "VerifyImageHash": hashlib.sha256(data).hexdigest(),
    }


def _rect(box: pipeline.FaceBox) -> dict:
    return {"top": int(round(box.top)), "left": int(round(box.left)),
            "width": int(round(box.width)), "height": int(round(box.height))}


def load(session_id: str) -> dict:
    row = store.get(session_id)
    if row is None or _now() - row["CreatedAt"] > SESSION_LIFETIME:
        raise _err("SessionNotFound", "Session is not found or has expired.", 404)
    return row


def delete(session_id: str) -> None:
    load(session_id)
    store.delete(session_id)  # the token dies with the row


def verify_image_json(row: dict) -> dict:
    return {"faceRectangle": json.loads(row["VerifyRect"]), "qualityForRecognition": row["VerifyQuality"]}


# ---- the device's side -------------------------------------------------------------------------

def authenticate_device(authorization: str | None) -> dict:
    """The bearer token opens its own session only; anything else is 401."""
    denied = ApiError(401, "Unauthorized", "The liveness session token is missing, invalid or expired.")
    if not authorization or not authorization.lower().startswith("bearer "):
        raise denied
    token = authorization[7:].strip()
    session_id = token.split(".", 1)[0]
    try:
        uuid.UUID(session_id)
    except ValueError:
        raise denied from None
    row = store.get(session_id)
    if row is None or not hmac.compare_digest(row["TokenHash"], _token_hash(token)):
        raise denied
    if _now() > row["TokenExpiresAt"] or _now() - row["CreatedAt"] > SESSION_LIFETIME:
        raise denied
    return row


def decode_frames(body: bytes, content_type: str) -> tuple[list[bytes], str | None]:
    if content_type in ("application/json", ""):
        try:
            data = json.loads(body)
            frames = [base64.b64decode(f, validate=True) for f in data["frames"]]
        except (ValueError, KeyError, TypeError, binascii.Error):
            raise _err("InvalidRequestBody", "Send {\"frames\": [<base64 image>, ...]} or one raw image.") from None
        if not 1 <= len(frames) <= 10:
            raise _err("InvalidRequestBody", "Send 1 to 10 frames.")
        return frames, data.get("clientRequestId")
    return [body], None


def _analyse_frame(data: bytes) -> tuple[pipeline.FaceAnalysis | None, float, np.ndarray]:
    image = decode_image(data, get_settings().max_image_pixels)
    faces = pipeline.analyze(image, want_embedding=True, attributes=frozenset({"headPose"}))
    if not faces:
        return None, 0.0, image
    face = faces[0]  # largest first: the person in front of the device
    return face, liveness_model.real_probability(image, face.box), image


def _follows_challenge(yaws: list[float], challenge: str) -> bool:
    """Starts facing the camera, then turns the way asked. Challenges speak to the person: in an
    unmirrored camera frame, turning to one's own left points the face to the image's right,
    which the pose model reports as positive yaw."""
    if len(yaws) < 2 or abs(yaws[0]) > FRONTAL_DEGREES:
        return False
    if challenge == "turnLeft":
        return max(yaws[1:]) >= TURN_DEGREES
    return min(yaws[1:]) <= -TURN_DEGREES


def submit_attempt(row: dict, frames: list[bytes], client_request_id: str | None, request_meta: dict) -> dict:
    started = time.monotonic()
    session_id = row["RowKey"]
    attempt_id = store.claim_attempt(session_id, MAX_ATTEMPTS, _now())
    if attempt_id is None:
        raise _err("TooManyAttempts", f"A session allows {MAX_ATTEMPTS} attempts.", 403)

    analysed = [_analyse_frame(f) for f in frames]
    faces = [a[0] for a in analysed]
    error = None
    decision = "uncertain"
    verify = None
    if any(f is None for f in faces):
        error = {"code": "FaceNotFound", "message": "No face was found in at least one frame."}
    else:
        decision = liveness_model.decide([a[1] for a in analysed])
        if row["Mode"] == "PassiveActive":
            yaws = [float(f.attributes["headPose"]["yaw"]) for f in faces]
            same = all(float(pipeline.confidence_from_similarity(pipeline.similarity(faces[0].embedding, f.embedding)))
                       >= SAME_PERSON for f in faces[1:])
            if not same:
                decision = "spoofface"
                error = {"code": "FaceChangedDuringSession", "message": "The frames do not all show the same person."}
            elif not _follows_challenge(yaws, row["Challenge"]):
                decision = "uncertain" if decision != "spoofface" else decision
                error = {"code": "ChallengeNotFollowed", "message": f"The head movement did not follow '{row['Challenge']}'."}
        if row["Kind"] == "livenessWithVerify":
            reference = np.frombuffer(row["VerifyTemplate"], dtype="<f4")
            confidence = float(pipeline.confidence_from_similarity(pipeline.similarity(reference, faces[0].embedding)))
            verify = {"matchConfidence": round(confidence, 5), "isIdentical": confidence >= float(row["VerifyThreshold"])}

    image_id = None
    if row.get("EnableSessionImage") and faces[0] is not None:
        image_id = str(uuid.uuid4())
        store.put_image(image_id, frames[0])
    digest = hashlib.sha256(b"".join(frames)).hexdigest()
    record = {
        "attemptId": attempt_id,
        "attemptStatus": "Failed" if error and decision != "spoofface" else "Succeeded",
        "decision": decision,
        "rect": _rect(faces[0].box) if faces[0] is not None else None,
        "verify": verify,
        "error": error,
        "digest": digest,
        "sessionImageId": image_id,
        "receivedDateTime": _iso(_now()),
        "requestId": str(uuid.uuid4()),
        "clientRequestId": client_request_id or "",
        "request": request_meta,
        "latency": int((time.monotonic() - started) * 1000),
        "_imageIds": [image_id] if image_id else [],
    }
    store.add_attempt(session_id, attempt_id, record)
    store.update(session_id, Status="Succeeded" if record["attemptStatus"] == "Succeeded" else "Failed",
                 LastDecision=decision)
    log.info("liveness attempt %d: %s", attempt_id, decision)
    return record


# ---- views -------------------------------------------------------------------------------------

def audit_entry(row: dict, record: dict) -> dict:
    body: dict = {"livenessDecision": record["decision"], "modelVersionUsed": row["ModelVersion"]}
    if record["rect"]:
        body["target"] = {"faceRectangle": record["rect"], "fileName": "content", "timeOffsetWithinFile": 0,
                          "imageType": "Color"}
    if record["verify"]:
        body["verifyResult"] = {"verifyImage": verify_image_json(row), **record["verify"]}
    entry = {
        "id": record["attemptId"],
        "sessionId": row["RowKey"],
        "requestId": record["requestId"],
        "clientRequestId": record["clientRequestId"],
        "receivedDateTime": record["receivedDateTime"],
        "request": record["request"],
        "response": {"body": body, "statusCode": 200, "latencyInMilliseconds": record["latency"]},
        "digest": record["digest"],
    }
    if record["sessionImageId"]:
        entry["sessionImageId"] = record["sessionImageId"]
    if row.get("ReturnVerifyImageHash") and row.get("VerifyImageHash"):
        entry["verifyImageHash"] = row["VerifyImageHash"]
    return entry


def preview_item(row: dict) -> dict:
    out = {
        "id": row["RowKey"],
        "createdDateTime": _iso(row["CreatedAt"]),
        "sessionExpired": _now() > row["TokenExpiresAt"],
        "authTokenTimeToLiveInSeconds": row["TokenTtl"],
    }
    if row.get("SessionStartedAt"):
        out["sessionStartDateTime"] = _iso(row["SessionStartedAt"])
    if row.get("DeviceCorrelationId"):
        out["deviceCorrelationId"] = row["DeviceCorrelationId"]
    return out


def preview_session(row: dict) -> dict:
    out = preview_item(row)
    attempts = store.attempts(row["RowKey"])
    out["status"] = "ResultAvailable" if attempts else ("Started" if row.get("SessionStartedAt") else "NotStarted")
    if attempts:
        out["result"] = audit_entry(row, attempts[-1])
    return out


def ga_session(row: dict) -> dict:
    attempts = []
    for record in store.attempts(row["RowKey"]):
        attempt: dict = {"attemptId": record["attemptId"], "attemptStatus": record["attemptStatus"]}
        if record["error"] and record["attemptStatus"] == "Failed":
            attempt["error"] = {**record["error"], "targets": {"color": {"faceRectangle": record["rect"]}} if record["rect"] else {}}
        else:
            result: dict = {"livenessDecision": record["decision"], "digest": record["digest"],
                            "targets": {"color": {"faceRectangle": record["rect"]}}}
            if record["sessionImageId"]:
                result["sessionImageId"] = record["sessionImageId"]
            if record["verify"]:
                result["verifyResult"] = record["verify"]
                if row.get("ReturnVerifyImageHash"):
                    result["verifyImageHash"] = row.get("VerifyImageHash")
            attempt["result"] = result
        attempts.append(attempt)
    results: dict = {"attempts": attempts}
    if row["Kind"] == "livenessWithVerify":
        results["verifyReferences"] = [{"referenceType": "Color", **verify_image_json(row)}]
    return {"sessionId": row["RowKey"], "authToken": row["Token"], "status": row["Status"],
            "modelVersion": row["ModelVersion"], "results": results}
