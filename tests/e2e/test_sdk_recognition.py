"""The official azure-ai-vision-face client against the running service, changing only endpoint and key."""
from __future__ import annotations

import re
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest
from azure.ai.vision.face import FaceClient
from azure.ai.vision.face.models import (
    FaceAttributeTypeDetection03,
    FaceAttributeTypeRecognition04,
    FaceDetectionModel,
    FaceRecognitionModel,
    FindSimilarMatchMode,
)
from azure.core.credentials import AzureKeyCredential
from azure.core.exceptions import ClientAuthenticationError, HttpResponseError, ResourceNotFoundError

pytestmark = pytest.mark.e2e

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
FAMILY1 = ["Dad1", "Dad2", "Dad3", "Mom1", "Mom2", "Son1", "Son2", "Daughter1", "Daughter2", "Daughter3"]


@pytest.fixture(scope="module")
def client(service) -> FaceClient:
    return FaceClient(endpoint=service.base_url, credential=AzureKeyCredential(service.key))


@pytest.fixture(scope="module")
def family1(client, samples) -> dict[str, str]:
    """faceId of the single face in each Family1 photo, detected with recognition_04."""
    ids = {}
    for name in FAMILY1:
        faces = client.detect(
            (samples / f"Family1-{name}.jpg").read_bytes(),
            detection_model=FaceDetectionModel.DETECTION03,
            recognition_model=FaceRecognitionModel.RECOGNITION04,
            return_face_id=True,
        )
        assert len(faces) == 1, f"Family1-{name}.jpg should hold one face, got {len(faces)}"
        ids[name] = faces[0].face_id
    return ids


def _person(name: str) -> str:
    return re.sub(r"\d+$", "", name)


def test_detect_dad1_with_detection03_recognition04(client, samples):
    faces = client.detect(
        (samples / "Family1-Dad1.jpg").read_bytes(),
        detection_model=FaceDetectionModel.DETECTION03,
        recognition_model=FaceRecognitionModel.RECOGNITION04,
        return_face_id=True,
        return_face_attributes=[FaceAttributeTypeDetection03.HEAD_POSE, FaceAttributeTypeRecognition04.QUALITY_FOR_RECOGNITION],
        return_recognition_model=True,
    )
    assert len(faces) == 1
    face = faces[0]
    assert UUID.match(face.face_id)
    assert face.recognition_model == "recognition_04"
    rect = face.face_rectangle
    assert rect.width >= 100 and rect.height >= 100 and rect.left >= 0 and rect.top >= 0
    pose = face.face_attributes.head_pose
    assert all(abs(v) < 45 for v in (pose.yaw, pose.pitch, pose.roll))  # a frontal portrait
    assert face.face_attributes.quality_for_recognition in ("medium", "high")


def test_detect_with_landmarks_returns_the_27_azure_points(client, samples):
    faces = client.detect(
        (samples / "Family1-Mom1.jpg").read_bytes(),
        detection_model=FaceDetectionModel.DETECTION01,
        recognition_model=FaceRecognitionModel.RECOGNITION01,
        return_face_id=False,
        return_face_landmarks=True,
    )
    assert len(faces) == 1 and faces[0].face_id is None
    marks = faces[0].face_landmarks.as_dict()
    assert len(marks) == 27
    rect = faces[0].face_rectangle
    assert marks["pupilLeft"]["x"] < marks["pupilRight"]["x"]
    assert marks["pupilLeft"]["y"] < marks["noseTip"]["y"] < marks["underLipBottom"]["y"]
    for point in marks.values():
        assert rect.left - rect.width * 0.2 <= point["x"] <= rect.left + rect.width * 1.2


def test_verify_same_and_different_people(client, family1):
    same = client.verify_face_to_face(face_id1=family1["Dad1"], face_id2=family1["Dad2"])
    assert same.is_identical is True and same.confidence >= 0.5
    different = client.verify_face_to_face(face_id1=family1["Dad1"], face_id2=family1["Mom1"])
    assert different.is_identical is False and different.confidence < 0.5


