"""Quotas (as settings, lowered here so they can be reached) and training-state errors over HTTP."""
from __future__ import annotations

import uuid
from datetime import datetime, timezone

import pytest
from azure.data.tables import TableServiceClient

from .conftest import client_for, error_code

pytestmark = pytest.mark.e2e

V = "/face/v1.2"


@pytest.fixture(scope="module")
def small(custom_service):
    info = custom_service(
        FACE_LIMIT_FACES_PER_PERSON="2",
        FACE_LIMIT_PERSONS_PER_PERSON_GROUP="2",
        FACE_LIMIT_PERSONS_PER_LARGE_PERSON_GROUP="3",
        FACE_LIMIT_FACES_PER_FACE_LIST="2",
        FACE_LIMIT_FACES_PER_LARGE_FACE_LIST="2",
        FACE_LIMIT_FACE_LISTS="1",
    )
    return info, client_for(info)


def _octet(client, path, image, **params):
    return client.post(path, data=image, params=params, headers={"Content-Type": "application/octet-stream"})


def test_person_and_face_quotas(small, samples):
    _info, c = small
    gid = f"q-{uuid.uuid4().hex[:6]}"
    assert c.request("PUT", f"{V}/persongroups/{gid}", json={"name": "q"}).status_code == 200
    people = [c.post(f"{V}/persongroups/{gid}/persons", json={"name": f"p{i}"}) for i in range(3)]
    assert [p.status_code for p in people] == [200, 200, 403]
    assert error_code(people[2]) == "QuotaExceeded"
    pid = people[0].json()["personId"]
    codes = [_octet(c, f"{V}/persongroups/{gid}/persons/{pid}/persistedfaces",
                    (samples / f"Family1-Dad{n}.jpg").read_bytes()).status_code for n in (1, 2, 3)]
    assert codes == [200, 200, 403]
    # deleting a face frees its place
    face = c.request("GET", f"{V}/persongroups/{gid}/persons/{pid}").json()["persistedFaceIds"][0]
    assert c.request("DELETE", f"{V}/persongroups/{gid}/persons/{pid}/persistedfaces/{face}").status_code == 200
    assert _octet(c, f"{V}/persongroups/{gid}/persons/{pid}/persistedfaces",
                  (samples / "Family1-Dad3.jpg").read_bytes()).status_code == 200

    lid = f"ql-{uuid.uuid4().hex[:6]}"
    assert c.request("PUT", f"{V}/largefacelists/{lid}", json={"name": "l"}).status_code == 200
    codes = [_octet(c, f"{V}/largefacelists/{lid}/persistedfaces", (samples / f"Family1-Mom{n}.jpg").read_bytes()).status_code
             for n in (1, 2, 1)]
    assert codes == [200, 200, 403]


def test_face_list_count_quota(small):
    _info, c = small
    first = c.request("PUT", f"{V}/facelists/only-{uuid.uuid4().hex[:6]}", json={"name": "a"})
    second = c.request("PUT", f"{V}/facelists/more-{uuid.uuid4().hex[:6]}", json={"name": "b"})
    assert first.status_code == 200
    assert second.status_code == 403 and error_code(second) == "QuotaExceeded"


def test_training_states(small, samples, azurite):
    info, c = small
    gid = f"t-{uuid.uuid4().hex[:6]}"
    base = f"{V}/largepersongroups/{gid}"
    assert c.request("PUT", base, json={"name": "t", "recognitionModel": "recognition_04"}).status_code == 200
    pid = c.post(f"{base}/persons", json={"name": "Son"}).json()["personId"]
    assert _octet(c, f"{base}/persons/{pid}/persistedfaces", (samples / "Family1-Son1.jpg").read_bytes()).status_code == 200
    probe = c.detect((samples / "Family1-Son2.jpg").read_bytes(), recognitionModel="recognition_04").json()[0]["faceId"]
    r = c.post(f"{V}/identify", json={"faceIds": [probe], "largePersonGroupId": gid})
    assert r.status_code == 400 and error_code(r) == "LargePersonGroupNotTrained"
    # a training that has been requested but not finished: what the queue worker leaves while it runs
    TableServiceClient.from_connection_string(azurite.connection_string).get_table_client(
        info.env["FACE_TABLE_PREFIX"] + "training").upsert_entity({
            "PartitionKey": "largepersongroup", "RowKey": gid, "Status": "running", "TrainingId": "x",
            "CreatedDateTime": datetime.now(timezone.utc), "LastActionDateTime": datetime.now(timezone.utc)})
    r = c.post(f"{V}/identify", json={"faceIds": [probe], "largePersonGroupId": gid})
    assert r.status_code == 409 and error_code(r) == "LargePersonGroupTrainingNotFinished"
    status = c.request("GET", f"{base}/training")
    assert status.json()["status"] == "running" and status.headers.get("Retry-After")
    lfl = f"tl-{uuid.uuid4().hex[:6]}"
    assert c.request("PUT", f"{V}/largefacelists/{lfl}", json={"name": "l", "recognitionModel": "recognition_04"}).status_code == 200
    r = c.post(f"{V}/findsimilars", json={"faceId": probe, "largeFaceListId": lfl})
    assert r.status_code == 400 and error_code(r) == "LargeFaceListNotTrained"
    r = c.request("GET", f"{V}/largefacelists/{lfl}/training")
    assert r.status_code == 404 and error_code(r) == "LargeFaceListNotTrained"
