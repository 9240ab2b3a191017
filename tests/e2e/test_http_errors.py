"""Every bad input gets Azure's status, error code and envelope, over the real HTTP surface."""
from __future__ import annotations

import io
import uuid

import numpy as np
import pytest
from PIL import Image

from .conftest import error_code

pytestmark = pytest.mark.e2e

MISSING = "00000000-0000-4000-8000-000000000000"


@pytest.fixture(scope="module")
def dad(samples) -> bytes:
    return (samples / "Family1-Dad1.jpg").read_bytes()


@pytest.fixture(scope="module")
def face_ids(http, samples) -> dict[str, str]:
    out = {}
    for name, model in (("Dad1", "recognition_04"), ("Mom1", "recognition_04"), ("Dad2", "recognition_01")):
        r = http.detect((samples / f"Family1-{name}.jpg").read_bytes(), recognitionModel=model)
        assert r.status_code == 200, r.text
        out[f"{name}/{model}"] = r.json()[0]["faceId"]
    return out


def test_missing_and_wrong_key_are_401(http, dad):
    for key in (None, "wrong-key"):
        r = http.post("/face/v1.2/detect", key=key, data=dad, headers={"Content-Type": "application/octet-stream"})
        assert r.status_code == 401 and error_code(r) == "401"


def test_unknown_version_and_route(http, dad):
    r = http.post("/face/v7.0/detect", data=dad, headers={"Content-Type": "application/octet-stream"})
    assert r.status_code == 404 and error_code(r) == "404"
    r = http.post("/face/v1.2/no-such-operation", json={})
    assert r.status_code == 404 and error_code(r) == "404"
    r = http.request("GET", "/face/v1.2/detect")
    assert r.status_code == 405


@pytest.mark.parametrize(
    "params,status,code",
    [
        ({"detectionModel": "detection_09"}, 400, "BadArgument"),
        ({"recognitionModel": "recognition_99"}, 400, "BadArgument"),
        ({"returnFaceAttributes": "emotion"}, 403, "UnsupportedFeature"),
        ({"returnFaceAttributes": "gender,headPose"}, 403, "UnsupportedFeature"),
        ({"returnFaceAttributes": "headPose,sparkle"}, 400, "BadArgument"),
        ({"returnFaceAttributes": "glasses"}, 400, "BadArgument"),
        ({"returnFaceAttributes": "occlusion"}, 400, "BadArgument"),
        ({"returnFaceAttributes": "accessories"}, 400, "BadArgument"),
        ({"returnFaceAttributes": "qualityForRecognition", "recognitionModel": "recognition_02"}, 400, "BadArgument"),
        ({"detectionModel": "detection_02", "returnFaceLandmarks": "true"}, 400, "BadArgument"),
        ({"detectionModel": "detection_02", "returnFaceAttributes": "headPose"}, 400, "BadArgument"),
        ({"faceIdTimeToLive": "59"}, 400, "BadArgument"),
        ({"faceIdTimeToLive": "86401"}, 400, "BadArgument"),
        ({"faceIdTimeToLive": "soon"}, 400, "BadArgument"),
        ({"returnFaceId": "perhaps"}, 400, "BadArgument"),
    ],
)
def test_detect_parameter_errors(http, dad, params, status, code):
    r = http.detect(dad, **params)
    assert r.status_code == status and error_code(r) == code
    attribute = params.get("returnFaceAttributes", "").split(",")[-1]
    if attribute in ("glasses", "occlusion", "accessories"):
        assert attribute in r.json()["error"]["message"]  # the refusal names what it cannot answer


def test_detect_image_errors(http):
    r = http.detect(b"\xff\xd8\xff" + b"\0" * 500)
    assert r.status_code == 400 and error_code(r) == "InvalidImageSize"
    r = http.detect(b"\0" * (6 * 1024 * 1024 + 10))
    assert r.status_code == 400 and error_code(r) == "InvalidImageSize"
    r = http.detect(b"this is plain text, not a picture " * 100)
    assert r.status_code == 400 and error_code(r) == "InvalidImage"


@pytest.mark.parametrize("body", [{"url": "ftp://example.com/a.jpg"}, {"url": ""}, {"url": "http://127.0.0.1:1/x.jpg"}, {}])
def test_detect_url_errors(http, body):
    r = http.post("/face/v1.2/detect", json=body)
    assert r.status_code == 400 and error_code(r) == "InvalidURL"


