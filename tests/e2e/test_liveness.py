"""Liveness sessions: the official client's session calls, and our device route with real frames."""
from __future__ import annotations

import base64
from datetime import datetime, timedelta, timezone

import pytest
import requests
from azure.ai.vision.face import FaceSessionClient
from azure.ai.vision.face.models import CreateLivenessSessionContent, CreateLivenessWithVerifySessionContent
from azure.core.credentials import AzureKeyCredential
from azure.core.exceptions import ResourceNotFoundError
from azure.data.tables import TableServiceClient

from .conftest import error_code

pytestmark = pytest.mark.e2e

V = "/face/v1.2"


@pytest.fixture(scope="module")
def sessions(service) -> FaceSessionClient:
    return FaceSessionClient(service.base_url, AzureKeyCredential(service.key))


@pytest.fixture(scope="module")
def frames(testdata):
    folder = testdata / "liveness-samples" / "images" / "sample"
    if not folder.is_dir():
        pytest.skip(f"liveness samples not found at {folder}")
    return {name: (folder / f"image_{name}.jpg").read_bytes() for name in ("T1", "F1", "F2")}


def _device(service, token: str, images: list[bytes], path: str = "/liveness/device/attempts") -> requests.Response:
    return requests.post(
        service.base_url + V + path,
        json={"frames": [base64.b64encode(i).decode() for i in images]},
        headers={"Authorization": f"Bearer {token}"}, timeout=60,
    )


def test_sdk_session_lifecycle(sessions):
    created = sessions.create_liveness_session(
        CreateLivenessSessionContent(liveness_operation_mode="Passive", device_correlation_id="device-1",
                                     auth_token_time_to_live_in_seconds=60)
    )
    assert created.session_id and created.auth_token
    got = sessions.get_liveness_session_result(created.session_id)
    assert got.id == created.session_id and got.device_correlation_id == "device-1"
    assert got.status == "NotStarted" and got.auth_token_time_to_live_in_seconds == 60
    second = sessions.create_liveness_session(
        CreateLivenessSessionContent(liveness_operation_mode="Passive", device_correlation_id="device-2")
    )
    listed = sessions.get_liveness_sessions()
    ids = [s.id for s in listed]
    assert created.session_id in ids and second.session_id in ids and ids == sorted(ids)
    sessions.delete_liveness_session(created.session_id)
    with pytest.raises(ResourceNotFoundError) as err:
        sessions.get_liveness_session_result(created.session_id)
    assert err.value.error.code == "SessionNotFound"
    sessions.delete_liveness_session(second.session_id)


def test_sdk_with_verify_session_returns_the_verify_image(sessions, samples):
    created = sessions.create_liveness_with_verify_session(
        CreateLivenessWithVerifySessionContent(liveness_operation_mode="Passive", device_correlation_id="d"),
        verify_image=(samples / "Family1-Dad1.jpg").read_bytes(),
    )
    assert created.session_id and created.auth_token
    assert created.verify_image.face_rectangle.width > 100
    assert created.verify_image.quality_for_recognition in ("low", "medium", "high")
    got = sessions.get_liveness_with_verify_session_result(created.session_id)
    assert got.id == created.session_id
    sessions.delete_liveness_with_verify_session(created.session_id)


def test_bad_create_requests(http):
    cases = [
        ({"livenessOperationMode": "Blink", "deviceCorrelationId": "d"}, "InvalidLivenessOperationMode"),
        ({"livenessOperationMode": "Passive"}, "InvalidDeviceCorrelationId"),
        ({"livenessOperationMode": "Passive", "deviceCorrelationId": "d" * 65}, "InvalidDeviceCorrelationId"),
        ({"livenessOperationMode": "Passive", "deviceCorrelationIdSetInClient": True, "deviceCorrelationId": "d"},
         "InvalidDeviceCorrelationId"),
        ({"livenessOperationMode": "Passive", "deviceCorrelationId": "d", "authTokenTimeToLiveInSeconds": 59},
         "InvalidTokenLifetime"),
    ]
    for body, code in cases:
        r = http.post(f"{V}/detectLiveness-sessions", json=body)
        assert r.status_code == 400 and error_code(r) == code, body
    r = http.post(f"{V}/detectLivenessWithVerify-sessions", json={"livenessOperationMode": "Passive", "deviceCorrelationId": "d"})
    assert r.status_code == 400


def _ga_session(http, mode="Passive", **extra) -> dict:
    r = http.post(f"{V}/detectLiveness-sessions", json={"livenessOperationMode": mode, "deviceCorrelationId": "kiosk",
                                                        "sendResultsToClient": True, **extra})
    assert r.status_code == 200, r.text
    return r.json()


def test_real_frame_is_realface_and_attacks_are_not(http, service, frames):
    decisions = {}
    for name, image in frames.items():
        session = _ga_session(http, enableSessionImage=True)
        r = _device(service, session["authToken"], [image])
        assert r.status_code == 200, r.text
        decisions[name] = r.json()["livenessDecision"]
        got = http.request("GET", f"{V}/detectLiveness-sessions/{session['sessionId']}").json()
        attempt = got["results"]["attempts"][0]
        assert attempt["result"]["livenessDecision"] == decisions[name]
        image_id = attempt["result"]["sessionImageId"]
        stored = http.request("GET", f"{V}/sessionImages/{image_id}")
        assert stored.status_code == 200 and stored.content == image
        assert http.post(f"{V}/detect", json={"sessionImageId": image_id}).status_code == 200
    assert decisions["T1"] == "realface"
    assert decisions["F1"] in ("spoofface", "uncertain") and decisions["F2"] in ("spoofface", "uncertain")