def test_find_similar_match_person_returns_only_the_same_person(client, family1):
    candidates = [family1[n] for n in FAMILY1 if n != "Dad1"]
    results = client.find_similar(face_id=family1["Dad1"], face_ids=candidates, mode=FindSimilarMatchMode.MATCH_PERSON)
    by_id = {v: k for k, v in family1.items()}
    found = [by_id[r.face_id] for r in results]
    assert found and all(_person(n) == "Dad" for n in found)
    assert [r.confidence for r in results] == sorted((r.confidence for r in results), reverse=True)


def test_find_similar_match_face_ranks_everyone(client, family1):
    candidates = [family1[n] for n in FAMILY1 if n != "Dad1"]
    results = client.find_similar(
        face_id=family1["Dad1"], face_ids=candidates, mode=FindSimilarMatchMode.MATCH_FACE,
        max_num_of_candidates_returned=5,
    )
    assert len(results) == 5
    by_id = {v: k for k, v in family1.items()}
    assert _person(by_id[results[0].face_id]) == "Dad"


def test_group_family1_by_person(client, family1):
    result = client.group(face_ids=list(family1.values()))
    by_id = {v: k for k, v in family1.items()}
    groups = [[by_id[f] for f in g] for g in result.groups]
    messy = [by_id[f] for f in result.messy_group]
    # every face is placed exactly once, and no group mixes two people
    placed = [n for g in groups for n in g] + messy
    assert sorted(placed) == sorted(FAMILY1)
    for group in groups:
        assert len({_person(n) for n in group}) == 1, f"mixed group {group}"
    assert [len(g) for g in groups] == sorted((len(g) for g in groups), reverse=True)
    dad_group = next(g for g in groups if _person(g[0]) == "Dad")
    assert sorted(dad_group) == ["Dad1", "Dad2", "Dad3"]


def test_detect_from_url(client, samples):
    handler = partial(SimpleHTTPRequestHandler, directory=str(samples))
    handler.log_message = lambda *a: None
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        faces = client.detect_from_url(
            url=f"http://127.0.0.1:{server.server_address[1]}/Family1-Son1.jpg",
            detection_model=FaceDetectionModel.DETECTION01,
            recognition_model=FaceRecognitionModel.RECOGNITION04,
            return_face_id=True,
        )
    finally:
        server.shutdown()
    assert len(faces) == 1 and UUID.match(faces[0].face_id)


def test_wrong_key_raises_client_authentication_error(service, samples):
    bad = FaceClient(endpoint=service.base_url, credential=AzureKeyCredential("not-the-key"))
    with pytest.raises(ClientAuthenticationError):
        bad.detect(
            (samples / "Family1-Dad1.jpg").read_bytes(),
            detection_model="detection_01", recognition_model="recognition_04", return_face_id=True,
        )


def test_second_key_works_for_rotation(service, samples):
    other = FaceClient(endpoint=service.base_url, credential=AzureKeyCredential(service.second_key))
    faces = other.detect(
        (samples / "Family1-Dad1.jpg").read_bytes(),
        detection_model="detection_01", recognition_model="recognition_04", return_face_id=False,
    )
    assert len(faces) == 1


def test_unknown_face_id_surfaces_face_not_found(client, family1):
    with pytest.raises(ResourceNotFoundError) as err:
        client.verify_face_to_face(face_id1=family1["Dad1"], face_id2="00000000-0000-4000-8000-000000000000")
    assert err.value.error.code == "FaceNotFound"
    with pytest.raises(HttpResponseError) as err:
        client.group(face_ids=[family1["Dad1"], "00000000-0000-4000-8000-000000000000"])
    assert err.value.status_code == 400 and err.value.error.code == "FaceNotFound"