def test_detect_bad_json_body(http):
    r = http.post("/face/v1.2/detect", data=b"{not json", headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and error_code(r) == "BadArgument"


def test_detect_with_no_face_returns_empty_list(http):
    rng = np.random.default_rng(1)
    buf = io.BytesIO()
    Image.fromarray(rng.integers(0, 255, (300, 400, 3), dtype=np.uint8)).save(buf, "JPEG")
    r = http.detect(buf.getvalue())
    assert r.status_code == 200 and r.json() == []


def test_detect_without_face_id_stores_nothing_and_returns_no_id(http, dad):
    r = http.detect(dad, returnFaceId="false", returnRecognitionModel="true")
    assert r.status_code == 200
    faces = r.json()
    assert len(faces) == 1 and set(faces[0]) == {"faceRectangle"}


def test_response_never_carries_a_template(http, dad):
    r = http.detect(dad, returnFaceLandmarks="true", returnRecognitionModel="true")
    face = r.json()[0]
    assert set(face) == {"faceId", "recognitionModel", "faceRectangle", "faceLandmarks"}


def test_verify_errors(http, face_ids):
    dad4 = face_ids["Dad1/recognition_04"]
    r = http.post("/face/v1.2/verify", json={"faceId1": dad4, "faceId2": MISSING})
    assert r.status_code == 404 and error_code(r) == "FaceNotFound"
    r = http.post("/face/v1.2/verify", json={"faceId1": dad4, "faceId2": face_ids["Dad2/recognition_01"]})
    assert r.status_code == 400 and error_code(r) == "BadArgument"
    assert "incompatible" in r.json()["error"]["message"]
    r = http.post("/face/v1.2/verify", json={"faceId1": dad4})
    assert r.status_code == 400 and error_code(r) == "BadArgument"
    r = http.post("/face/v1.2/verify", json={"faceId1": "not-a-uuid", "faceId2": dad4})
    assert r.status_code == 400 and error_code(r) == "BadArgument"
    r = http.post("/face/v1.2/verify", json=[dad4])
    assert r.status_code == 400 and error_code(r) == "BadArgument"


def test_find_similar_errors(http, face_ids):
    dad4, mom4 = face_ids["Dad1/recognition_04"], face_ids["Mom1/recognition_04"]
    cases = [
        ({"faceId": MISSING, "faceIds": [mom4]}, 400, "FaceNotFound"),
        ({"faceId": dad4, "faceIds": [mom4, MISSING]}, 400, "FaceNotFound"),
        ({"faceId": dad4, "faceIds": [face_ids["Dad2/recognition_01"]]}, 400, "BadArgument"),
        ({"faceId": dad4, "faceIds": [mom4], "maxNumOfCandidatesReturned": 0}, 400, "BadArgument"),
        ({"faceId": dad4, "faceIds": [mom4], "maxNumOfCandidatesReturned": 1001}, 400, "BadArgument"),
        ({"faceId": dad4, "faceIds": [mom4], "mode": "matchEverything"}, 400, "BadArgument"),
        ({"faceId": dad4, "faceIds": [mom4], "faceListId": "list1"}, 400, "BadArgument"),
        ({"faceId": dad4}, 400, "BadArgument"),
        ({"faceId": dad4, "faceIds": [str(uuid.uuid4()) for _ in range(1001)]}, 400, "BadArgument"),
    ]
    for body, status, code in cases:
        r = http.post("/face/v1.2/findsimilars", json=body)
        assert (r.status_code, error_code(r)) == (status, code), body


def test_group_errors(http, face_ids):
    dad4, mom4 = face_ids["Dad1/recognition_04"], face_ids["Mom1/recognition_04"]
    cases = [
        ({"faceIds": [dad4]}, 400, "BadArgument"),
        ({"faceIds": [dad4, dad4]}, 400, "BadArgument"),
        ({"faceIds": [str(uuid.uuid4()) for _ in range(1001)]}, 400, "BadArgument"),
        ({"faceIds": [dad4, MISSING]}, 400, "FaceNotFound"),
        ({"faceIds": [dad4, face_ids["Dad2/recognition_01"]]}, 400, "BadArgument"),
        ({}, 400, "BadArgument"),
    ]
    for body, status, code in cases:
        r = http.post("/face/v1.2/group", json=body)
        assert (r.status_code, error_code(r)) == (status, code), body
    ok = http.post("/face/v1.2/group", json={"faceIds": [dad4, mom4]})
    assert ok.status_code == 200
    assert ok.json() == {"groups": [], "messyGroup": [dad4, mom4]}


def test_mask_is_explicitly_uncertain(http, dad):
    r = http.detect(dad, detectionModel="detection_03", returnFaceAttributes="mask,headPose")
    assert r.status_code == 200
    assert r.json()[0]["faceAttributes"]["mask"]["type"] == "uncertain"