def test_send_results_to_client_false_hides_the_decision(http, service, frames):
    r = http.post(f"{V}/detectLiveness-sessions", json={"livenessOperationMode": "Passive", "deviceCorrelationId": "k"})
    token = r.json()["authToken"]
    assert _device(service, token, [frames["T1"]]).status_code == 204


def test_token_opens_its_own_session_only(http, service, frames, samples):
    first, second = _ga_session(http), _ga_session(http)
    forged = second["sessionId"] + "." + first["authToken"].split(".", 1)[1]
    assert _device(service, forged, [frames["T1"]]).status_code == 401
    assert _device(service, "not-a-token", [frames["T1"]]).status_code == 401
    # the token is no key: every other route refuses it
    bearer = {"Authorization": f"Bearer {first['authToken']}"}
    r = requests.post(service.base_url + V + "/detect", data=(samples / "Family1-Dad1.jpg").read_bytes(),
                      headers={**bearer, "Content-Type": "application/octet-stream"}, timeout=30)
    assert r.status_code == 401
    r = requests.get(service.base_url + V + f"/detectLiveness-sessions/{first['sessionId']}", headers=bearer, timeout=30)
    assert r.status_code == 401
    # deleting the session revokes its token
    assert http.request("DELETE", f"{V}/detectLiveness-sessions/{first['sessionId']}").status_code == 204
    assert _device(service, first["authToken"], [frames["T1"]]).status_code == 401


def test_attempts_are_limited(http, service, frames):
    session = _ga_session(http)
    for _ in range(3):
        assert _device(service, session["authToken"], [frames["T1"]]).status_code == 200
    r = _device(service, session["authToken"], [frames["T1"]])
    assert r.status_code == 403 and error_code(r) == "TooManyAttempts"


def test_expired_session_is_not_found(http, service, azurite):
    session = _ga_session(http)
    table = TableServiceClient.from_connection_string(azurite.connection_string).get_table_client(
        service.env["FACE_TABLE_PREFIX"] + "livenesssessions")
    row = table.get_entity("session", session["sessionId"])
    row["CreatedAt"] = datetime.now(timezone.utc) - timedelta(hours=49)
    table.update_entity(row)
    r = http.request("GET", f"{V}/detectLiveness-sessions/{session['sessionId']}")
    assert r.status_code == 404 and error_code(r) == "SessionNotFound"
    r = http.request("GET", f"/face/v1.2-preview.1/detectLiveness/singleModal/sessions/{session['sessionId']}")
    assert r.status_code == 404 and error_code(r) == "SessionNotFound"


def test_passive_active_refuses_a_still_face_and_a_change_of_person(http, service, samples):
    dad = [(samples / f"Family1-Dad{n}.jpg").read_bytes() for n in (1, 1, 1)]
    session = _ga_session(http, mode="PassiveActive")
    challenge = requests.get(service.base_url + V + "/liveness/device/challenge",
                             headers={"Authorization": f"Bearer {session['authToken']}"}, timeout=30).json()
    assert challenge["challenge"] in ("turnLeft", "turnRight")
    r = _device(service, session["authToken"], dad)
    assert r.json()["livenessDecision"] != "realface"
    assert r.json()["error"]["code"] == "ChallengeNotFollowed"

    session = _ga_session(http, mode="PassiveActive")
    mixed = [(samples / "Family1-Dad1.jpg").read_bytes(), (samples / "Family1-Mom1.jpg").read_bytes()]
    r = _device(service, session["authToken"], mixed)
    assert r.json()["livenessDecision"] == "spoofface"
    assert r.json()["error"]["code"] == "FaceChangedDuringSession"


def test_with_verify_attempt_compares_with_the_verify_image(http, service, samples):
    r = http.post(f"{V}/detectLivenessWithVerify-sessions", files={
        "livenessOperationMode": (None, "Passive"), "deviceCorrelationId": (None, "kiosk"),
        "sendResultsToClient": (None, "true"),
        "verifyImage": ("dad.jpg", (samples / "Family1-Dad1.jpg").read_bytes(), "application/octet-stream"),
    })
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["results"]["verifyReferences"][0]["faceRectangle"]["width"] > 100
    same = _device(service, body["authToken"], [(samples / "Family1-Dad2.jpg").read_bytes()]).json()
    assert same["verifyResult"]["isIdentical"] is True
    r = http.post(f"{V}/detectLivenessWithVerify-sessions", files={
        "livenessOperationMode": (None, "Passive"), "deviceCorrelationId": (None, "kiosk"),
        "sendResultsToClient": (None, "true"),
        "verifyImage": ("dad.jpg", (samples / "Family1-Dad1.jpg").read_bytes(), "application/octet-stream"),
    })
    other = _device(service, r.json()["authToken"], [(samples / "Family1-Mom1.jpg").read_bytes()]).json()
    assert other["verifyResult"]["isIdentical"] is False
    r = http.post(f"{V}/detectLivenessWithVerify-sessions", files={
        "livenessOperationMode": (None, "Passive"), "deviceCorrelationId": (None, "kiosk"),
        "verifyImage": ("x.jpg", b"not an image" * 200, "application/octet-stream"),
    })
    assert r.status_code == 400 and error_code(r) == "InvalidImage"


def test_racing_devices_cannot_exceed_the_attempt_limit(http, service, frames):
    from concurrent.futures import ThreadPoolExecutor

    session = _ga_session(http)
    with ThreadPoolExecutor(max_workers=6) as pool:
        codes = sorted(pool.map(lambda _: _device(service, session["authToken"], [frames["T1"]]).status_code, range(6)))
    assert codes == [200, 200, 200, 403, 403, 403]
