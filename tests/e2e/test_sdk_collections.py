"""The official SDK's quickstart flows: LargePersonGroup identify and LargeFaceList find-similar."""
from __future__ import annotations

import uuid

import pytest
from azure.ai.vision.face import FaceAdministrationClient, FaceClient
from azure.ai.vision.face.models import FaceDetectionModel, FaceRecognitionModel
from azure.core.credentials import AzureKeyCredential

pytestmark = pytest.mark.e2e

FAMILY1 = {"Dad": 3, "Mom": 2, "Son": 2, "Daughter": 3}


@pytest.fixture(scope="module")
def clients(service):
    credential = AzureKeyCredential(service.key)
    return FaceClient(service.base_url, credential), FaceAdministrationClient(service.base_url, credential)


def _detect(face_client, path, **kw):
    return face_client.detect(
        path.read_bytes(),
        detection_model=FaceDetectionModel.DETECTION03,
        recognition_model=FaceRecognitionModel.RECOGNITION04,
        return_face_id=True,
        **kw,
    )


def test_large_person_group_identify_quickstart(clients, samples):
    face_client, admin = clients
    group_id = f"identify-{uuid.uuid4().hex[:8]}"
    lpg = admin.large_person_group
    lpg.create(group_id, name="Family 1", user_data="quickstart", recognition_model=FaceRecognitionModel.RECOGNITION04)
    try:
        person_ids = {}
        for person, count in FAMILY1.items():
            created = lpg.create_person(group_id, name=person, user_data=f"{person} of Family1")
            person_ids[person] = created.person_id
            for n in range(1, count + 1):
                lpg.add_face(
                    group_id, created.person_id, (samples / f"Family1-{person}{n}.jpg").read_bytes(),
                    detection_model=FaceDetectionModel.DETECTION03, user_data=f"{person}{n}",
                )
        assert len(lpg.get_person(group_id, person_ids["Dad"]).persisted_face_ids) == 3

        lpg.begin_train(group_id, polling_interval=0.5).result()
        assert lpg.get_training_status(group_id).status == "succeeded"

        faces = _detect(face_client, samples / "identification1.jpg")
        assert len(faces) == 4
        results = face_client.identify_from_large_person_group(
            face_ids=[f.face_id for f in faces], large_person_group_id=group_id
        )
        assert [r.face_id for r in results] == [f.face_id for f in faces]
        names = {v: k for k, v in person_ids.items()}
        identified = []
        for result in results:
            assert result.candidates, "every family member must be identified"
            best = result.candidates[0]
            assert 0.5 <= best.confidence <= 1.0
            identified.append(names[best.person_id])
        assert sorted(identified) == sorted(FAMILY1)

        dad_face = _detect(face_client, samples / "Family1-Dad3.jpg")[0].face_id
        same = face_client.verify_from_large_person_group(
            face_id=dad_face, large_person_group_id=group_id, person_id=person_ids["Dad"]
        )
        assert same.is_identical
        other = face_client.verify_from_large_person_group(
            face_id=dad_face, large_person_group_id=group_id, person_id=person_ids["Mom"]
        )
        assert not other.is_identical
    finally:
        lpg.delete(group_id)


def test_large_face_list_find_similar_quickstart(clients, samples):
    face_client, admin = clients
    list_id = f"findsimilar-{uuid.uuid4().hex[:8]}"
    lfl = admin.large_face_list
    lfl.create(list_id, name="findsimilar", recognition_model=FaceRecognitionModel.RECOGNITION04)
    try:
        first = lfl.add_face(list_id, (samples / "Family1-Mom1.jpg").read_bytes(), detection_model="detection_03")
        lfl.add_face(list_id, (samples / "Family2-Lady1.jpg").read_bytes(), detection_model="detection_03")
        lfl.begin_train(list_id, polling_interval=0.5).result()
        query = _detect(face_client, samples / "Family1-Mom1.jpg")[0].face_id
        results = face_client.find_similar_from_large_face_list(face_id=query, large_face_list_id=list_id)
        assert results[0].persisted_face_id == first.persisted_face_id
        assert results[0].confidence > 0.9
    finally:
        lfl.delete(list_id)
